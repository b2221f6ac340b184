import {createHash} from 'node:crypto';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {demoDuplicateIds, demoSeedSql} from '../../source/demo/seed.js';
import type {Engine} from '../../source/engine/model.js';
import {CutoverError, IrreversibleMigrationError, MigrationError} from '../../source/errors/index.js';
import type {Migrator} from '../../source/ports/migrator.js';
import {parseTarget, type Target} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const demoDir = path.resolve('migrations');
const demoNames = ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot'];
const context = {runId: 'run-0001', appliedBy: 'tester@host'};

type Row = Record<string, unknown>;

/** A fresh empty database of one engine, and a side door to it for seeding and asserting. */
type Fixture = {
	target: Target;
	/** Runs a script (several statements allowed) outside the migrator. */
	exec(sql: string): Promise<void>;
	rows(sql: string): Promise<Row[]>;
	tables(): Promise<string[]>;
	indexes(): Promise<string[]>;
	cleanup(): Promise<void>;
};

async function sqliteFixture(): Promise<Fixture> {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-migrator-'));
	const file = path.join(dir, 'test.db');
	const db = new BetterSqlite3(file);
	// A valid database with no table: a 0-byte file is refused as not a database.
	db.exec('VACUUM');
	return {
		target: {engine: 'sqlite', path: file, display: `sqlite:${file}`},
		async exec(sql) {
			db.exec(sql);
		},
		async rows(sql) {
			return db.prepare(sql).all() as Row[];
		},
		async tables() {
			return (db.prepare('SELECT name FROM sqlite_master WHERE type = \'table\' ORDER BY name').all() as Array<{name: string}>).map(r => r.name);
		},
		async indexes() {
			return (db.prepare('SELECT name FROM sqlite_master WHERE type = \'index\' AND name NOT LIKE \'sqlite_%\' ORDER BY name').all() as Array<{name: string}>).map(r => r.name);
		},
		async cleanup() {
			db.close();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

async function postgresFixture(): Promise<Fixture> {
	const db = await createThrowawayDatabase('cutover_migrator');
	return {
		target: parseTarget(db.url),
		async exec(sql) {
			await db.sql(sql);
		},
		async rows(sql) {
			return (await db.sql(sql)).rows as Row[];
		},
		async tables() {
			return ((await db.sql('SELECT tablename AS name FROM pg_tables WHERE schemaname = \'public\' ORDER BY tablename')).rows as Array<{name: string}>).map(r => r.name);
		},
		async indexes() {
			return ((await db.sql('SELECT indexname AS name FROM pg_indexes WHERE schemaname = \'public\' AND indexname NOT LIKE \'%_pkey\' ORDER BY indexname')).rows as Array<{name: string}>).map(r => r.name);
		},
		cleanup: async () => db.drop(),
	};
}

const fixtures: Record<Engine, () => Promise<Fixture>> = {sqlite: sqliteFixture, postgres: postgresFixture};

function tempMigrations(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-migrations-'));
	for (const [name, text] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), text);
	}

	return dir;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a failed call threw, for assertions on its fields. */
async function thrown(work: Promise<unknown>): Promise<unknown> {
	try {
		await work;
	} catch (error) {
		return error;
	}

	assert.fail('expected the call to throw');
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`migrator on ${engine}`, () => {
		let fx: Fixture;
		const open: Migrator[] = [];
		const dirs: string[] = [];
		const migrator = async (directory = demoDir) => {
			const m = await openMigrator({target: fx.target, directory});
			open.push(m);
			return m;
		};

		const temp = (files: Record<string, string>) => {
			const dir = tempMigrations(files);
			dirs.push(dir);
			return dir;
		};

		beforeEach(async () => {
			fx = await fixtures[engine]();
		});

		afterEach(async () => {
			for (const m of open.splice(0)) {
				// eslint-disable-next-line no-await-in-loop -- in order, one at a time
				await m.close();
			}

			for (const dir of dirs.splice(0)) {
				rmSync(dir, {recursive: true, force: true});
			}

			await fx.cleanup();
		});

		test('plan on a fresh database: all four pending, nothing applied, no table created', async () => {
			const m = await migrator();
			const plan = await m.plan();
			assert.deepEqual(plan.applied, []);
			assert.deepEqual(plan.pending.map(p => p.name), demoNames);
			assert.ok(plan.pending.every(p => p.reversible));
			const statusUp = engine === 'sqlite' ? '0002_users_status.up.sqlite.sql' : '0002_users_status.up.sql';
			assert.equal(plan.pending[1]?.checksum, sha256(readFileSync(path.join(demoDir, statusUp), 'utf8')));
			assert.equal(plan.pending[0]?.checksum, sha256(readFileSync(path.join(demoDir, '0001_create_users_and_meters.up.sql'), 'utf8')));
			assert.deepEqual(await fx.tables(), []);
		});

		test('the demo migrations on seeded data, all the way up and all the way down', async () => {
			const m = await migrator();
			await m.up(demoNames[0]!, context);
			await fx.exec(demoSeedSql);
			assert.equal((await fx.rows('SELECT count(*) AS n FROM meters'))[0]?.['n'], engine === 'sqlite' ? 40 : '40');
			for (const name of demoNames.slice(1)) {
				// eslint-disable-next-line no-await-in-loop -- in order, one at a time
				await m.up(name, {runId: 'run-0002', appliedBy: 'second@host'});
			}

			// Duplicates moved, not lost: exactly the expected ids, 36 left, no key repeated.
			const archived = await fx.rows('SELECT id FROM meters_archive ORDER BY id');
			assert.deepEqual(archived.map(r => Number(r['id'])), demoDuplicateIds);
			assert.equal(Number((await fx.rows('SELECT count(*) AS n FROM meters'))[0]?.['n']), 36);
			assert.equal(Number((await fx.rows('SELECT count(*) AS n FROM meters WHERE id IN (' + demoDuplicateIds.join(', ') + ')'))[0]?.['n']), 0);
			assert.deepEqual(await fx.indexes(), ['meters_unit_kind_slot_key', 'users_status_idx']);
			await assert.rejects(fx.exec('INSERT INTO meters (id, unit_id, kind, slot) VALUES (100, 1, \'water\', 1)'), /unique/i);
			await assert.rejects(fx.exec('INSERT INTO users (id, email, role, status) VALUES (100, \'x@example.com\', \'member\', NULL)'), /not.null/i);
			assert.deepEqual((await fx.rows('SELECT DISTINCT status FROM users')).map(r => r['status']), ['active']);

			const log = await fx.rows('SELECT name, checksum, applied_at, applied_by, run_id FROM cutover_migrations ORDER BY name');
			const plan = await m.plan();
			assert.deepEqual(log.map(r => r['name']), demoNames);
			assert.deepEqual(log.map(r => r['run_id']), ['run-0001', 'run-0002', 'run-0002', 'run-0002']);
			assert.deepEqual(log.map(r => r['applied_by']), ['tester@host', 'second@host', 'second@host', 'second@host']);
			assert.ok(log.every(r => r['applied_at'] !== null));
			assert.deepEqual(plan.pending, []);
			assert.deepEqual(plan.applied.map(a => [a.name, a.drift, a.reversible]), demoNames.map(n => [n, 'none', true]));
			assert.deepEqual(plan.applied.map(a => a.checksum), log.map(r => r['checksum']));
			assert.ok(plan.applied.every(a => /^\d{4}-\d\d-\d\dT.*Z$/.test(a.appliedAt)), 'appliedAt is an ISO timestamp');

			await m.down(demoNames[3]!, context);
			await fx.exec('INSERT INTO meters (id, unit_id, kind, slot) VALUES (100, 1, \'water\', 1)');
			await fx.exec('DELETE FROM meters WHERE id = 100');
			await m.down(demoNames[2]!, context);
			assert.deepEqual((await fx.rows('SELECT id FROM meters ORDER BY id')).map(r => Number(r['id'])), Array.from({length: 40}, (_, i) => i + 1));
			await m.down(demoNames[1]!, context);
			await m.down(demoNames[0]!, context);
			assert.deepEqual(await fx.tables(), ['cutover_migrations']);
			assert.deepEqual(await fx.rows('SELECT name FROM cutover_migrations'), []);
			assert.deepEqual((await m.plan()).pending.map(p => p.name), demoNames);
		});

		test('a failing migration leaves the database as it was and names the statement', async () => {
			const dir = temp({
				'0001_first.up.sql': 'CREATE TABLE first (x integer);\nINSERT INTO first VALUES (1);',
				'0002_broken.up.sql': 'CREATE TABLE second (x integer);\nINSERT INTO first VALUES (2);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE third (x integer);',
			});
			const m = await migrator(dir);
			await m.up('0001_first', context);
			const error = await thrown(m.up('0002_broken', context));
			assert.ok(error instanceof MigrationError, String(error));
			assert.equal(error.migration, '0002_broken');
			assert.equal(error.direction, 'up');
			assert.equal(error.statement, 'INSERT INTO no_such_table VALUES (1)');
			assert.match(error.message, /statement 3 of 4 in 0002_broken\.up\.sql/);
			assert.match(error.message, /no_such_table/);
			assert.match(error.hint, /rolled back/);

			assert.deepEqual(await fx.tables(), ['cutover_migrations', 'first']);
			assert.deepEqual((await fx.rows('SELECT x FROM first')).map(r => r['x']), [1]);
			const plan = await m.plan();
			assert.deepEqual(plan.applied.map(a => a.name), ['0001_first']);
			assert.deepEqual(plan.pending.map(p => p.name), ['0002_broken']);
		});

		test('a failing down rolls back and leaves the migration logged', async () => {
			const dir = temp({
				'0001_pair.up.sql': 'CREATE TABLE left_side (x integer);\nCREATE TABLE right_side (x integer);',
				'0001_pair.down.sql': 'DROP TABLE right_side;\nDROP TABLE not_there;\nDROP TABLE left_side;',
			});
			const m = await migrator(dir);
			await m.up('0001_pair', context);
			const error = await thrown(m.down('0001_pair', context));
			assert.ok(error instanceof MigrationError, String(error));
			assert.equal(error.direction, 'down');
			assert.equal(error.statement, 'DROP TABLE not_there');
			assert.match(error.message, /statement 2 of 3 in 0001_pair\.down\.sql/);
			assert.deepEqual(await fx.tables(), ['cutover_migrations', 'left_side', 'right_side']);
			assert.deepEqual((await m.plan()).applied.map(a => a.name), ['0001_pair']);
		});

		test('a first migration that fails leaves no trace, not even the log table', async () => {
			const dir = temp({'0001_broken.up.sql': 'CREATE TABLE t (x integer);\nSELECT * FROM missing;'});
			const m = await migrator(dir);
			const error = await thrown(m.up('0001_broken', context));
			assert.ok(error instanceof MigrationError);
			assert.equal(error.statement, 'SELECT * FROM missing');
			assert.deepEqual(await fx.tables(), []);
		});

		test('down of a migration without a down is IrreversibleMigrationError and it stays logged', async () => {
			const dir = temp({'0001_one_way.up.sql': 'CREATE TABLE kept (x integer);'});
			const m = await migrator(dir);
			assert.equal((await m.plan()).pending[0]?.reversible, false);
			await m.up('0001_one_way', context);
			const error = await thrown(m.down('0001_one_way', context));
			assert.ok(error instanceof IrreversibleMigrationError, String(error));
			assert.equal(error.migration, '0001_one_way');
			const plan = await m.plan();
			assert.deepEqual(plan.applied.map(a => [a.name, a.reversible]), [['0001_one_way', false]]);
			assert.deepEqual(await fx.tables(), ['cutover_migrations', 'kept']);
		});

		test('drift: an edited migration is changed, a deleted one is missing', async () => {
			const dir = temp({
				'0001_a.up.sql': 'CREATE TABLE a (x integer);',
				'0001_a.down.sql': 'DROP TABLE a;',
				'0002_b.up.sql': 'CREATE TABLE b (x integer);',
			});
			const m = await migrator(dir);
			await m.up('0001_a', context);
			await m.up('0002_b', context);
			const applied = (await m.plan()).applied;
			assert.equal(applied[0]?.checksum, sha256('CREATE TABLE a (x integer);'));
			assert.deepEqual(applied.map(a => a.drift), ['none', 'none']);

			writeFileSync(path.join(dir, '0001_a.up.sql'), 'CREATE TABLE a (x integer, y integer);');
			unlinkSync(path.join(dir, '0002_b.up.sql'));
			const plan = await m.plan();
			assert.deepEqual(plan.applied.map(a => [a.name, a.drift]), [['0001_a', 'changed'], ['0002_b', 'missing']]);
			assert.equal(plan.applied[0]?.checksum, sha256('CREATE TABLE a (x integer);'), 'the applied checksum is the one recorded');
			assert.deepEqual(plan.pending, []);
		});

		test('a file edited after the plan is refused before it runs; a touch is not; what runs is what was planned', async () => {
			const dir = temp({
				'0001_a.up.sql': 'CREATE TABLE a (x integer);',
				'0001_a.down.sql': 'DROP TABLE a;',
				'0002_b.up.sql': 'CREATE TABLE b (x integer);',
			});
			const m = await migrator(dir);
			const planned = await m.plan();
			// Same length, so only the content (and mtime) tells the edit apart.
			writeFileSync(path.join(dir, '0001_a.up.sql'), 'CREATE TABLE z (x integer);');
			const error = await thrown(m.up('0001_a', context));
			assert.ok(error instanceof MigrationError && /0001_a\.up\.sql was changed after the plan was made/.test(error.message), String(error));
			assert.match(error.hint, /cutover resume/);
			assert.deepEqual((await fx.tables()).filter(t => t !== 'cutover_migrations'), [], 'nothing ran');

			// Put back as planned, with a new mtime: it runs, with the plan's checksum.
			writeFileSync(path.join(dir, '0001_a.up.sql'), 'CREATE TABLE a (x integer);');
			utimesSync(path.join(dir, '0002_b.up.sql'), new Date(), new Date(Date.now() + 5000));
			await m.up('0001_a', context);
			await m.up('0002_b', context);
			assert.deepEqual((await m.plan()).applied.map(a => a.checksum), planned.pending.map(p => p.checksum));

			// A down edited after the plan is refused too, and the migration stays applied.
			writeFileSync(path.join(dir, '0001_a.down.sql'), 'DROP TABLE a; -- edited');
			await assert.rejects(m.down('0001_a', context), (e: unknown) => e instanceof MigrationError && /0001_a\.down\.sql was changed after the plan/.test(e.message));
			assert.ok((await fx.tables()).includes('a'));

			// A file added after the plan is not in it.
			writeFileSync(path.join(dir, '0003_c.up.sql'), 'CREATE TABLE c (x integer);');
			await assert.rejects(m.up('0003_c', context), (e: unknown) => e instanceof MigrationError && /no migration 0003_c .* as it was read for the plan/.test(e.message));
			// …until the next plan reads the folder again.
			assert.deepEqual((await m.plan()).pending.map(p => p.name), ['0003_c']);
			await m.up('0003_c', context);
		});

		test('up of an applied migration and down of a pending one are refused', async () => {
			const dir = temp({'0001_a.up.sql': 'CREATE TABLE a (x integer);', '0001_a.down.sql': 'DROP TABLE a;', '0002_b.up.sql': 'CREATE TABLE b (x integer);'});
			const m = await migrator(dir);
			await m.up('0001_a', context);
			await assert.rejects(m.up('0001_a', context), (e: unknown) => e instanceof MigrationError && /already applied/.test(e.message));
			await assert.rejects(m.down('0002_b', context), (e: unknown) => e instanceof MigrationError && /not applied/.test(e.message));
			await assert.rejects(m.up('0009_nope', context), (e: unknown) => e instanceof MigrationError && /no migration 0009_nope/.test(e.message));
		});

		test('once the log table is known, a row written behind the migrator\'s back is judged before COMMIT: the up or down that would succeed is refused and rolled back', async () => {
			const dir = temp({'0001_a.up.sql': 'CREATE TABLE a (x integer);', '0001_a.down.sql': 'DROP TABLE a;', '0002_b.up.sql': 'CREATE TABLE b (x integer);\nINSERT INTO b VALUES (1);'});
			const m = await migrator(dir);
			await m.up('0001_a', context);
			// Another tool (or operator) recorded 0002 without running it: its statements would run cleanly here.
			const stamp = engine === 'postgres' ? 'now()' : '\'2026-12-02T00:00:00.000Z\'';
			await fx.exec(`INSERT INTO cutover_migrations (name, checksum, applied_at, applied_by, run_id) VALUES ('0002_b', 'x', ${stamp}, 'other@host', 'run-other')`);
			await assert.rejects(m.up('0002_b', context), (e: unknown) => e instanceof MigrationError && e.migration === '0002_b' && /0002_b is already applied \(by other@host/.test(e.message));
			assert.ok(!(await fx.tables()).includes('b'), 'the up\'s statements were rolled back');

			// 0001's row removed behind its back: its down would drop a table that is there.
			await fx.exec('DELETE FROM cutover_migrations WHERE name = \'0001_a\'');
			await assert.rejects(m.down('0001_a', context), (e: unknown) => e instanceof MigrationError && /0001_a is not applied, there is nothing to revert/.test(e.message));
			assert.ok((await fx.tables()).includes('a'), 'the down\'s statements were rolled back');
			assert.deepEqual((await fx.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => r['name']), ['0002_b']);
		});

		test('a record that cannot be synced before the migration stops it before any of its statements reach the database, not after they ran', {skip: engine === 'sqlite' ? 'SQLite syncs before BEGIN; the statements travel with it only on PostgreSQL' : false}, async () => {
			const dir = temp({'0001_a.up.sql': 'CREATE SEQUENCE s;', '0002_b.up.sql': 'CREATE TABLE b (x integer);\nSELECT nextval(\'s\');'});
			const m = await migrator(dir);
			await m.up('0001_a', context);
			const full = new Error('the record could not be written: no space left on device');
			await assert.rejects(m.up('0002_b', {...context, beforeEffect() {
				throw full;
			}}), (e: unknown) => e instanceof MigrationError && e.message.includes(full.message));
			// A sequence draws outside any transaction: had the statements run, the rollback would have left it drawn.
			assert.equal((await fx.rows('SELECT is_called FROM s'))[0]?.['is_called'], false);
			assert.ok(!(await fx.tables()).includes('b'));
			assert.deepEqual((await fx.rows('SELECT name FROM cutover_migrations')).map(r => r['name']), ['0001_a']);
		});

		test('a name with a quote and a backslash: applied, its log row found by the guard, reverted', async () => {
			const name = String.raw`0002_it's a \ b`;
			const dir = temp({'0001_a.up.sql': 'CREATE TABLE a (x integer);', [`${name}.up.sql`]: 'CREATE TABLE q (x integer);', [`${name}.down.sql`]: 'DROP TABLE q;'});
			if (engine === 'postgres') {
				// Where a backslash in '' is an escape, a literal must still read as the name.
				const database = (await fx.rows('SELECT current_database() AS d'))[0]?.['d'];
				await fx.exec(`ALTER DATABASE "${String(database)}" SET standard_conforming_strings = off`);
			}

			const m = await migrator(dir);
			// The first migration makes the log table known, so the second takes the folded path.
			await m.up('0001_a', context);
			await m.up(name, context);
			assert.deepEqual((await fx.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => r['name']), ['0001_a', name]);
			await assert.rejects(m.up(name, context), (e: unknown) => e instanceof MigrationError && e.migration === name && /already applied/.test(e.message));
			await m.down(name, context);
			await assert.rejects(m.down(name, context), (e: unknown) => e instanceof MigrationError && /not applied/.test(e.message));
			assert.deepEqual((await fx.rows('SELECT name FROM cutover_migrations')).map(r => r['name']), ['0001_a']);
			assert.ok(!(await fx.tables()).includes('q'));
		});

		test('a migration failing at COMMIT (a deferred foreign key) is a MigrationError naming it, rolled back with its log row', async () => {
			const dir = temp({
				'0001_a.up.sql': 'CREATE TABLE parent (id integer PRIMARY KEY);',
				'0002_orphan.up.sql': 'CREATE TABLE child (p integer REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO child (p) VALUES (7);',
			});
			const m = await migrator(dir);
			await m.up('0001_a', context);
			const error = await thrown(m.up('0002_orphan', context));
			// PostgreSQL refuses it at COMMIT; SQLite, run with enforcement off, finds the orphan in its key check before COMMIT.
			const said = engine === 'sqlite' ? /0002_orphan \(up\) leaves 1 more row whose foreign key points nowhere than before it ran \(child row 1 → parent\); rolled back/ : /0002_orphan \(up\) failed in 0002_orphan\.up\.sql/;
			assert.ok(error instanceof MigrationError && error.migration === '0002_orphan' && error.statement === null && said.test(error.message), String(error));
			assert.ok(!(await fx.tables()).includes('child'));
			assert.deepEqual((await fx.rows('SELECT name FROM cutover_migrations')).map(r => r['name']), ['0001_a']);
			// The session is usable after: the next transaction is a fresh one.
			assert.deepEqual((await m.plan()).pending.map(p => p.name), ['0002_orphan']);
		});

		if (engine === 'sqlite') {
			test('SQLite: a parent rebuilt the documented way keeps its children; a migration that orphans rows is rolled back, naming them', async () => {
				const dir = temp({
					'0001_a.up.sql': 'CREATE TABLE parent (id integer PRIMARY KEY, name text);\nCREATE TABLE child (id integer PRIMARY KEY, p integer REFERENCES parent (id) ON DELETE CASCADE);\nINSERT INTO parent VALUES (1, \'one\'), (2, \'two\');\nINSERT INTO child VALUES (10, 1), (20, 2);',
					// Make the new table, copy, drop the old, rename: with enforcement on, the DROP would cascade to child.
					'0002_rebuild.up.sql': 'CREATE TABLE parent_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT \'\');\nINSERT INTO parent_new SELECT id, coalesce(name, \'\') FROM parent;\nDROP TABLE parent;\nALTER TABLE parent_new RENAME TO parent;',
					'0003_orphans.up.sql': 'DELETE FROM parent WHERE id = 2;',
					'0004_known.up.sql': 'UPDATE child SET p = p WHERE id = 30;',
					// The rebuilt child has no integer key: its rows get new rowids (copied in reverse), the orphan's too.
					'0005_rebuild_child.up.sql': 'CREATE TABLE child_new (key text PRIMARY KEY, id integer, p integer REFERENCES parent (id) ON DELETE CASCADE);\nINSERT INTO child_new SELECT \'k\' || id, id, p FROM child ORDER BY id DESC;\nDROP TABLE child;\nALTER TABLE child_new RENAME TO child;',
					'0006_prune.mjs': 'export async function up({query}) { await query(\'DELETE FROM parent WHERE id = 1\'); }',
				});
				const m = await migrator(dir);
				await m.up('0001_a', context);
				await m.up('0002_rebuild', context);
				assert.deepEqual((await fx.rows('SELECT id, p FROM child ORDER BY id')).map(r => [r['id'], r['p']]), [[10, 1], [20, 2]], 'the children are all there');

				const error = await thrown(m.up('0003_orphans', context));
				assert.ok(error instanceof MigrationError && /0003_orphans \(up\) leaves 1 more row whose foreign key points nowhere than before it ran \(child row 20 → parent\)/.test(error.message), String(error));
				assert.match(error.hint, /enforcement off/);
				assert.equal((await fx.rows('SELECT count(*) AS n FROM parent'))[0]?.['n'], 2, 'rolled back');
				assert.deepEqual((await m.plan()).applied.map(a => a.name), ['0001_a', '0002_rebuild']);

				// An orphan that was there before the migration is not the migration's doing: it applies,
				// also when the child is rebuilt and the orphan comes back under a new rowid.
				await fx.exec('PRAGMA foreign_keys = OFF; INSERT INTO child VALUES (30, 99);');
				await m.up('0004_known', context);
				await m.up('0005_rebuild_child', context);
				assert.deepEqual((await m.plan()).applied.map(a => a.name), ['0001_a', '0002_rebuild', '0004_known', '0005_rebuild_child']);

				// A module migration keeps enforcement on: its DELETE cascades to the children as before.
				await m.up('0006_prune', context);
				assert.deepEqual((await fx.rows('SELECT id FROM child ORDER BY id')).map(r => r['id']), [20, 30]);
			});
		}

		if (engine === 'postgres') {
			test('two migrators racing for one migration: one applies it, the other is refused', async () => {
				const dir = temp({'0001_slow.up.sql': 'CREATE TABLE raced (x integer);\nSELECT pg_sleep(0.2);'});
				const [a, b] = [await migrator(dir), await migrator(dir)];
				const outcomes = await Promise.allSettled([a.up('0001_slow', context), b.up('0001_slow', {runId: 'run-other', appliedBy: 'other@host'})]);
				assert.deepEqual(outcomes.map(o => o.status).sort(), ['fulfilled', 'rejected']);
				const refused = outcomes.find(o => o.status === 'rejected');
				assert.ok(refused?.status === 'rejected' && refused.reason instanceof MigrationError && /already applied/.test(refused.reason.message), String(refused));
				assert.equal((await fx.rows('SELECT count(*) AS n FROM cutover_migrations'))[0]?.['n'], '1');
			});

			test('two migrators that both know the log table racing for one migration: one applies it, the other is refused', async () => {
				const dir = temp({'0001_a.up.sql': 'CREATE TABLE a (x integer);', '0002_b.up.sql': 'CREATE TABLE b (x integer);', '0003_slow.up.sql': 'CREATE TABLE raced (x integer);\nSELECT pg_sleep(0.2);'});
				const [a, b] = [await migrator(dir), await migrator(dir)];
				// Each has committed a migration, so each looks for the row in the message that opens the transaction.
				await a.up('0001_a', context);
				await b.up('0002_b', context);
				const outcomes = await Promise.allSettled([a.up('0003_slow', context), b.up('0003_slow', {runId: 'run-other', appliedBy: 'other@host'})]);
				assert.deepEqual(outcomes.map(o => o.status).sort(), ['fulfilled', 'rejected']);
				const refused = outcomes.find(o => o.status === 'rejected');
				assert.ok(refused?.status === 'rejected' && refused.reason instanceof MigrationError && /already applied/.test(refused.reason.message), String(refused));
				assert.equal((await fx.rows('SELECT count(*) AS n FROM cutover_migrations WHERE name = \'0003_slow\''))[0]?.['n'], '1');
			});
		}

		test('JS module migrations run their queries inside the transaction', async () => {
			const dir = temp({
				'0001_module.mjs': 'export async function up({query, engine}) {\n\tawait query("CREATE TABLE made_by_module (engine text)");\n\tawait query("INSERT INTO made_by_module VALUES (\'" + engine + "\')");\n}\nexport async function down({query}) {\n\tawait query("DROP TABLE made_by_module");\n}\n',
				'0002_module_fails.mjs': 'export async function up({query}) {\n\tawait query("CREATE TABLE half (x integer)");\n\tawait query("INSERT INTO nowhere VALUES (1)");\n}\n',
			});
			const m = await migrator(dir);
			const plan = await m.plan();
			assert.deepEqual(plan.pending.map(p => [p.name, p.reversible]), [['0001_module', true], ['0002_module_fails', false]]);
			await m.up('0001_module', context);
			assert.deepEqual(await fx.rows('SELECT engine FROM made_by_module'), [{engine}]);
			const error = await thrown(m.up('0002_module_fails', context));
			assert.ok(error instanceof MigrationError);
			assert.equal(error.statement, 'INSERT INTO nowhere VALUES (1)');
			assert.deepEqual(await fx.tables(), ['cutover_migrations', 'made_by_module']);
			await m.down('0001_module', context);
			assert.deepEqual(await fx.tables(), ['cutover_migrations']);
		});

		test('a CommonJS .js module migration loads too', async () => {
			const dir = temp({'0001_cjs.js': 'module.exports = {\n\tasync up({query}) {\n\t\tawait query("CREATE TABLE from_cjs (x integer)");\n\t},\n};\n'});
			const m = await migrator(dir);
			assert.deepEqual((await m.plan()).pending.map(p => [p.name, p.reversible]), [['0001_cjs', false]]);
			await m.up('0001_cjs', context);
			assert.deepEqual(await fx.tables(), ['cutover_migrations', 'from_cjs']);
		});

		test('no umzug.json is written, wherever the process stands', async () => {
			const cwd = process.cwd();
			const scratch = mkdtempSync(path.join(tmpdir(), 'cutover-cwd-'));
			dirs.push(scratch);
			const dir = temp({'0001_a.up.sql': 'CREATE TABLE a (x integer);', '0001_a.down.sql': 'DROP TABLE a;'});
			process.chdir(scratch);
			try {
				const m = await migrator(dir);
				await m.plan();
				await m.up('0001_a', context);
				await m.down('0001_a', context);
				await assert.rejects(m.down('0001_a', context));
			} finally {
				process.chdir(cwd);
			}

			assert.deepEqual(readdirSync(scratch), []);
			assert.deepEqual(readdirSync(dir).sort(), ['0001_a.down.sql', '0001_a.up.sql']);
			assert.equal(existsSync(path.join(cwd, 'umzug.json')), false);
		});
	});
}

describe('migration directory errors', () => {
	let fx: Fixture;
	const dirs: string[] = [];
	beforeEach(async () => {
		fx = await sqliteFixture();
	});

	afterEach(async () => {
		for (const dir of dirs.splice(0)) {
			rmSync(dir, {recursive: true, force: true});
		}

		await fx.cleanup();
	});

	const planOf = async (files: Record<string, string>) => {
		const dir = tempMigrations(files);
		dirs.push(dir);
		const m = await openMigrator({target: fx.target, directory: dir});
		try {
			return await m.plan();
		} finally {
			await m.close();
		}
	};

	const cases: Array<{name: string; files: Record<string, string>; message: RegExp}> = [
		{name: 'a bad file name', files: {'0001_a.up.sql': 'SELECT 1;', '0002_b.up.sqlite3.sql': 'SELECT 1;'}, message: /0002_b\.up\.sqlite3\.sql is not a migration file name/},
		{name: 'no number', files: {'add_users.up.sql': 'SELECT 1;'}, message: /add_users\.up\.sql is not a migration file name/},
		{name: 'a down without an up', files: {'0001_a.up.sql': 'SELECT 1;', '0002_b.down.sql': 'SELECT 1;'}, message: /0002_b\.down\.sql has no up migration/},
		{name: 'two migrations with one number', files: {'0001_a.up.sql': 'SELECT 1;', '0001_b.up.sql': 'SELECT 1;'}, message: /0001_a and 0001_b share the version 1/},
		{name: 'a module and SQL files for one name', files: {'0001_a.up.sql': 'SELECT 1;', '0001_a.mjs': 'export async function up() {}'}, message: /0001_a\.mjs and 0001_a\.up\.sql are both migration 0001_a/},
		{name: 'a module without up', files: {'0001_a.mjs': 'export const x = 1;'}, message: /0001_a\.mjs does not export an up function/},
	];

	for (const {name, files, message} of cases) {
		test(name, async () => {
			await assert.rejects(planOf(files), (e: unknown) => e instanceof CutoverError && message.test(e.message));
		});
	}

	test('a TypeScript module without a loader says so', async () => {
		const error = await thrown(planOf({'0001_a.ts': 'export async function up(ctx: unknown): Promise<void> {}'}));
		assert.ok(error instanceof MigrationError, String(error));
		assert.match(error.message, /cannot load migration module .*0001_a\.ts/);
		assert.match(error.hint, /TypeScript loader/);
	});

	test('an up only for the other engine is skipped on this one, and said so', async () => {
		const plan = await planOf({'0001_a.up.sql': 'SELECT 1;', '0002_b.up.postgres.sql': 'SELECT 1;'});
		assert.deepEqual(plan.pending.map(p => p.name), ['0001_a']);
		assert.deepEqual(plan.skipped, [{name: '0002_b', engines: ['postgres']}]);
	});

	test('notes and dotfiles beside the migrations are ignored', async () => {
		const plan = await planOf({'0001_a.up.sql': 'SELECT 1;', 'README.md': '# notes', '.gitkeep': ''});
		assert.deepEqual(plan.pending.map(p => p.name), ['0001_a']);
		assert.deepEqual(plan.ignored, ['.gitkeep', 'README.md']);
	});

	test('an engine variant wins over the generic file for its engine only', async () => {
		const plan = await planOf({'0001_a.up.sql': 'SELECT 1;', '0001_a.up.sqlite.sql': 'SELECT 2;', '0001_a.down.postgres.sql': 'SELECT 3;'});
		assert.deepEqual(plan.pending, [{name: '0001_a', checksum: sha256('SELECT 2;'), reversible: false}]);
	});
});
