import {existsSync, statSync} from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import {TargetError} from '../../errors/index.js';

/** How long a statement waits on a lock held by another connection before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens an existing SQLite file. A missing path is an error, never a new empty database that
 * would then pass every check. The header is read at once, so a file that is not SQLite fails here.
 */
export function openSqliteFile(file: string, options: {readonly?: boolean} = {}): BetterSqlite3.Database {
	if (!existsSync(file)) {
		throw new TargetError(`SQLite database ${file} does not exist`, {
			target: file,
			hint: 'check the path; cutover never creates an empty database in place of a missing one',
		});
	}

	if (!statSync(file).isFile()) {
		throw new TargetError(`${file} is not a file`, {target: file, hint: 'point --db at the SQLite database file itself'});
	}

	let db: BetterSqlite3.Database;
	try {
		db = new BetterSqlite3(file, {fileMustExist: true, readonly: options.readonly ?? false, timeout: BUSY_TIMEOUT_MS});
	} catch (error) {
		throw new TargetError(`cannot open SQLite database ${file}: ${messageOf(error)}`, {
			target: file,
			hint: 'check that the file and its directory are readable and writable by this user',
			cause: error,
		});
	}

	try {
		db.prepare('SELECT count(*) FROM sqlite_schema').get();
	} catch (error) {
		db.close();
		throw new TargetError(`${file} cannot be read as a SQLite database: ${messageOf(error)}`, {
			target: file,
			hint: 'check that --db points at the database file itself, not a backup archive or a -wal file',
			cause: error,
		});
	}

	return db;
}

export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
