import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export type SqliteFile = {
	/** The mkdtemp directory holding the file; removed by cleanup. */
	directory: string;
	/** Absolute path of the database file. */
	path: string;
	/** Runs SQL against the file on a short-lived connection (seeding, asserting end state). */
	exec(sql: string): void;
	/** Runs one query and returns its rows as objects. */
	all(sql: string): unknown[];
	cleanup(): Promise<void>;
};

/** A real SQLite file in a fresh temporary directory, seeded with `sql`. */
export async function createSqliteFile(sql: string, options: {name?: string; wal?: boolean} = {}): Promise<SqliteFile> {
	const directory = await mkdtemp(path.join(tmpdir(), 'cutover-sqlite-'));
	const file = path.join(directory, options.name ?? 'app.db');
	const db = new BetterSqlite3(file);
	try {
		if (options.wal === true) {
			db.pragma('journal_mode = WAL');
		}

		db.exec(sql);
	} finally {
		db.close();
	}

	const withDb = <T>(work: (db: BetterSqlite3.Database) => T): T => {
		const connection = new BetterSqlite3(file, {fileMustExist: true});
		try {
			return work(connection);
		} finally {
			connection.close();
		}
	};

	return {
		directory,
		path: file,
		exec: text => withDb(connection => connection.exec(text)),
		all: text => withDb(connection => connection.prepare(text).all()),
		cleanup: async () => rm(directory, {recursive: true, force: true}),
	};
}
