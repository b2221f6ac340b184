import type BetterSqlite3 from 'better-sqlite3';
import type {QueryResult} from '../../ports/index.js';
import {toCell} from './cells.js';

/** A statement a check may not run: it returns no rows or writes. */
export class RefusedStatement extends Error {}

/** Runs one read-only statement; refuses anything else before it runs. */
export function readRows(db: BetterSqlite3.Database, sql: string): QueryResult {
	const statement = db.prepare(sql);
	if (!statement.reader || !statement.readonly) {
		throw new RefusedStatement(firstLine(sql));
	}

	statement.raw(true).safeIntegers(true);
	const columns = statement.columns().map(column => column.name);
	const rows = (statement.all() as unknown[][]).map(row => row.map(value => toCell(value)));
	return {columns, rows};
}

function firstLine(sql: string): string {
	const line = sql.trim().split('\n')[0] ?? '';
	return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
