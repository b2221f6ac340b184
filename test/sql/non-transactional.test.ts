import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {concurrentIndexName, concurrentIndexTable, leadingWords, nonTransactional, notRetrySafe} from '../../source/sql/non-transactional.js';
import {splitStatementsAt} from '../../source/sql/split-statements.js';

describe('statements that cannot run in a transaction block', () => {
	const flagged: Array<[string, string]> = [
		['CREATE INDEX CONCURRENTLY users_email_idx ON users (email)', 'CREATE INDEX CONCURRENTLY'],
		['create unique index concurrently if not exists u ON t (a)', 'CREATE INDEX CONCURRENTLY'],
		['DROP INDEX CONCURRENTLY IF EXISTS users_email_idx', 'DROP INDEX CONCURRENTLY'],
		['REINDEX INDEX CONCURRENTLY users_email_idx', 'REINDEX … CONCURRENTLY'],
		['REINDEX (VERBOSE) TABLE CONCURRENTLY users', 'REINDEX … CONCURRENTLY'],
		['REINDEX DATABASE shop', 'REINDEX DATABASE'],
		['VACUUM (ANALYZE) users', 'VACUUM'],
		['vacuum', 'VACUUM'],
		['ALTER SYSTEM SET work_mem = \'64MB\'', 'ALTER SYSTEM'],
		['CREATE DATABASE other', 'CREATE DATABASE'],
		['DROP DATABASE other', 'DROP DATABASE'],
		['CREATE TABLESPACE fast LOCATION \'/ssd\'', 'CREATE TABLESPACE'],
		['DROP TABLESPACE fast', 'DROP TABLESPACE'],
		['ALTER DATABASE shop SET TABLESPACE fast', 'ALTER DATABASE … SET TABLESPACE'],
		['ALTER TABLE measurements DETACH PARTITION m2020 CONCURRENTLY', 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY'],
		['CLUSTER', 'CLUSTER without a table'],
		['CLUSTER VERBOSE', 'CLUSTER without a table'],
		['-- rebuild it without blocking writes\nCREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY'],
		['/* a block\n comment */ VACUUM t', 'VACUUM'],
	];
	for (const [sql, what] of flagged) {
		test(`${sql.replaceAll('\n', ' ')} → ${what}`, () => {
			assert.equal(nonTransactional(sql, 'postgres'), what);
		});
	}

	const fine = [
		'CREATE INDEX users_email_idx ON users (email)',
		'ALTER TYPE mood ADD VALUE \'sad\'',
		'ANALYZE users',
		'CLUSTER users USING users_pkey',
		'CLUSTER users',
		'REINDEX TABLE users',
		'DROP INDEX users_email_idx',
		'ALTER DATABASE shop SET work_mem = \'64MB\'',
		'CREATE SUBSCRIPTION s CONNECTION \'dbname=x\' PUBLICATION p WITH (create_slot = false, enabled = false, slot_name = NONE)',
		// Words inside comments, strings and quoted names are no keywords.
		'INSERT INTO notes (body) VALUES (\'CREATE INDEX CONCURRENTLY x; VACUUM\')',
		'-- VACUUM later\nUPDATE t SET a = 1',
		'CREATE INDEX "concurrently" ON t (a)',
		'SELECT $$VACUUM$$',
		'COMMENT ON TABLE t IS \'run VACUUM after\'',
	];
	for (const sql of fine) {
		test(`${sql.replaceAll('\n', ' ')} runs in a transaction`, () => {
			assert.equal(nonTransactional(sql, 'postgres'), null);
		});
	}

	test('SQLite: VACUUM only', () => {
		assert.equal(nonTransactional('VACUUM', 'sqlite'), 'VACUUM');
		assert.equal(nonTransactional('VACUUM INTO \'/tmp/x.db\'', 'sqlite'), 'VACUUM');
		assert.equal(nonTransactional('CREATE INDEX CONCURRENTLY i ON t (a)', 'sqlite'), null);
	});

	test('on the splitter\'s statements, a ; in a string or comment does not cut a statement that is then flagged', () => {
		const statements = splitStatementsAt('INSERT INTO t VALUES (\'a; VACUUM\');\n-- VACUUM;\nCREATE INDEX CONCURRENTLY i ON t (a);\n');
		assert.deepEqual(statements.map(s => nonTransactional(s.text, 'postgres')), [null, 'CREATE INDEX CONCURRENTLY']);
		assert.equal(statements[1]?.line, 3);
	});

	test('leading words skip comments and literals', () => {
		assert.deepEqual(leadingWords('/* x */ create -- y\n unique \'s\' index'), ['CREATE', 'UNIQUE', 'INDEX']);
	});
});

describe('statements not safe to run twice', () => {
	const cases: Array<[string, string | null]> = [
		['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY without IF NOT EXISTS'],
		['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)', null],
		['CREATE TABLE t (a int)', 'CREATE TABLE without IF NOT EXISTS'],
		['CREATE TABLE IF NOT EXISTS t (a int)', null],
		['DROP INDEX CONCURRENTLY i', 'DROP INDEX without IF EXISTS'],
		['DROP INDEX CONCURRENTLY IF EXISTS i', null],
		['ALTER TABLE t ADD COLUMN b int', 'ALTER TABLE … ADD COLUMN without IF NOT EXISTS'],
		['INSERT INTO t VALUES (1)', 'INSERT without ON CONFLICT'],
		['INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING', null],
		['VACUUM t', null],
		['UPDATE t SET a = 1', null],
	];
	for (const [sql, why] of cases) {
		test(`${sql} → ${why ?? 'safe'}`, () => {
			assert.equal(notRetrySafe(sql), why);
		});
	}
});

describe('the index a CREATE INDEX CONCURRENTLY builds', () => {
	const cases: Array<[string, string | null]> = [
		['CREATE INDEX CONCURRENTLY Users_Email ON users (email)', 'users_email'],
		['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Mixed Case" ON t (a)', 'Mixed Case'],
		['CREATE INDEX CONCURRENTLY public.meters_slot ON meters (slot)', 'meters_slot'],
		['CREATE INDEX CONCURRENTLY ON t (a)', null],
		['CREATE INDEX i ON t (a)', null],
	];
	for (const [sql, name] of cases) {
		test(`${sql} → ${name ?? 'none'}`, () => {
			assert.equal(concurrentIndexName(sql), name);
		});
	}
});

describe('the table a CREATE INDEX CONCURRENTLY is on, as written for to_regclass', () => {
	const cases: Array<[string, string | null]> = [
		['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_x_key ON app.t (x)', 'app.t'],
		['CREATE INDEX CONCURRENTLY users_email ON users USING btree (email)', 'users'],
		['CREATE INDEX CONCURRENTLY "On Time" ON ONLY "App" . "Big T" (a)', '"App" . "Big T"'],
		['CREATE INDEX CONCURRENTLY ON t (a)', 't'],
		['CREATE INDEX CONCURRENTLY /* on x */ i -- on y\n ON s.t (a)', 's.t'],
		['CREATE INDEX i ON t (a)', null],
	];
	for (const [sql, table] of cases) {
		test(`${sql} → ${table ?? 'none'}`, () => {
			assert.equal(concurrentIndexTable(sql), table);
		});
	}
});
