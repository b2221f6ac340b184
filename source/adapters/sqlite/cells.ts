import type {Cell} from '../../engine/model.js';

/** Turns a value as better-sqlite3 returns it (safe integers on) into a cell a screen and the journal can hold. */
export function toCell(value: unknown): Cell {
	if (value === null || value === undefined) {
		return null;
	}

	if (typeof value === 'bigint') {
		// Beyond 2^53 a number would silently round; the exact digits are worth more than the type.
		return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
	}

	if (typeof value === 'number') {
		// Infinity would become null in the JSON journal.
		return Number.isFinite(value) ? value : String(value);
	}

	if (typeof value === 'string' || typeof value === 'boolean') {
		return value;
	}

	if (Buffer.isBuffer(value)) {
		return `x'${value.toString('hex')}'`;
	}

	return String(value);
}
