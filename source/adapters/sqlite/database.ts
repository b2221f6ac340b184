import {hostname} from 'node:os';
import path from 'node:path';
import type {Fingerprint, RowCounts} from '../../engine/model.js';
import {CutoverError} from '../../errors/index.js';
import type {Database, QueryOutcome} from '../../ports/index.js';
import {toCell} from './cells.js';
import {messageOf, openSqliteFile} from './open-file.js';
import {countRows, userTables} from './user-tables.js';

/** The Database port over one SQLite file. Throws TargetError when the file is missing or is not SQLite. */
export async function openSqliteDatabase(target: {path: string}): Promise<Database> {
	const file = path.resolve(target.path);
	const db = openSqliteFile(file);
	// Checks are read-only by contract; the connection refuses writes even if a statement slips past the reader test below.
	db.pragma('query_only = ON');

	return {
		engine: 'sqlite',

		async fingerprint(): Promise<Fingerprint> {
			const version = db.prepare('SELECT sqlite_version()').pluck().get() as string;
			const pageCount = db.pragma('page_count', {simple: true}) as number;
			const pageSize = db.pragma('page_size', {simple: true}) as number;
			return {
				engine: 'sqlite',
				serverVersion: version,
				host: hostname(),
				database: path.parse(file).name,
				sizeBytes: pageCount * pageSize,
				path: file,
			};
		},

		async query(sql: string): Promise<QueryOutcome> {
			try {
				const statement = db.prepare(sql);
				if (!statement.reader || !statement.readonly) {
					throw new CutoverError(`refused to run a statement that returns no rows or writes on ${file}: ${firstLine(sql)}`, {
						hint: 'checks must be read-only SELECT statements; move changes into a migration',
					});
				}

				statement.raw(true).safeIntegers(true);
				const columns = statement.columns().map(column => column.name);
				const rows = (statement.all() as unknown[][]).map(row => row.map(value => toCell(value)));
				return {kind: 'rows', columns, rows};
			} catch (error) {
				if (error instanceof CutoverError) {
					throw error;
				}

				const missing = missingTable(error);
				if (missing !== null) {
					return {kind: 'missing-relation', relation: {kind: 'table', name: missing}, message: messageOf(error)};
				}

				throw new CutoverError(`query failed on ${file}: ${messageOf(error)}`, {
					hint: 'fix the SQL of this check and run again',
					cause: error,
				});
			}
		},

		async rowCounts(): Promise<RowCounts> {
			// One read transaction, so every count describes the same moment.
			return db.transaction(() => countRows(db))();
		},

		async tables(): Promise<string[]> {
			return userTables(db);
		},

		async close(): Promise<void> {
			if (db.open) {
				db.close();
			}
		},
	};
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
