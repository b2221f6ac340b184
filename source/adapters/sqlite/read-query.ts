import type BetterSqlite3 from 'better-sqlite3';
import type {QueryOutcome} from '../../ports/index.js';
import {toCell} from './cells.js';
import {messageOf} from './open-file.js';

/** A statement a check may not run: it returns no rows or writes. */
export class RefusedStatement extends Error {}

/** Runs one read-only statement; refuses anything else before it runs. A table that does not exist is an outcome. */
export function readRows(db: BetterSqlite3.Database, sql: string): QueryOutcome {
	let statement: BetterSqlite3.Statement;
	try {
		statement = db.prepare(sql);
	} catch (error) {
		const missing = missingTable(error);
		if (missing !== null) {
			return {kind: 'missing-relation', relation: {kind: 'table', name: missing}, message: messageOf(error)};
		}

		throw error;
	}

	if (!statement.reader || !statement.readonly) {
		throw new RefusedStatement(firstLine(sql));
	}

	statement.raw(true).safeIntegers(true);
	const columns = statement.columns().map(column => column.name);
	const rows = (statement.all() as unknown[][]).map(row => row.map(value => toCell(value)));
	return {kind: 'rows', columns, rows};
}

/**
 * SQLite has no error code of its own for a missing table (it is SQLITE_ERROR), so the
 * driver's wording is read here, in the adapter, and nowhere else.
 */
function missingTable(error: unknown): string | null {
	const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
	const match = code === 'SQLITE_ERROR' ? /^no such table: (\S+)$/.exec(messageOf(error)) : null;
	return match ? match[1]!.replace(/^main\./, '') : null;
}

function firstLine(sql: string): string {
	const line = sql.trim().split('\n')[0] ?? '';
	return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
