import {setImmediate} from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import {TargetError} from '../../errors/index.js';
import {refuseNonDatabase} from '../sqlite/open-file.js';
import type {Row, Session, Statement} from './session.js';
import {errorCode, markFailedStatement, messageOf} from './session.js';

/**
 * better-sqlite3 runs one statement per prepare and never rolls back on its own, so the
 * transaction is an explicit BEGIN IMMEDIATE (taking the write lock up front) and a ROLLBACK
 * of our own when anything fails.
 */
export async function openSqliteSession(file: string): Promise<Session> {
	refuseNonDatabase(file);

	let db: BetterSqlite3.Database;
	try {
		db = new BetterSqlite3(file, {fileMustExist: true, timeout: 5000});
	} catch (error) {
		throw new TargetError(`cannot open SQLite database ${file}: ${messageOf(error)}`, {
			target: file,
			hint: 'check that the file and its directory are readable and writable by this user',
			cause: error,
		});
	}

	const run = async (sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
		// A statement holds the thread until it ends and cannot be interrupted; between two, the
		// event loop turns, so a key (the quit question) or a signal is seen after each one.
		await setImmediate();
		const statement = db.prepare(sql);
		if (statement.reader) {
			return statement.all(...params) as Row[];
		}

		statement.run(...params);
		return [];
	};

	// The log row's statements are the same text for every migration: prepared once, not 700 times.
	const prepared = new Map<string, BetterSqlite3.Statement>();
	const own = ({sql, params = []}: Statement): Row[] => {
		let statement = prepared.get(sql);
		if (statement === undefined) {
			statement = db.prepare(sql);
			prepared.set(sql, statement);
		}

		if (statement.reader) {
			return statement.all(...params) as Row[];
		}

		statement.run(...params);
		return [];
	};

	// The busy timeout as last set: a pragma only when it changes.
	let busyMs = 5000;
	const busy = (ms: number) => {
		const value = Math.max(1, Math.round(ms));
		if (value !== busyMs) {
			db.pragma(`busy_timeout = ${value}`);
			busyMs = value;
		}
	};

	// Foreign key enforcement as last set (better-sqlite3 opens with it on).
	let keysOn = db.pragma('foreign_keys', {simple: true}) === 1;
	const foreignKeys = (on: boolean) => {
		if (on !== keysOn) {
			db.pragma(`foreign_keys = ${on ? 'ON' : 'OFF'}`);
			keysOn = on;
		}
	};

	return {
		engine: 'sqlite',
		where: file,
		run,
		async transaction(work, {lockTimeoutMs, open = [], close = [], body = [], whileOpening, foreignKeysOff = false}) {
			whileOpening?.();
			// The pragma takes only between transactions: off for a SQL migration (checked for orphans
			// before COMMIT: sqlite-foreign-keys.ts), on for the rest; set only when it changes, so 700 SQL migrations set it once.
			foreignKeys(!foreignKeysOff);
			// BEGIN IMMEDIATE waits this long for the write lock; a rollback-journal COMMIT waits as long for readers.
			busy(lockTimeoutMs);
			db.exec('BEGIN IMMEDIATE');
			try {
				let opened: Row[] = [];
				for (const statement of open) {
					opened = own(statement);
				}

				const value = await work(opened);
				for (const [index, sql] of body.entries()) {
					try {
						// eslint-disable-next-line no-await-in-loop -- in order, one at a time
						await run(sql);
					} catch (error) {
						markFailedStatement(error, index + 1);
						throw error;
					}
				}

				for (const statement of close) {
					own(statement);
				}

				db.exec('COMMIT');
				return value;
			} catch (error) {
				// Some errors (a full disk, an interrupt) end the transaction themselves.
				if (db.inTransaction) {
					db.exec('ROLLBACK');
				}

				throw error;
			}
		},
		async autocommit(work, {lockTimeoutMs}) {
			// Statement by statement (a migration outside a transaction, a backfill), enforcement is on, as ever.
			foreignKeys(true);
			// Without BEGIN each statement is its own transaction, and waits this long for the write lock.
			busy(lockTimeoutMs);
			try {
				return await work();
			} finally {
				busy(5000);
			}
		},
		isLockTimeout: error => errorCode(error).startsWith('SQLITE_BUSY'),
		// SQLite keeps no record of who holds its lock, and better-sqlite3 waits on this thread anyway.
		watchBlockers: async () => ({stop: async () => []}),
		async close() {
			db.close();
		},
	};
}
