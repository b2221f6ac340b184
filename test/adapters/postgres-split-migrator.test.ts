import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import pg from 'pg';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {readMigrations} from '../../source/adapters/migrator/migration-files.js';
import {MigrationError, MigrationFileError} from '../../source/errors/index.js';
import type {StatementProgress} from '../../source/ports/migrator.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const made: string[] = [];
after(() => {
	for (const dir of made) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function directory(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-pg-split-'));
	made.push(dir);
	for (const [name, content] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), content);
	}

	return dir;
}

const context = {runId: 'run-pg-split', appliedBy: 'tester@host'};

// Every shape whose semicolons the parser, not a scanner, has to place.
const body = (noTransaction: boolean) => `${noTransaction ? '-- cutover: no-transaction\n' : ''}-- audit; every insert is copied
CREATE TABLE orders (id int PRIMARY KEY, note text);
CREATE TABLE audit_a (id int);
CREATE TABLE audit_b (id int);
CREATE RULE copy_orders AS ON INSERT TO orders DO ALSO (INSERT INTO audit_a VALUES (NEW.id); INSERT INTO audit_b VALUES (NEW.id));
CREATE FUNCTION twice(n int) RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
  -- a comment; inside the body
  RETURN n * 2;
END;
$body$;
/* a block comment; with /* a nested one; */ */
INSERT INTO orders VALUES (1, E'it\\'s; escaped'), (twice(1), 'plain; ''quoted''');
`;

describe('PostgreSQL migrations split by the parser, applied on PostgreSQL', () => {
	for (const noTransaction of [false, true]) {
		test(`${noTransaction ? 'outside a transaction, statement by statement' : 'in a transaction'}: CREATE RULE … DO ALSO (…; …), a dollar-quoted function, comments and E'' strings`, async () => {
			const database = await createThrowawayDatabase('cutover_pg_split');
			const dir = directory({'0001_rule.up.sql': body(noTransaction), '0001_rule.down.sql': 'DROP TABLE orders, audit_a, audit_b;\nDROP FUNCTION twice(int);\n'});
			const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
			try {
				const [source] = await readMigrations(dir, 'postgres');
				assert.ok(source?.up.kind === 'sql');
				assert.equal(source.up.transaction, !noTransaction);
				assert.equal(source.up.statements.length, 6);
				assert.match(source.up.statements[3]!, /^CREATE RULE copy_orders .*VALUES \(NEW\.id\)\)$/);
				const seen: StatementProgress[] = [];
				await migrator.up('0001_rule', {...context, onStatement(progress) {
					seen.push(progress);
					return true;
				}});
				if (noTransaction) {
					// Each statement runs, and is journaled, on its own: the rule is one of them, not three pieces.
					assert.deepEqual(seen.filter(p => p.phase === 'finished').map(p => `${p.index}/${p.total}`), ['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
					assert.match(seen.find(p => p.index === 4)!.statement, /^CREATE RULE/);
				}

				const rows = await database.sql('SELECT (SELECT array_agg(note ORDER BY id) FROM orders) AS notes, (SELECT count(*)::int FROM audit_a) AS a, (SELECT count(*)::int FROM audit_b) AS b');
				assert.deepEqual(rows.rows, [{notes: ['it\'s; escaped', 'plain; \'quoted\''], a: 2, b: 2}]);
				await migrator.down('0001_rule', context);
				assert.equal((await database.sql('SELECT to_regclass(\'orders\') IS NULL AS gone')).rows[0]?.['gone'], true);
			} finally {
				await migrator.close();
				await database.drop();
			}
		});
	}

	test('a no-transaction script the parser rejects is refused when read, naming the file and line, before anything commits', async () => {
		const dir = directory({'0001_bad.up.sql': '-- cutover: no-transaction\nCREATE TABLE t (a int);\n\\set ON_ERROR_STOP on\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n'});
		await assert.rejects(readMigrations(dir, 'postgres'), (error: unknown) => {
			assert.ok(error instanceof MigrationFileError, String(error));
			assert.equal(path.basename(error.file), '0001_bad.up.sql');
			assert.equal(error.line, 3);
			assert.match(error.message, /0001_bad\.up\.sql:3: does not parse as PostgreSQL \(syntax error at or near "\\"\)/);
			assert.match(error.hint, /psql's backslash commands/);
			return true;
		});
	});

	test('a transactional script the parser rejects is still read (split as before): the server refuses it and the migration rolls back whole', async () => {
		const database = await createThrowawayDatabase('cutover_pg_split');
		const dir = directory({'0001_typo.up.sql': 'CREATE TABLE t (a int);\nSELEC 1;\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			const [source] = await readMigrations(dir, 'postgres');
			assert.deepEqual(source?.up.kind === 'sql' ? source.up.statements : null, ['CREATE TABLE t (a int)', 'SELEC 1']);
			await assert.rejects(migrator.up('0001_typo', context), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.match(error.message, /syntax error at or near "SELEC"/);
				return true;
			});
			assert.equal((await database.sql('SELECT to_regclass(\'t\') IS NULL AS gone')).rows[0]?.['gone'], true);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('once the log table is there, a migration\'s statements go with its log row and COMMIT in one message: each failure still names its statement, and a trailing line comment cannot swallow a semicolon', async () => {
		const database = await createThrowawayDatabase('cutover_pg_split');
		const dir = directory({
			'0001_base.up.sql': 'CREATE TABLE base (a int);\n',
			'0002_comment.up.sql': 'INSERT INTO base VALUES (1) -- the first row, no semicolon after it',
			// The parser refuses the third statement, so the old splitter cuts it; the server parses the whole message before it runs any of it.
			'0003_typo.up.sql': 'CREATE TABLE t3 (a int);\nINSERT INTO base VALUES (2);\nSELEC 1;\n',
			// No position in this error: the statements that had completed before it say which one it is.
			'0004_runtime.up.sql': 'INSERT INTO base VALUES (3);\nSELECT 1/0;\nINSERT INTO base VALUES (4);\n',
			'0005_locked.up.sql': 'CREATE TABLE t5 (a int);\nINSERT INTO base VALUES (5);\n',
			// Read with the setting it makes: the server reads a whole message with the settings before it, so this one goes statement by statement.
			'0006_escapes.up.sql': 'CREATE TABLE escaped (v text);\nSET LOCAL standard_conforming_strings = off;\nINSERT INTO escaped VALUES (\'a\\\\b\');\n',
		});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir, lock: {lockTimeoutMs: 200, maxAttempts: 1, backoffMs: 10}});
		const holder = new pg.Client({connectionString: database.url});
		await holder.connect();
		try {
			await migrator.up('0001_base', context);
			await migrator.up('0002_comment', context);
			const failures: Array<[string, string, RegExp]> = [
				['0003_typo', 'SELEC 1', /failed at statement 3 of 3 in 0003_typo\.up\.sql: syntax error at or near "SELEC"/],
				['0004_runtime', 'SELECT 1/0', /failed at statement 2 of 3 in 0004_runtime\.up\.sql: division by zero/],
			];
			for (const [name, statement, said] of failures) {
				// eslint-disable-next-line no-await-in-loop -- one after the other, on one session
				await assert.rejects(migrator.up(name, context), (error: unknown) => {
					assert.ok(error instanceof MigrationError && error.statement === statement && said.test(error.message), String(error));
					return true;
				});
			}

			await holder.query('BEGIN');
			await holder.query('LOCK TABLE base IN ACCESS EXCLUSIVE MODE');
			await assert.rejects(migrator.up('0005_locked', context), (error: unknown) => {
				assert.ok(error instanceof MigrationError && error.statement === 'INSERT INTO base VALUES (5)', String(error));
				assert.match(error.message, /at statement 2 of 2/);
				return true;
			});
			await holder.query('ROLLBACK');
			const rows = await database.sql('SELECT (SELECT array_agg(a ORDER BY a) FROM base) AS a, to_regclass(\'t3\') IS NULL AND to_regclass(\'t5\') IS NULL AS gone, (SELECT array_agg(name ORDER BY name) FROM cutover_migrations) AS logged');
			assert.deepEqual(rows.rows, [{a: [1], gone: true, logged: ['0001_base', '0002_comment']}]);
			// The session goes on after each failure.
			await migrator.up('0005_locked', context);
			await migrator.up('0006_escapes', context);
			assert.deepEqual((await database.sql('SELECT v FROM escaped')).rows, [{v: 'a\\b'}], 'one backslash, as the file means it');
		} finally {
			await holder.end();
			await migrator.close();
			await database.drop();
		}
	});

	test('goose: the SQL outside StatementBegin … End is cut by the parser on PostgreSQL too; a block stays one statement', async () => {
		const goose = `-- +goose Up
CREATE TABLE orders (id int PRIMARY KEY);
CREATE RULE copy_orders AS ON INSERT TO orders DO ALSO (INSERT INTO audit_a VALUES (NEW.id); INSERT INTO audit_b VALUES (NEW.id));
-- +goose StatementBegin
CREATE FUNCTION twice(n int) RETURNS int LANGUAGE sql AS 'SELECT n * 2';
-- +goose StatementEnd
SELECT 1;

-- +goose Down
DROP TABLE orders;
`;
		const [source] = await readMigrations(directory({'00001_rule.sql': goose}), 'postgres');
		assert.ok(source?.up.kind === 'sql');
		assert.deepEqual(source.up.statements, [
			'CREATE TABLE orders (id int PRIMARY KEY)',
			'CREATE RULE copy_orders AS ON INSERT TO orders DO ALSO (INSERT INTO audit_a VALUES (NEW.id); INSERT INTO audit_b VALUES (NEW.id))',
			'CREATE FUNCTION twice(n int) RETURNS int LANGUAGE sql AS \'SELECT n * 2\'',
			'SELECT 1',
		]);
		assert.deepEqual(source.down?.kind === 'sql' ? source.down.statements : null, ['DROP TABLE orders']);
	});

	test('goose: a no-transaction file whose SQL outside the blocks the parser rejects is refused when read, naming its line', async () => {
		const goose = '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE t (a int);\n\\set x 1\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n';
		await assert.rejects(readMigrations(directory({'00001_bad.sql': goose}), 'postgres'), (error: unknown) => {
			assert.ok(error instanceof MigrationFileError, String(error));
			assert.equal(error.line, 4);
			assert.match(error.message, /does not parse as PostgreSQL/);
			return true;
		});
	});

	test('goose: CREATE RULE … DO ALSO (…; …) outside a StatementBegin … End block applies as one statement, and the table and index after it too', async () => {
		const database = await createThrowawayDatabase('cutover_pg_split');
		const goose = `-- +goose Up
CREATE TABLE t (id int);
CREATE TABLE a (id int);
CREATE TABLE b (id int);
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));
CREATE TABLE after_rule (id int);
CREATE INDEX after_rule_id ON after_rule (id);

-- +goose Down
DROP TABLE after_rule, t, a, b;
`;
		const dir = directory({'00001_rule.sql': goose});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			await migrator.up('00001_rule', context);
			await database.sql('INSERT INTO t VALUES (7)');
			const rows = await database.sql('SELECT (SELECT count(*)::int FROM a) AS a, (SELECT count(*)::int FROM b) AS b, to_regclass(\'after_rule_id\') IS NOT NULL AS indexed');
			assert.deepEqual(rows.rows, [{a: 1, b: 1, indexed: true}]);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('goose: a block is cut into its pieces by the parser too: a rule in a block is one piece, sent as the parser ends it', async () => {
		const database = await createThrowawayDatabase('cutover_pg_split');
		const goose = `-- +goose Up
CREATE TABLE t (id int);
CREATE TABLE a (id int);
CREATE TABLE b (id int);
-- +goose StatementBegin
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); -- copies
-- +goose StatementEnd

-- +goose Down
DROP TABLE t, a, b;
`;
		const dir = directory({'00001_rule.sql': goose});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			const [source] = await readMigrations(dir, 'postgres');
			assert.deepEqual(source?.up.kind === 'sql' ? source.up.statements.slice(3) : null, ['CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))']);
			await migrator.up('00001_rule', context);
			await database.sql('INSERT INTO t VALUES (7)');
			assert.deepEqual((await database.sql('SELECT (SELECT count(*)::int FROM a) AS a, (SELECT count(*)::int FROM b) AS b')).rows, [{a: 1, b: 1}]);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	// A block is sent whole, so the parser never decides where it is cut: syntax newer than the parser's (a
	// PostgreSQL 18 virtual column) is for the server to judge, as goose leaves it.
	test('goose: a no-transaction file with a block the parser rejects is read, the block one statement sent whole', async () => {
		const block = 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL);';
		const goose = `-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\n${block}\n-- +goose StatementEnd\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n`;
		const [source] = await readMigrations(directory({'00001_virtual.sql': goose}), 'postgres');
		assert.deepEqual(source?.up.kind === 'sql' ? source.up.statements : null, [block.slice(0, -1), 'CREATE INDEX CONCURRENTLY t_a ON t (a)']);
	});

	test('goose: a no-transaction file the parser rejects is refused even where the hand-written splitter cuts it alike; in a transaction it is read', async () => {
		const body = '-- +goose Up\nCREATE TABLE t (a int);\nSELEC 1;\n';
		await assert.rejects(readMigrations(directory({'00001_typo.sql': `-- +goose NO TRANSACTION\n${body}`}), 'postgres'), (error: unknown) => {
			assert.ok(error instanceof MigrationFileError, String(error));
			assert.equal(error.line, 4);
			assert.match(error.message, /does not parse as PostgreSQL \(syntax error at or near "SELEC"\)/);
			return true;
		});
		const [source] = await readMigrations(directory({'00001_typo.sql': body}), 'postgres');
		assert.deepEqual(source?.up.kind === 'sql' ? source.up.statements : null, ['CREATE TABLE t (a int)', 'SELEC 1']);
	});

	test('a statement after a lone carriage return ending a -- comment runs, as PostgreSQL reads it, instead of being dropped as comment', async () => {
		const database = await createThrowawayDatabase('cutover_pg_split');
		const dir = directory({'0001_cr.up.sql': 'CREATE TABLE a (id int);\n-- old note\rCREATE TABLE b (id int);\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			await migrator.up('0001_cr', context);
			assert.deepEqual((await database.sql('SELECT to_regclass(\'a\') IS NOT NULL AS a, to_regclass(\'b\') IS NOT NULL AS b')).rows, [{a: true, b: true}]);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('SQLite keeps its own splitter, which reads a trigger body the PostgreSQL parser would refuse', async () => {
		const [source] = await readMigrations(directory({'0001_t.up.sql': 'CREATE TABLE t (a int);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END;\n'}), 'sqlite');
		assert.deepEqual(source?.up.kind === 'sql' ? source.up.statements : null, ['CREATE TABLE t (a int)', 'CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END']);
	});
});
