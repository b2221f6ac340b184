import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {readMigrationFolder, type MigrationFolder, type ReadOptions} from '../../source/adapters/migrator/migration-files.js';
import type {Engine} from '../../source/engine/model.js';
import {CutoverError, MigrationFileError} from '../../source/errors/index.js';

const made: string[] = [];
after(() => {
	for (const dir of made) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function directory(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-formats-detect-'));
	made.push(dir);
	for (const [name, content] of Object.entries(files)) {
		if (name.endsWith('/')) {
			mkdirSync(path.join(dir, name));
		} else {
			writeFileSync(path.join(dir, name), content);
		}
	}

	return dir;
}

const read = async (files: Record<string, string>, engine: Engine = 'postgres', options: ReadOptions = {}): Promise<MigrationFolder> => readMigrationFolder(directory(files), engine, options);
const names = (folder: MigrationFolder) => folder.sources.map(s => s.name);
const statementsOf = (folder: MigrationFolder, index: number, direction: 'up' | 'down' = 'up') => {
	const script = folder.sources[index]![direction];
	assert.ok(script?.kind === 'sql', `a SQL ${direction}`);
	return script.statements;
};

async function refused(files: Record<string, string>, options: ReadOptions = {}, engine: Engine = 'postgres'): Promise<CutoverError> {
	try {
		await read(files, engine, options);
	} catch (error) {
		assert.ok(error instanceof CutoverError, `a CutoverError, got ${String(error)}`);
		assert.ok(error.hint.length > 10, 'says what to do next');
		return error;
	}

	assert.fail('expected the folder to be refused');
}

const goose = (up: string, down = 'SELECT 1;') => `-- +goose Up\n${up}\n\n-- +goose Down\n${down}\n`;
const dbmate = (up: string, down = 'SELECT 1;') => `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;

describe('format detection', () => {
	test('each layout is told from its files', async () => {
		assert.equal((await read({'1_a.up.sql': 'SELECT 1;'})).format, 'golang-migrate');
		assert.equal((await read({'1_a.up.sql': 'SELECT 1;', '2_b.postgres.up.sql': 'SELECT 2;', '2_b.sqlite3.up.sql': 'SELECT 2;'})).format, 'pop');
		assert.equal((await read({'1_a.up.sql': 'SELECT 1;', '2_b.mysql.up.sql': 'SELECT 2;'})).format, 'pop');
		assert.equal((await read({'1_a.up.sql': 'SELECT 1;', '2_b.autocommit.up.sql': 'SELECT 2;'})).format, 'pop');
		assert.equal((await read({'20240101120000_a.sql': dbmate('SELECT 1;')})).format, 'dbmate');
		assert.equal((await read({'00001_a.sql': goose('SELECT 1;')})).format, 'goose');
		assert.equal((await read({'V1__a.sql': 'SELECT 1;'})).format, 'flyway');
		assert.equal((await read({'README.md': '# none yet'})).format, 'golang-migrate', 'an empty folder reads as cutover\'s own layout');
	});

	test('cutover\'s own engine variants stay golang-migrate, and today\'s names are the names stored', async () => {
		const folder = await read({'0001_init.up.sql': 'SELECT 1;', '0001_init.up.sqlite.sql': 'SELECT 2;', '0002_next.mjs': 'export async function up() {}\n'}, 'sqlite');
		assert.equal(folder.format, 'golang-migrate');
		assert.deepEqual(names(folder), ['0001_init', '0002_next']);
		assert.deepEqual(statementsOf(folder, 0), ['SELECT 2']);
		const demo = await readMigrationFolder(path.resolve('migrations'), 'sqlite');
		assert.deepEqual(names(demo), ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot']);
	});

	test('a folder mixing two tools is refused, naming the files and --format', async () => {
		const error = await refused({'00001_a.sql': goose('SELECT 1;'), 'V2__b.sql': 'SELECT 2;'});
		assert.match(error.message, /mixes migration formats/);
		assert.match(error.message, /goose \(00001_a\.sql\)/);
		assert.match(error.message, /flyway \(V2__b\.sql\)/);
		assert.match(error.hint, /--format/);
	});

	test('a file that two formats claim is refused until --format names one', async () => {
		const both = {'00001_a.sql': '-- +goose Up\n-- migrate:up\nSELECT 1;\n'};
		const error = await refused(both);
		assert.match(error.message, /more than one format: dbmate, goose|more than one format: goose, dbmate/);
		assert.match(error.hint, /--format (goose|dbmate)/);
		assert.equal((await read(both, 'postgres', {format: 'goose'})).format, 'goose');
	});

	test('--format names the layout, and files that do not fit it are refused by name', async () => {
		const error = await refused({'00001_a.sql': goose('SELECT 1;'), '00002_b.sql': goose('SELECT 2;')}, {format: 'flyway'});
		assert.match(error.message, /00001_a\.sql, 00002_b\.sql are not flyway migrations/);
		const goose1 = await refused({'00001_a.sql': goose('SELECT 1;'), '00002_b.sql': 'SELECT 2;'});
		assert.match(goose1.message, /00002_b\.sql is not a migration file name/);
	});

	test('a .sql file no tool names so is refused, since skipping it would skip a migration', async () => {
		const error = await refused({'0001_a.up.sql': 'SELECT 1;', 'schema.sql': 'CREATE TABLE t (id int);'});
		assert.match(error.message, /schema\.sql is not a migration file name/);
	});

	test('files that are no migration are ignored and named: atlas.sum, README.md, .keep, a folder', async () => {
		const folder = await read({'0001_a.up.sql': 'SELECT 1;', 'atlas.sum': 'h1:x', 'README.md': '#', '.keep': '', '.gitkeep': '', 'notes.txt': 'x', 'seeds/': '', 'helper.sh': 'echo'});
		assert.deepEqual(names(folder), ['0001_a']);
		assert.deepEqual(folder.ignored, ['.gitkeep', '.keep', 'README.md', 'atlas.sum', 'helper.sh', 'notes.txt', 'seeds/']);
	});

	test('Flyway repeatable migrations are refused, saying why', async () => {
		const error = await refused({'V1__a.sql': 'SELECT 1;', 'R__views.sql': 'CREATE VIEW v AS SELECT 1;'});
		assert.match(error.message, /R__views\.sql is a Flyway repeatable migration \(R__\), which cutover does not run/);
	});

	test('one dotted name alone does not make a folder pop: it reads two ways, and the operator names the format', async () => {
		const files = {'0001_a.up.sql': 'CREATE TABLE a (x int);', '0002_seed.sqlite.up.sql': 'INSERT INTO a VALUES (1);'};
		const error = await refused(files);
		assert.match(error.message, /0002_seed\.sqlite\.up\.sql reads two ways: as pop, for one engine only \(skipped on the others\); as golang-migrate, a migration whose title has a dot in it, run on every engine/);
		assert.match(error.hint, /--format pop, or --format golang-migrate/);
		const asPop = await read(files, 'postgres', {format: 'pop'});
		assert.deepEqual([names(asPop), asPop.skipped?.map(s => s.name)], [['0001_a'], ['0002_seed']]);
		const asGolang = await read(files, 'postgres', {format: 'golang-migrate'});
		assert.deepEqual(names(asGolang), ['0001_a', '0002_seed.sqlite']);
	});

	test('goose Go migrations take their place in the order, as code only goose runs; pop fizz migrations are refused, not skipped', async () => {
		const folder = await read({'00001_a.sql': goose('SELECT 1;'), '00002_b.go': 'package migrations', '00003_c.sql': goose('SELECT 3;')});
		assert.deepEqual(names(folder), ['00001_a', '00002_b', '00003_c']);
		const go = folder.sources[1]!;
		assert.equal(go.up.kind, 'external');
		assert.equal(go.down, null, 'only goose can run its down either');
		assert.equal(go.checksum, createHash('sha256').update('package migrations').digest('hex'));
		assert.deepEqual(folder.ignored, []);
		// goose skips a Go test file beside its migrations; so does cutover.
		const tested = await read({'00001_a.sql': goose('SELECT 1;'), '00002_b.go': 'package migrations', '00002_b_test.go': 'package migrations'});
		assert.deepEqual([names(tested), tested.ignored], [['00001_a', '00002_b'], ['00002_b_test.go']]);
		assert.match((await refused({'1_a.postgres.up.sql': 'SELECT 1;', '2_b.up.fizz': 'create_table("t")'})).message, /2_b\.up\.fizz: fizz migrations are not supported/);
		assert.deepEqual((await read({'1_a.up.sql': 'SELECT 1;', '2_b.go': 'package x'})).ignored, ['2_b.go'], 'in a golang-migrate folder a .go file is no migration');
	});
});

describe('ordering by version', () => {
	test('golang-migrate: any number of digits, ordered as numbers, 14-digit timestamps too', async () => {
		const folder = await read({'10_c.up.sql': 'SELECT 10;', '1_init.up.sql': 'SELECT 1;', '0002_b.up.sql': 'SELECT 2;', '20240101120000_d.up.sql': 'SELECT 4;'});
		assert.deepEqual(names(folder), ['1_init', '0002_b', '10_c', '20240101120000_d']);
	});

	test('golang-migrate pairs a down with the up of its version though their titles differ (a typo), as the tool does', async () => {
		const folder = await read({'20240813211251_passkey_flags..up.sql': 'SELECT 1;', '20240813211251_passkey_flags.down.sql': 'SELECT -1;', '20240901000000_b.up.sql': 'SELECT 2;'});
		assert.deepEqual(names(folder), ['20240813211251_passkey_flags.', '20240901000000_b']);
		assert.match(folder.sources[0]!.down?.file ?? '', /20240813211251_passkey_flags\.down\.sql$/);
		// Not when the version has an up with a down already, or two ups: those stay refused.
		assert.match((await refused({'0001_a.up.sql': 'SELECT 1;', '0001_a.down.sql': 'SELECT -1;', '0001_b.down.sql': 'SELECT -2;'})).message, /0001_b\.down\.sql has no up migration|share the version/);
	});

	test('two migrations with one version are refused', async () => {
		assert.match((await refused({'1_a.up.sql': 'SELECT 1;', '01_b.up.sql': 'SELECT 2;'})).message, /01_b and 1_a share the version 1|1_a and 01_b share the version 1/);
		assert.match((await refused({'V1__a.sql': 'SELECT 1;', 'V1.0__b.sql': 'SELECT 2;'})).message, /V1.0__b\.sql and V1__a\.sql are both the up of migration 1|V1__a\.sql and V1\.0__b\.sql are both the up of migration 1/);
	});

	test('maragu.dev/migrate: whole names as versions in string order, .up.sql and _up.sql alike', async () => {
		const folder = await read({'0188.up.sql': 'SELECT 3;', '0000_b_up.sql': 'SELECT 2;', '0000_a.up.sql': 'SELECT 1;', '0000_a.down.sql': 'SELECT -1;', '0188_x_down.sql': 'SELECT -4;', '0188_x.up.sql': 'SELECT 4;'});
		assert.equal(folder.format, 'maragu');
		assert.deepEqual(names(folder), ['0000_a', '0000_b', '0188', '0188_x']);
		assert.deepEqual(folder.sources.map(s => s.down !== null), [true, false, false, true]);
		// A golang-migrate folder whose versions repeat is refused, and the hint names the format that orders by name.
		const repeated = await refused({'0000_a.up.sql': 'SELECT 1;', '0000_b.up.sql': 'SELECT 2;'});
		assert.match(repeated.message, /0000_a and 0000_b share the version 0/);
		assert.match(repeated.hint ?? '', /--format maragu/);
		assert.deepEqual(names(await read({'0000_a.up.sql': 'SELECT 1;', '0000_b.up.sql': 'SELECT 2;'}, 'postgres', {format: 'maragu'})), ['0000_a', '0000_b']);
		// One misnamed file in an unpadded golang-migrate folder does not turn it into maragu's string order (10_col before 2_seed).
		const misnamed = await refused({'1_init.up.sql': 'SELECT 1;', '2_seed.up.sql': 'SELECT 2;', '10_col.up.sql': 'SELECT 3;', '11_index_up.sql': 'SELECT 4;'});
		assert.match(misnamed.message, /11_index_up\.sql is not a migration file name/);
		// A down whose up is spelt differently (a typo a real folder had) is refused, saying what to rename.
		const stray = await refused({'0026_drop_job_id.up.sql': 'SELECT 1;', '0026_drop_join_id.down.sql': 'SELECT 2;', '0027.up.sql': 'SELECT 3;'});
		assert.match(stray.message, /0026_drop_join_id\.down\.sql has no up migration/);
		assert.match(stray.hint ?? '', /spelt differently, rename it/);
	});

	test('a folder of folders and no migration (the one above postgres/ and sqlite/) is refused, not read as nothing to run', async () => {
		const error = await refused({'postgres/': '', 'sqlite/': '', 'migrate.go': 'package migrate'});
		assert.match(error.message, /holds no migration, only folders: postgres\/, sqlite\//);
		assert.match(error.hint ?? '', /point --migrations at the folder that holds the migration files \(for example .*postgres\)/);
	});

	test('Flyway: dotted and underscored versions, 1.10 after 1.9, U files as downs', async () => {
		const folder = await read({
			'V1.10__ten.sql': 'SELECT 110;',
			'V1.9__nine.sql': 'SELECT 19;',
			'V1_2__two.sql': 'SELECT 12;',
			'V1.2.3__add_status.sql': 'SELECT 123;',
			'V2__two.sql': 'SELECT 2;',
			'U1.9__undo_nine.sql': 'SELECT -19;',
		});
		assert.deepEqual(names(folder), ['V1_2__two', 'V1.2.3__add_status', 'V1.9__nine', 'V1.10__ten', 'V2__two']);
		assert.deepEqual(statementsOf(folder, 2, 'down'), ['SELECT -19']);
		assert.equal(folder.sources[3]!.down, null, 'no U file: irreversible');
	});

	test('Flyway: a script\'s .sql.conf with executeInTransaction=false makes it no-transaction; other settings are refused', async () => {
		const folder = await read({'V1__a.sql': 'SELECT 1;', 'V2__idx.sql': 'CREATE INDEX CONCURRENTLY i ON t (c);', 'V2__idx.sql.conf': '# built online\nexecuteInTransaction=false\n', 'flyway.conf': 'flyway.url=jdbc:x'});
		assert.deepEqual(folder.sources.map(s => s.up.transaction), [true, false]);
		assert.deepEqual(folder.ignored, ['flyway.conf']);
		const error = await refused({'V1__a.sql': 'SELECT 1;', 'V1__a.sql.conf': 'shouldExecute=false\n'});
		assert.match(error.message, /V1__a\.sql\.conf, line 1: "shouldExecute=false" is a Flyway script setting cutover does not apply/);
	});

	test('Flyway: a script holding CREATE INDEX CONCURRENTLY runs outside a transaction without a .sql.conf, as Flyway runs it; its checksum is the file\'s', async () => {
		const text = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS events_at ON events (at);\nDROP INDEX CONCURRENTLY IF EXISTS events_old;\n';
		const folder = await read({'V1__a.sql': 'CREATE TABLE events (at int);', 'V47__add_event_indexes.sql': text});
		assert.deepEqual(folder.sources.map(s => s.up.transaction), [true, false]);
		assert.deepEqual(statementsOf(folder, 1), ['CREATE INDEX CONCURRENTLY IF NOT EXISTS events_at ON events (at)', 'DROP INDEX CONCURRENTLY IF EXISTS events_old']);
		// Other formats still ask for their marker.
		assert.match((await refused({'0001_idx.up.sql': text})).message, /cannot run inside a transaction block/);
	});

	test('Flyway: a placeholder Flyway would replace is refused with its line, not run as text; other formats read ${…} as SQL', async () => {
		const error = await refused({'V1__p.sql': 'CREATE TABLE p (\n  owner text DEFAULT \'${flyway:user}\'\n);\n'});
		assert.match(error.message, /V1__p\.sql:2: \$\{flyway:user\} is a Flyway placeholder: Flyway replaces it with a value before the script runs, cutover does not/);
		assert.deepEqual(statementsOf(await read({'0001_p.up.sql': 'SELECT \'${x}\';'}), 0), ['SELECT \'${x}\'']);
	});

	test('goose and dbmate: sequential and timestamped versions together, as numbers', async () => {
		const gooseFolder = await read({'20240101120000_late.sql': goose('SELECT 3;'), '00002_b.sql': goose('SELECT 2;'), '00001_a.sql': goose('SELECT 1;')});
		assert.deepEqual(names(gooseFolder), ['00001_a', '00002_b', '20240101120000_late']);
		const dbmateFolder = await read({'10_b.sql': dbmate('SELECT 10;'), '9_a.sql': dbmate('SELECT 9;')});
		assert.deepEqual(names(dbmateFolder), ['9_a', '10_b']);
	});
});

describe('engine variants', () => {
	test('a migration only another engine has is skipped on this one, not refused', async () => {
		const files = {'0001_a.up.sql': 'SELECT 1;', '0002_pg.up.postgres.sql': 'SELECT 2;', '0002_pg.down.postgres.sql': 'SELECT -2;'};
		const onSqlite = await read(files, 'sqlite');
		assert.deepEqual(names(onSqlite), ['0001_a']);
		assert.deepEqual(onSqlite.skipped, [{name: '0002_pg', engines: ['postgres']}]);
		assert.deepEqual(names(await read(files, 'postgres')), ['0001_a', '0002_pg']);
	});

	test('pop: dialects mapped (sqlite3 and sqlite are SQLite), mysql and cockroach skipped', async () => {
		const files = {
			'1_a.postgres.up.sql': 'SELECT \'pg\';',
			'1_a.sqlite3.up.sql': 'SELECT \'lite\';',
			'1_a.mysql.up.sql': 'SELECT \'my\';',
			'2_b.mysql.up.sql': 'SELECT 2;',
			'2_b.cockroach.up.sql': 'SELECT 2;',
			'3_c.sqlite.up.sql': 'SELECT 3;',
			'3_c.up.sql': 'SELECT 33;',
		};
		const onSqlite = await read(files, 'sqlite');
		assert.equal(onSqlite.format, 'pop');
		assert.deepEqual(names(onSqlite), ['1_a', '3_c']);
		assert.deepEqual(statementsOf(onSqlite, 0), ['SELECT \'lite\'']);
		assert.deepEqual(statementsOf(onSqlite, 1), ['SELECT 3']);
		assert.deepEqual(onSqlite.skipped, [{name: '2_b', engines: ['cockroach', 'mysql']}]);
		const onPostgres = await read(files, 'postgres');
		assert.deepEqual(statementsOf(onPostgres, 0), ['SELECT \'pg\'']);
		assert.deepEqual(statementsOf(onPostgres, 1), ['SELECT 33']);
	});

	test('pop: .autocommit runs outside a transaction; an empty file does nothing; an empty down cannot revert an up that does something', async () => {
		const folder = await read({
			'1_idx.postgres.autocommit.up.sql': 'CREATE INDEX CONCURRENTLY i ON t (c);',
			'1_idx.postgres.autocommit.down.sql': 'DROP INDEX CONCURRENTLY i;',
			'2_noop.postgres.up.sql': '',
			'2_noop.postgres.down.sql': '',
			'3_generic.autocommit.up.sql': 'SELECT 3;',
			'4_table.up.sql': 'CREATE TABLE t4 (id int);',
			'4_table.down.sql': '',
		});
		const [idx, noop, generic, table] = folder.sources;
		assert.equal(idx!.up.transaction, false);
		assert.equal(idx!.down?.transaction, false);
		assert.ok(noop!.up.kind === 'sql' && noop!.up.statements.length === 0, 'an empty up is a migration that does nothing');
		assert.ok(noop!.down?.kind === 'sql' && noop!.down.statements.length === 0, 'its empty down undoes nothing, and so undoes it');
		assert.equal(generic!.up.transaction, false);
		assert.equal(table!.down, null, 'an empty down of an up that creates a table makes it irreversible');
	});

	test('names with dots, dashes and spaces, where the tool allows them', async () => {
		assert.deepEqual(names(await read({'3_add status.v2-final.up.sql': 'SELECT 1;'})), ['3_add status.v2-final']);
		assert.deepEqual(names(await read({'20240101_add status.sql': dbmate('SELECT 1;')})), ['20240101_add status']);
		assert.deepEqual(names(await read({'V1.1__Add new-table.sql': 'SELECT 1;'})), ['V1.1__Add new-table']);
	});
});

describe('goose files', () => {
	const fn = 'CREATE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n  NEW.at := now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;';
	test('a StatementBegin … StatementEnd block is one statement, not split at its semicolons', async () => {
		const block = 'INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);';
		const text = `-- +goose Up\nCREATE TABLE t (id int);\n-- +goose StatementBegin\n${fn}\n-- +goose StatementEnd\n-- +goose StatementBegin\n${block}\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE t;\n`;
		const onPostgres = await read({'00001_a.sql': text}, 'postgres');
		assert.deepEqual(statementsOf(onPostgres, 0), ['CREATE TABLE t (id int)', fn.slice(0, -1), block]);
		assert.deepEqual(statementsOf(onPostgres, 0, 'down'), ['DROP TABLE t']);
		assert.equal(onPostgres.sources[0]!.up.transaction, true);
		// SQLite prepares one statement at a time: the block's statements run one by one.
		const onSqlite = await read({'00001_a.sql': text}, 'sqlite');
		assert.deepEqual(statementsOf(onSqlite, 0).slice(2), ['INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (2)']);
	});

	test('NO TRANSACTION applies to the up and the down', async () => {
		const folder = await read({'00001_a.sql': `-- +goose NO TRANSACTION\n${goose('CREATE INDEX CONCURRENTLY i ON t (c);', 'DROP INDEX CONCURRENTLY i;')}`});
		assert.equal(folder.sources[0]!.up.transaction, false);
		assert.equal(folder.sources[0]!.down?.transaction, false);
	});

	test('a file goose would refuse is refused with its line', async () => {
		for (const [text, problem, line] of [
			['-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n', /never ended/, 2],
			['-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n', /StatementEnd without a StatementBegin/, 3],
			['SELECT 0;\n-- +goose Up\nSELECT 1;\n', /above its -- \+goose Up/, 1],
			['-- +goose Up\n-- +goose ENVSUB ON\nSELECT \'${X}\';\n', /does not substitute environment variables/, 2],
		] as const) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const error = await refused({'00001_a.sql': text});
			assert.ok(error instanceof MigrationFileError, String(error));
			assert.match(error.message, problem);
			assert.equal(error.line, line);
		}
	});

	test('a goose file without a Down cannot be reverted', async () => {
		assert.equal((await read({'00001_a.sql': '-- +goose Up\nSELECT 1;\n'})).sources[0]!.down, null);
	});
});

describe('dbmate files', () => {
	test('transaction:false marks its own section only', async () => {
		const folder = await read({'1_a.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (c);\n\n-- migrate:down\nDROP INDEX i;\n'});
		assert.equal(folder.sources[0]!.up.transaction, false);
		assert.equal(folder.sources[0]!.down?.transaction, true);
		assert.deepEqual(statementsOf(folder, 0), ['CREATE INDEX CONCURRENTLY i ON t (c)']);
	});

	test('an empty down section cannot revert; SQL outside the sections and unknown options are refused', async () => {
		assert.equal((await read({'1_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n'})).sources[0]!.down, null);
		assert.match((await refused({'1_a.sql': 'SELECT 0;\n-- migrate:up\nSELECT 1;\n'})).message, /SQL above its first -- migrate: line/);
		assert.match((await refused({'1_a.sql': '-- migrate:up transaction:maybe\nSELECT 1;\n'})).message, /option cutover does not know/);
	});

	test('a marker counts only at the start of its line, as dbmate reads it: an indented one is refused, naming its line', async () => {
		const text = '-- migrate:up\nALTER TABLE cities\n    ADD CONSTRAINT unique_city UNIQUE (name)\n    -- migrate:down\n    DROP CONSTRAINT IF EXISTS unique_city;\n';
		const error = await refused({'20211026205335_create_cities.sql': text});
		assert.match(error.message, /20211026205335_create_cities\.sql:4: "-- migrate:down" is indented: dbmate reads a marker only at the start of its line/);
		const folder = await read({'1_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down  \nSELECT 2;\n'});
		assert.deepEqual([statementsOf(folder, 0), folder.sources[0]!.down?.kind], [['SELECT 1'], 'sql'], 'trailing blanks after a marker are fine');
	});

	test('the checksum covers the whole file, the down section too', async () => {
		const a = await read({'1_a.sql': dbmate('SELECT 1;', 'SELECT -1;')});
		const b = await read({'1_a.sql': dbmate('SELECT 1;', 'SELECT -2;')});
		assert.notEqual(a.sources[0]!.checksum, b.sources[0]!.checksum);
	});
});
