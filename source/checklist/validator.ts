import {ChecklistError} from '../errors/index.js';
import {parseDuration} from './duration.js';
import {parseSize} from './size.js';
import {formatPath, type PathSegment} from './yaml-lines.js';

export type Path = readonly PathSegment[];

/** Small typed readers over the parsed YAML; each failure names the file, the path and, when known, the line. */
export class Validator {
	constructor(
		readonly file: string,
		private readonly lineOf: (path: Path) => number | null,
	) {}

	fail(path: Path, problem: string): never {
		// A missing key has no line of its own: point at the nearest enclosing value instead.
		let line: number | null = null;
		for (let depth = path.length; depth >= 0 && line === null; depth--) {
			line = this.lineOf(path.slice(0, depth));
		}

		throw new ChecklistError(this.file, formatPath(path), line === null ? problem : `${problem} (line ${line})`);
	}

	/** A mapping with exactly the allowed keys; `required` ones must be there. */
	object(value: unknown, path: Path, keys: {required: readonly string[]; optional: readonly string[]}): Record<string, unknown> {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			this.fail(path, `expected a mapping (key: value lines), found ${describe(value)}`);
		}

		const record = value as Record<string, unknown>;
		const allowed = [...keys.required, ...keys.optional];
		for (const key of Object.keys(record)) {
			if (!allowed.includes(key)) {
				const guess = closest(key, allowed);
				this.fail([...path, key], `unknown key "${key}"${guess === null ? '' : `; did you mean "${guess}"?`} (allowed: ${allowed.join(', ')})`);
			}
		}

		for (const key of keys.required) {
			if (record[key] === undefined) {
				this.fail([...path, key], `"${key}" is missing`);
			}
		}

		return record;
	}

	list(value: unknown, path: Path): unknown[] {
		if (value === undefined || value === null) {
			return [];
		}

		if (!Array.isArray(value)) {
			this.fail(path, `expected a list (lines starting with "- "), found ${describe(value)}`);
		}

		return value;
	}

	text(value: unknown, path: Path): string {
		if (typeof value !== 'string' || value.trim() === '') {
			this.fail(path, `expected non-empty text, found ${describe(value)}`);
		}

		return value.trim();
	}

	optionalText(value: unknown, path: Path): string | null {
		return value === undefined || value === null ? null : this.text(value, path);
	}

	id(value: unknown, path: Path): string {
		const text = this.text(value, path);
		if (!/^[a-z0-9][a-z0-9-]*$/.test(text)) {
			this.fail(path, `"${text}" is not a valid id: use lowercase letters, digits and dashes, for example duplicate-meters`);
		}

		return text;
	}

	boolean(value: unknown, path: Path, fallback: boolean): boolean {
		if (value === undefined) {
			return fallback;
		}

		if (typeof value !== 'boolean') {
			this.fail(path, `expected true or false, found ${describe(value)}`);
		}

		return value;
	}

	positiveNumber(value: unknown, path: Path): number {
		if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
			this.fail(path, `expected a number of minutes above 0, found ${describe(value)}`);
		}

		return value;
	}

	/** A duration with its unit (500ms, 5s, 2m), in milliseconds, within [min, max]. */
	duration(value: unknown, path: Path, range: {min: number; max: number}): number {
		const ms = typeof value === 'string' ? parseDuration(value) : null;
		if (ms === null) {
			this.fail(path, `expected a duration with its unit, such as 500ms, 5s or 2m, found ${describe(value)}`);
		}

		if (ms < range.min || ms > range.max) {
			this.fail(path, `${String(value)} is out of range: give between ${range.min}ms and ${range.max / 1000}s`);
		}

		return ms;
	}

	/** A size with its unit (64kB, 500MB, 1GB), in bytes, from 0 up to `max` bytes. */
	size(value: unknown, path: Path, max: number): number {
		const bytes = typeof value === 'string' ? parseSize(value) : null;
		if (bytes === null) {
			this.fail(path, `expected a size with its unit, such as 500MB or 1GB, found ${describe(value)}`);
		}

		if (bytes > max) {
			this.fail(path, `${String(value)} is out of range: give at most ${max / 1024 ** 4}TB`);
		}

		return bytes;
	}

	/** A whole number within [min, max]. */
	count(value: unknown, path: Path, range: {min: number; max: number}): number {
		if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
			this.fail(path, `expected a whole number from ${range.min} to ${range.max}, found ${describe(value)}`);
		}

		return value;
	}
}

function describe(value: unknown): string {
	if (value === undefined || value === null) {
		return 'nothing';
	}

	if (Array.isArray(value)) {
		return 'a list';
	}

	if (typeof value === 'object') {
		return 'a mapping';
	}

	return typeof value === 'string' ? (value.trim() === '' ? 'empty text' : `"${value}"`) : String(value);
}

/** The allowed key a typo most likely meant, if any is close enough. */
function closest(key: string, allowed: readonly string[]): string | null {
	let best: string | null = null;
	let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
	for (const candidate of allowed) {
		const distance = editDistance(key.toLowerCase(), candidate);
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}

	return best;
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({length: b.length + 1}, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
		}

		previous = current;
	}

	return previous[b.length]!;
}
