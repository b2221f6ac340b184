import assert from 'node:assert/strict';
import {statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {openSqliteSession} from '../../source/adapters/migrator/sqlite-session.js';
import {openSqliteDatabase} from '../../source/adapters/sqlite/database.js';
import {CutoverError, TargetError} from '../../source/errors/index.js';
import {createSqliteFile} from '../support/sqlite.js';

test('values without a JSON-safe type come back as exact text', async () => {
	const file = await createSqliteFile('CREATE TABLE t (big INTEGER, small INTEGER, data BLOB, huge REAL)');
	file.exec(`INSERT INTO t VALUES (9007199254740993, -42, x'00ff10', 1e999)`);
	const db = await openSqliteDatabase({path: file.path});
	try {
		assert.deepEqual((await db.query('SELECT big, small, data, huge FROM t')), {kind: 'rows', columns: ['big', 'small', 'data', 'huge'], rows: [['9007199254740993', -42, 'x\'00ff10\'', 'Infinity']]});
	} finally {
		await db.close();
		await file.cleanup();
	}
});

test('SQLite internals and cutover bookkeeping are not user tables; odd names are counted exactly', async () => {
	const file = await createSqliteFile(`
		CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT);
		INSERT INTO log (line) VALUES ('a'), ('b');
		CREATE TABLE "say ""hi""" (x);
		INSERT INTO "say ""hi""" VALUES (1);
		CREATE TABLE "__proto__" (x);
		CREATE TABLE cutover_migrations (name TEXT);
		CREATE TABLE sqliteish (x);
	`);
	const db = await openSqliteDatabase({path: file.path});
	try {
		assert.deepEqual(await db.tables(), ['__proto__', 'log', 'say "hi"', 'sqliteish']);
		const counts = await db.rowCounts();
		assert.deepEqual(Object.entries(counts), [['__proto__', 0], ['log', 2], ['say "hi"', 1], ['sqliteish', 0]]);
	} finally {
		await db.close();
		await file.cleanup();
	}
});

test('a file that is not SQLite fails with TargetError when opened', async () => {
	const file = await createSqliteFile('CREATE TABLE t (a)');
	const bogus = path.join(file.directory, 'notes.db');
	writeFileSync(bogus, 'this is a text file, not a database, and it is long enough to have a header'.repeat(20));
	try {
		await assert.rejects(openSqliteDatabase({path: bogus}), (error: unknown) => error instanceof TargetError && /is not a SQLite database: it does not begin with the SQLite header/.test(error.message));
	} finally {
		await file.cleanup();
	}
});

test('a 0-byte file is refused, and left at 0 bytes rather than made a new database', async () => {
	const file = await createSqliteFile('CREATE TABLE t (a)');
	const empty = path.join(file.directory, 'empty.db');
	writeFileSync(empty, '');
	try {
		await assert.rejects(openSqliteDatabase({path: empty}), (error: unknown) => error instanceof TargetError && /empty\.db is empty \(0 bytes\): it is not a SQLite database/.test(error.message) && /VACUUM/.test(error.hint));
		await assert.rejects(openSqliteSession(empty), (error: unknown) => error instanceof TargetError && /is empty \(0 bytes\)/.test(error.message));
		assert.equal(statSync(empty).size, 0);
	} finally {
		await file.cleanup();
	}
});

test('a statement that is not a read is refused with a reason', async () => {
	const file = await createSqliteFile('CREATE TABLE t (a); INSERT INTO t VALUES (1)');
	const db = await openSqliteDatabase({path: file.path});
	try {
		await assert.rejects(db.query('UPDATE t SET a = 2'), (error: unknown) =>
			error instanceof CutoverError && /refused to run .*UPDATE t SET a = 2/.test(error.message) && /read-only/.test(error.hint));
		assert.deepEqual(file.all('SELECT a FROM t'), [{a: 1}]);
	} finally {
		await db.close();
		await file.cleanup();
	}
});
