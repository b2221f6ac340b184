import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {readMigrations} from '../../source/adapters/migrator/migration-files.js';
import type {Engine} from '../../source/engine/model.js';
import {CutoverError, MigrationFileError} from '../../source/errors/index.js';
import {parseTarget, type Target} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const made: string[] = [];
after(() => {
	for (const dir of made) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function directory(files: Record<string, string | Uint8Array>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-migration-files-'));
	made.push(dir);
	for (const [name, content] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), content);
	}

	return dir;
}

/** What reading the directory threw: a MigrationFileError, with its fields. */
async function refusal(files: Record<string, string | Uint8Array>, engine: Engine = 'postgres'): Promise<MigrationFileError> {
	const dir = directory(files);
	try {
		await readMigrations(dir, engine);
	} catch (error) {
		assert.ok(error instanceof MigrationFileError, `a MigrationFileError, got ${String(error)}`);
		assert.ok(error instanceof CutoverError);
		assert.ok(path.isAbsolute(error.file) && error.file.startsWith(dir), error.file);
		assert.ok(error.hint.length > 20);
		return error;
	}

	assert.fail('expected the migrations to be refused');
}

describe('migration files that are not UTF-8', () => {
	test('a Latin-1 byte is refused naming the file, line and byte offset', async () => {
		const before = Buffer.from('-- names\nINSERT INTO t (name) VALUES (\'Andr');
		const error = await refusal({'0001_names.up.sql': Buffer.concat([before, Buffer.from([0xE9]), Buffer.from('\');\n')])});
		assert.equal(error.offset, before.length);
		assert.equal(error.offset, 43);
		assert.equal(error.line, 2);
		assert.equal(path.basename(error.file), '0001_names.up.sql');
		assert.match(error.message, /0001_names\.up\.sql:2: byte 43 \(0xe9\) is not UTF-8/);
		assert.match(error.hint, /iconv -f latin1 -t utf-8/);
	});

	const cases: Array<[string, number[], number]> = [
		['a lone continuation byte', [0x41, 0x80, 0x42], 1],
		['an overlong form', [0x41, 0xC0, 0xAF], 1],
		['a surrogate encoded', [0x41, 0x42, 0xED, 0xA0, 0x80], 2],
		['a character cut short at the end', [0x41, 0xE2, 0x82], 1],
		['0xFF', [0xFF], 0],
	];
	for (const [name, bytes, offset] of cases) {
		test(`${name}: offset ${offset}`, async () => {
			const error = await refusal({'0001_a.up.sql': Buffer.concat([Buffer.from('SELECT \''), Buffer.from(bytes), Buffer.from('\';\n')])});
			assert.equal(error.offset, 8 + offset);
		});
	}

	test('a down file is checked too; a UTF-8 file with a byte order mark and non-ASCII text is read as it is', async () => {
		const error = await refusal({'0001_a.up.sql': 'SELECT 1;', '0001_a.down.sql': Buffer.from([0x53, 0x45, 0x4C, 0x9F, 0x3B])});
		assert.equal(path.basename(error.file), '0001_a.down.sql');
		const text = '\uFEFFBEGIN;\nINSERT INTO t VALUES (\'Zürich — 東京 🚆\');\nCOMMIT;\n';
		const [source] = await readMigrations(directory({'0001_a.up.sql': text}), 'sqlite');
		assert.ok(source?.up.kind === 'sql');
		assert.deepEqual(source.up.statements, ['INSERT INTO t VALUES (\'Zürich — 東京 🚆\')']);
		assert.equal(source.up.wrapperAbsorbed, true);
		assert.equal(source.up.text, text, 'the text the checksum covers keeps its byte order mark');
	});
});

describe('empty migration files', () => {
	// golang-migrate's docs allow them, and real folders keep them (a migration replaced later, a down with nothing to undo).
	for (const [name, text] of [
		['empty', ''],
		['blank', '\n\n  \t\n'],
		['comments only', '-- Replaced by 0002\n/* later; maybe */\n;\n'],
		['a wrapper around nothing', 'BEGIN;\n-- nothing yet\nCOMMIT;\n'],
	] as const) {
		test(`an up that is ${name} is a migration that does nothing; so is its empty down, which undoes it`, async () => {
			const [source] = await readMigrations(directory({'0001_a.up.sql': text, '0001_a.down.sql': text}), 'postgres');
			assert.ok(source?.up.kind === 'sql');
			assert.deepEqual(source.up.statements, []);
			assert.ok(source.down?.kind === 'sql', 'an empty down of an up that does nothing is not irreversible');
			assert.deepEqual(source.down.statements, []);
		});
	}

	test('an empty down of an up that does something makes the migration irreversible, as the tools treat it', async () => {
		const [source] = await readMigrations(directory({'0001_a.up.sql': 'CREATE TABLE a (id int);\n', '0001_a.down.sql': '-- nothing to undo\n'}), 'postgres');
		assert.ok(source?.up.kind === 'sql');
		assert.deepEqual(source.up.statements, ['CREATE TABLE a (id int)']);
		assert.equal(source.down, null);
	});

	test('a migration that does nothing applies and reverts with its log row, on SQLite and PostgreSQL', async () => {
		const dir = directory({'0001_a.up.sql': 'CREATE TABLE a (id int);\n', '0001_a.down.sql': 'DROP TABLE a;\n', '0002_replaced.up.sql': '-- Replaced by 0003\n', '0002_replaced.down.sql': '', '0003_b.up.sql': 'CREATE TABLE b (id int);\n'});
		const sqliteFile = path.join(directory({}), 'noop.db');
		const created = new BetterSqlite3(sqliteFile);
		created.exec('VACUUM');
		created.close();
		const database = await createThrowawayDatabase('cutover_noop');
		try {
			for (const target of [parseTarget(`sqlite:${sqliteFile}`), parseTarget(database.url)] as Target[]) {
				// eslint-disable-next-line no-await-in-loop -- one engine after the other
				const migrator = await openMigrator({target, directory: dir});
				try {
					// eslint-disable-next-line no-await-in-loop
					const plan = await migrator.plan();
					assert.deepEqual(plan.pending.map(m => [m.name, m.reversible]), [['0001_a', true], ['0002_replaced', true], ['0003_b', false]]);
					for (const name of ['0001_a', '0002_replaced', '0003_b']) {
						// eslint-disable-next-line no-await-in-loop
						await migrator.up(name, {runId: 'noop', appliedBy: 'test'});
					}

					// eslint-disable-next-line no-await-in-loop
					assert.deepEqual((await migrator.plan()).applied.map(m => m.name), ['0001_a', '0002_replaced', '0003_b']);
					// eslint-disable-next-line no-await-in-loop
					await migrator.down('0002_replaced', {runId: 'noop', appliedBy: 'test'});
					// eslint-disable-next-line no-await-in-loop
					assert.deepEqual((await migrator.plan()).applied.map(m => m.name), ['0001_a', '0003_b'], target.engine);
				} finally {
					// eslint-disable-next-line no-await-in-loop
					await migrator.close();
				}
			}
		} finally {
			await database.drop();
		}
	});
});

describe('morph\'s no-transaction marker', () => {
	test('-- morph:nontransactional above the first statement runs the file outside a transaction, as morph does', async () => {
		const [source] = await readMigrations(directory({'000118_create_index_poststats.up.sql': '-- morph:nontransactional\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_poststats ON poststats (day);\n'}), 'postgres');
		assert.ok(source?.up.kind === 'sql');
		assert.equal(source.up.transaction, false);
	});

	test('without it, such a statement is still refused, and the hint names morph\'s marker too', async () => {
		const error = await refusal({'000118_create_index_poststats.up.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_poststats ON poststats (day);\n'});
		assert.match(error.message, /cannot run inside a transaction block/);
		assert.match(error.hint, /morph "-- morph:nontransactional"/);
	});
});

describe('transaction control inside a migration', () => {
	const refused: Array<[string, string, number, RegExp]> = [
		['COMMIT in the middle', 'CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n', 2, /COMMIT controls the transaction/],
		['BEGIN without its COMMIT', '-- start\nBEGIN;\nCREATE TABLE a (id int);\n', 2, /BEGIN controls/],
		['COMMIT without a BEGIN', 'CREATE TABLE a (id int);\n\nCOMMIT;\n', 3, /COMMIT controls/],
		['ROLLBACK', 'CREATE TABLE a (id int);\nROLLBACK;\n', 2, /ROLLBACK controls/],
		['SAVEPOINT inside a wrapper', 'BEGIN;\nCREATE TABLE a (id int);\nSAVEPOINT before_b;\nCREATE TABLE b (id int);\nCOMMIT;\n', 3, /SAVEPOINT BEFORE_B controls/],
		['RELEASE', 'SAVEPOINT s;\nSELECT 1;\nRELEASE s;\n', 1, /SAVEPOINT S/],
		['ROLLBACK TO SAVEPOINT', 'CREATE TABLE a (id int);\n  rollback to savepoint s;\n', 2, /ROLLBACK TO SAVEPOINT S/],
		['START TRANSACTION … END', 'CREATE TABLE a (id int);\nSTART TRANSACTION;\nSELECT 1;\nEND;\n', 2, /START TRANSACTION controls/],
		['two wrappers in one file', 'BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;\n', 3, /COMMIT controls/],
		['a wrapper asking for another isolation level', 'BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;\n', 1, /BEGIN ISOLATION LEVEL SERIALIZABLE controls/],
		['SQLite BEGIN IMMEDIATE', 'BEGIN IMMEDIATE;\nSELECT 1;\nCOMMIT;\n', 1, /BEGIN IMMEDIATE controls/],
	];
	for (const [name, text, line, problem] of refused) {
		test(`${name}: refused naming the line`, async () => {
			const error = await refusal({'0007_tx.up.sql': text});
			assert.equal(error.line, line);
			assert.match(error.message, new RegExp(`0007_tx\\.up\\.sql:${line}: `));
			assert.match(error.message, problem);
			assert.match(error.hint, /one transaction/);
		});
	}

	const accepted: Array<[string, string, number]> = [
		['a PL/pgSQL body with BEGIN … END and COMMIT words', 'CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\nDO $do$ BEGIN PERFORM f(); END $do$;\n', 2],
		['a procedure that commits inside its own body', 'CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;\n', 1],
		['a SQL-standard body (BEGIN ATOMIC)', 'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n', 1],
		['a SQLite trigger body', 'CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN\n  INSERT INTO audit VALUES (new.id);\nEND;\n', 1],
		['words in strings and comments', '-- BEGIN; COMMIT;\nINSERT INTO notes VALUES (\'COMMIT; ROLLBACK;\');\n/* BEGIN */ SELECT 1;\n', 2],
		['a column named end, quoted', 'SELECT "end", "begin" FROM t;\n', 1],
	];
	for (const [name, text, statements] of accepted) {
		test(`${name}: accepted, no wrapper`, async () => {
			const [source] = await readMigrations(directory({'0001_a.up.sql': text}), 'postgres');
			assert.ok(source?.up.kind === 'sql');
			assert.equal(source.up.statements.length, statements);
			assert.equal(source.up.wrapperAbsorbed, false);
		});
	}

	test('a file wrapped whole in BEGIN; … COMMIT; is absorbed: the inner statements run, the checksum is the file\'s', async () => {
		const text = '-- golang-migrate style\nBEGIN;\n\nCREATE TABLE a (id int);\nCREATE TRIGGER a_t AFTER INSERT ON a BEGIN SELECT 1; END;\n\nCOMMIT;\n';
		const [source] = await readMigrations(directory({'0001_a.up.sql': text, '0001_a.down.sql': 'begin transaction;\nDROP TABLE a;\nend;\n'}), 'sqlite');
		assert.ok(source?.up.kind === 'sql' && source.down?.kind === 'sql');
		assert.deepEqual(source.up.statements, ['CREATE TABLE a (id int)', 'CREATE TRIGGER a_t AFTER INSERT ON a BEGIN SELECT 1; END']);
		assert.equal(source.up.wrapperAbsorbed, true);
		assert.equal(source.up.text, text);
		assert.deepEqual(source.down.statements, ['DROP TABLE a']);
		assert.equal(source.down.wrapperAbsorbed, true);
	});

	test('on SQLite, PRAGMA foreign_keys=OFF; BEGIN; … COMMIT; PRAGMA foreign_keys=ON; (the table rebuild as projects write it) is absorbed whole', async () => {
		const text = 'PRAGMA foreign_keys=OFF;\nBEGIN;\nCREATE TABLE a_new (id int);\nDROP TABLE a;\nALTER TABLE a_new RENAME TO a;\nCOMMIT;\nPRAGMA foreign_keys = on;\n';
		const [source] = await readMigrations(directory({'0001_a.up.sql': text}), 'sqlite');
		assert.ok(source?.up.kind === 'sql');
		assert.deepEqual(source.up.statements, ['CREATE TABLE a_new (id int)', 'DROP TABLE a', 'ALTER TABLE a_new RENAME TO a']);
		assert.equal(source.up.wrapperAbsorbed, true);
		// Not without the BEGIN … COMMIT inside, and not on PostgreSQL (which has no such pragma).
		const [bare] = await readMigrations(directory({'0001_a.up.sql': 'PRAGMA foreign_keys=OFF;\nCREATE TABLE b (id int);\nCOMMIT;\nPRAGMA foreign_keys=ON;\n'}), 'sqlite').catch((error: unknown) => [error]);
		assert.ok(bare instanceof Error && /COMMIT controls the transaction/.test(bare.message), String(bare));
		const postgres = await refusal({'0001_a.up.sql': text});
		assert.match(postgres.message, /BEGIN controls the transaction/);
	});

	test('START TRANSACTION; … COMMIT WORK; is a wrapper too', async () => {
		const [source] = await readMigrations(directory({'0001_a.up.sql': 'START TRANSACTION;\nSELECT 1;\nCOMMIT WORK;\n'}), 'postgres');
		assert.ok(source?.up.kind === 'sql');
		assert.deepEqual(source.up.statements, ['SELECT 1']);
	});

	test('a JS migration still loads and is left alone', async () => {
		const [source] = await readMigrations(directory({'0001_a.mjs': 'export async function up({query}) { await query(\'BEGIN\'); }\n'}), 'sqlite');
		assert.equal(source?.up.kind, 'module');
	});
});

async function targetOf(engine: Engine): Promise<{target: Target; tables(): Promise<string[]>; log(): Promise<string[]>; cleanup(): Promise<void>}> {
	if (engine === 'sqlite') {
		const dir = mkdtempSync(path.join(tmpdir(), 'cutover-wrapper-'));
		const file = path.join(dir, 'w.db');
		new BetterSqlite3(file).exec('VACUUM');
		const read = (sql: string) => {
			const db = new BetterSqlite3(file, {readonly: true});
			try {
				return (db.prepare(sql).pluck().all() as string[]);
			} finally {
				db.close();
			}
		};

		return {
			target: {engine, path: file, display: `sqlite:${file}`},
			tables: async () => read('SELECT name FROM sqlite_master WHERE type = \'table\' AND name <> \'cutover_migrations\' ORDER BY name'),
			log: async () => read('SELECT name FROM sqlite_master WHERE name = \'cutover_migrations\'').length === 0 ? [] : read('SELECT name FROM cutover_migrations ORDER BY name'),
			cleanup: async () => rmSync(dir, {recursive: true, force: true}),
		};
	}

	const db = await createThrowawayDatabase('cutover_wrapper');
	return {
		target: parseTarget(db.url),
		tables: async () => (await db.sql('SELECT tablename FROM pg_tables WHERE schemaname = \'public\' AND tablename <> \'cutover_migrations\' ORDER BY 1')).rows.map(r => String(r['tablename'])),
		log: async () => (await db.sql('SELECT to_regclass(\'cutover_migrations\') IS NOT NULL AS present')).rows[0]?.['present'] === true
			? (await db.sql('SELECT name FROM cutover_migrations ORDER BY name')).rows.map(r => String(r['name']))
			: [],
		cleanup: async () => db.drop(),
	};
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`a wrapped migration on ${engine}`, () => {
		test('runs in cutover\'s transaction with its log row, and the plan says the wrapper was absorbed', async () => {
			const fx = await targetOf(engine);
			const dir = directory({
				'0001_a.up.sql': 'BEGIN;\nCREATE TABLE a (id integer);\nCOMMIT;\n',
				'0002_b.up.sql': 'BEGIN;\nCREATE TABLE b (id integer);\nINSERT INTO no_such_table VALUES (1);\nCOMMIT;\n',
			});
			const migrator = await openMigrator({target: fx.target, directory: dir});
			try {
				const plan = await migrator.plan();
				assert.deepEqual(plan.pending.map(m => [m.name, m.wrapperAbsorbed]), [['0001_a', true], ['0002_b', true]]);
				await migrator.up('0001_a', {runId: 'r', appliedBy: 'tester'});
				assert.deepEqual(await fx.tables(), ['a']);
				assert.deepEqual(await fx.log(), ['0001_a']);
				// The wrapper's COMMIT does not run: a failure rolls the whole file back, table b included.
				await assert.rejects(migrator.up('0002_b', {runId: 'r', appliedBy: 'tester'}), /0002_b \(up\) failed at statement 2 of 2/);
				assert.deepEqual(await fx.tables(), ['a']);
				assert.deepEqual(await fx.log(), ['0001_a']);
			} finally {
				await migrator.close();
				await fx.cleanup();
			}
		});

		test('a COMMIT in the middle is refused before anything runs', async () => {
			const fx = await targetOf(engine);
			const dir = directory({'0001_a.up.sql': 'CREATE TABLE a (id integer);\nCOMMIT;\nINSERT INTO no_such_table VALUES (1);\n'});
			const migrator = await openMigrator({target: fx.target, directory: dir});
			try {
				await assert.rejects(migrator.plan(), (error: unknown) => error instanceof MigrationFileError && error.line === 2);
				await assert.rejects(migrator.up('0001_a', {runId: 'r', appliedBy: 'tester'}), MigrationFileError);
				assert.deepEqual(await fx.tables(), []);
				assert.deepEqual(await fx.log(), []);
			} finally {
				await migrator.close();
				await fx.cleanup();
			}
		});
	});
}
