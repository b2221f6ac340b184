// better-sqlite3 is synchronous: a SQLite check run on the main thread would freeze the console
// (keys, SIGHUP) until it ends. Checks and row counts run in a process of their own, which a
// timeout or a cancel ends.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {openSqliteDatabase} from '../../source/adapters/sqlite/database.js';
import {CutoverError, QueryStoppedError} from '../../source/errors/index.js';
import type {Database} from '../../source/ports/index.js';
import {createSqliteFile, type SqliteFile} from '../support/sqlite.js';
import {rowsOf} from '../support/outcome.js';

const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

describe('SQLite statements off the main thread', () => {
	let file: SqliteFile;
	let db: Database;

	before(async () => {
		file = await createSqliteFile(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
			INSERT INTO users (email) VALUES ('a@x'), ('b@x'), ('a@x');
			CREATE TABLE "__proto__" (x)`);
		db = await openSqliteDatabase({path: file.path});
	});

	after(async () => {
		await db?.close();
		await file?.cleanup();
	});

	test('a check that never ends times out after its timeout, and the event loop keeps ticking meanwhile', async () => {
		let ticks = 0;
		const ticker = setInterval(() => ticks++, 50);
		const started = Date.now();
		try {
			const error = await db.query(endless, {timeoutMs: 1000}).then(() => assert.fail('should time out'), (error: unknown) => error);
			const took = Date.now() - started;
			assert.ok(error instanceof QueryStoppedError, String(error));
			assert.equal(error.reason, 'timed-out');
			assert.match(error.message, /ran past its timeout/);
			assert.ok(took >= 950 && took < 3000, `timed out after ${took} ms`);
			// 50 ms ticks over at least a second: a blocked loop would have ticked once or not at all.
			assert.ok(ticks >= 12, `only ${ticks} ticks while the query ran`);
		} finally {
			clearInterval(ticker);
		}
	});

	test('the next check runs on a fresh process', async () => {
		assert.deepEqual(await db.query('SELECT email, count(*) FROM users GROUP BY email HAVING count(*) > 1'), {kind: 'rows', columns: ['email', 'count(*)'], rows: [['a@x', 2]]});
	});

	test('a check is cancelled at once through its signal', async () => {
		const abort = new AbortController();
		setTimeout(() => abort.abort(), 200);
		const started = Date.now();
		const error = await db.query(endless, {timeoutMs: 60_000, signal: abort.signal}).then(() => assert.fail('should be cancelled'), (error: unknown) => error);
		assert.ok(error instanceof QueryStoppedError, String(error));
		assert.equal(error.reason, 'cancelled');
		assert.ok(Date.now() - started < 1500);
		assert.deepEqual(rowsOf(await db.query('SELECT 1 AS one')), [[1]]);
	});

	test('writes are still refused, and SQL errors still name the file', async () => {
		await assert.rejects(db.query('DELETE FROM users'), (error: unknown) => error instanceof CutoverError && /refused to run a statement that returns no rows or writes/.test(error.message));
		await assert.rejects(db.query('SELECT nope FROM users'), (error: unknown) => error instanceof CutoverError && error.message.includes(`query failed on ${file.path}: no such column: nope`));
	});

	test('row counts come back exact, odd table names included', async () => {
		assert.deepEqual(Object.entries(await db.rowCounts()), [['__proto__', 0], ['users', 3]]);
	});

	test('closing the database ends a statement that is still running', async () => {
		const other = await openSqliteDatabase({path: file.path});
		const running = other.query(endless, {timeoutMs: 60_000}).catch((error: unknown) => error);
		await new Promise(resolve => setTimeout(resolve, 600));
		const started = Date.now();
		await other.close();
		assert.ok(await running instanceof CutoverError);
		assert.ok(Date.now() - started < 1000);
	});
});
