import type BetterSqlite3 from 'better-sqlite3';
import type {RowCounts} from '../../engine/model.js';

/** cutover's own log of applied migrations: part of the tool, not of the data being protected. */
export const BOOKKEEPING_TABLE = 'cutover_migrations';

/** Where a module's backfill keeps its position: bookkeeping too. */
const BACKFILL_TABLE = 'cutover_backfill';

/** Every user table, sorted by name: SQLite's internal tables and cutover's bookkeeping left out. */
export function userTables(db: BetterSqlite3.Database): string[] {
	const names = db
		.prepare(String.raw`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN (?, ?)`)
		.pluck()
		.all(BOOKKEEPING_TABLE, BACKFILL_TABLE) as string[];
	return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Exact count(*) of every user table. Run inside one read transaction when the counts must agree with each other. */
export function countRows(db: BetterSqlite3.Database): RowCounts {
	const counts: RowCounts = {};
	for (const name of userTables(db)) {
		const count = db.prepare(`SELECT count(*) FROM ${quoteIdentifier(name)}`).pluck().get() as number;
		// defineProperty, because a table may well be called __proto__.
		Object.defineProperty(counts, name, {value: count, enumerable: true, writable: true, configurable: true});
	}

	return counts;
}

export function quoteIdentifier(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}
