import {closeSync, fstatSync, openSync} from 'node:fs';
import {hostname} from 'node:os';
import path from 'node:path';
import type {Fingerprint} from '../../engine/model.js';
import {DEFAULT_CHECK_TIMEOUT_MS, type Database} from '../../ports/index.js';
import {openSqliteFile} from './open-file.js';
import {startQueryProcess} from './query-process.js';
import {userTables} from './user-tables.js';

/** The Database port over one SQLite file. Throws TargetError when the file is missing or is not SQLite. */
export async function openSqliteDatabase(target: {path: string}): Promise<Database> {
	const file = path.resolve(target.path);
	const db = openSqliteFile(file);
	// Checks are read-only by contract; the connection refuses writes even if a statement slips past the reader test below.
	db.pragma('query_only = ON');
	const queries = startQueryProcess(file);

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
				...fileIdentity(file),
			};
		},

		// Off the main thread: a long check or count must not freeze the console, and must be stoppable.
		async query(sql, options = {}) {
			return queries.query(sql, {...options, timeoutMs: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS});
		},

		async rowCounts(options = {}) {
			return queries.rowCounts(options);
		},

		async snapshot(options = {}) {
			return queries.snapshot(path.parse(file).name, options);
		},

		async tables(): Promise<string[]> {
			return userTables(db);
		},

		async close(): Promise<void> {
			await queries.close();
			if (db.open) {
				db.close();
			}
		},
	};
}

/** The file now at the path: a copy put in its place has another inode, even with the same name and content. */
function fileIdentity(file: string): {device: string; inode: string} {
	const fd = openSync(file, 'r');
	try {
		const stat = fstatSync(fd, {bigint: true});
		return {device: String(stat.dev), inode: String(stat.ino)};
	} finally {
		closeSync(fd);
	}
}

