import {closeSync, existsSync, openSync, readSync, statSync} from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import {TargetError} from '../../errors/index.js';

/** How long a statement waits on a lock held by another connection before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens an existing SQLite file. A missing path is an error, never a new empty database that
 * would then pass every check. The header is read at once, so a file that is not SQLite fails here.
 */
export function openSqliteFile(file: string, options: {readonly?: boolean; busyTimeoutMs?: number} = {}): BetterSqlite3.Database {
	refuseNonDatabase(file);
	const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
	let db: BetterSqlite3.Database;
	try {
		db = new BetterSqlite3(file, {fileMustExist: true, readonly: options.readonly ?? false, timeout: busyTimeoutMs});
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
		if (isBusy(error)) {
			throw lockedError(file, busyTimeoutMs, error);
		}

		throw new TargetError(`${file} cannot be read as a SQLite database: ${messageOf(error)}`, {
			target: file,
			hint: 'check that --db points at the database file itself, not a backup archive or a -wal file',
			cause: error,
		});
	}

	return db;
}

export function isBusy(error: unknown): boolean {
	// Extended codes too: a WAL reader waiting out another connection's recovery gets SQLITE_BUSY_RECOVERY.
	const code = (error as {code?: unknown} | null)?.code;
	return (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || (error instanceof TargetError && error.cause !== undefined && isBusy(error.cause));
}

/** What an operator reads when another connection kept the file locked for as long as cutover waits. */
export function lockedError(file: string, waitedMs: number, cause: unknown): TargetError {
	return new TargetError(`SQLite database ${file} stayed locked by another connection for ${waitedMs / 1000} s`, {
		target: file,
		hint: 'another process holds an exclusive lock on it (a long write, or a connection in exclusive locking mode); find it with fuser or lsof, let it finish, and try again',
		cause,
	});
}

const header = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses a path that is not an existing SQLite database before the driver sees it: the
 * driver would take a 0-byte file for a new empty database, and a first deployment on it
 * would then look like a success on the wrong file.
 */
export function refuseNonDatabase(file: string): void {
	if (!existsSync(file)) {
		throw new TargetError(`SQLite database ${file} does not exist`, {
			target: file,
			hint: 'check the path; cutover never creates an empty database in place of a missing one',
		});
	}

	const stat = statSync(file);
	if (!stat.isFile()) {
		throw new TargetError(`${file} is not a file`, {target: file, hint: 'point --db at the SQLite database file itself'});
	}

	// A WAL database may not have reached its main file yet; its -wal then holds the pages.
	const wal = `${file}-wal`;
	if (stat.size === 0 && !(existsSync(wal) && statSync(wal).size > 0)) {
		throw new TargetError(`${file} is empty (0 bytes): it is not a SQLite database`, {
			target: file,
			hint: 'point --db at the real database file; for a first deployment on a new SQLite database, create it first (sqlite3 <file> "VACUUM") so an empty file is never taken for one',
		});
	}

	const first = Buffer.alloc(header.length);
	const fd = openSync(file, 'r');
	let read: number;
	try {
		read = readSync(fd, first, 0, first.length, 0);
	} finally {
		closeSync(fd);
	}

	if (read > 0 && !first.subarray(0, read).equals(header.subarray(0, read))) {
		throw new TargetError(`${file} is not a SQLite database: it does not begin with the SQLite header ("SQLite format 3")`, {
			target: file,
			hint: 'check that --db points at the database file itself, not a dump, a backup archive, a -wal file or an encrypted copy',
		});
	}
}

export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
