import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import type {Engine} from '../../source/engine/model.js';
import {describeFolder} from '../../source/engine/folder-note.js';
import type {Migrator} from '../../source/ports/migrator.js';
import {parseTarget, type Target} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

// A team that used goose, golang-migrate or dbmate often still runs it at the application's
// start-up. When cutover applies a migration, that tool's history table must say so too, or the
// tool applies the same file again on the next start. The tables are made here as each tool
// makes them (its own DDL on each engine); the fixture folders are the formats tests' own.
const fixtureDir = (tool: string) => path.resolve('test/fixtures/formats', tool);
const context = {runId: 'run-in-step', appliedBy: 'tester@host'};

type Side = {
	target: Target;
	exec(sql: string): Promise<void>;
	rows(sql: string): Promise<Array<Record<string, unknown>>>;
	cleanup(): Promise<void>;
};

async function sqliteSide(): Promise<Side> {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-in-step-'));
	const file = path.join(dir, 'in-step.db');
	const db = new BetterSqlite3(file);
	return {
		target: {engine: 'sqlite', path: file, display: `sqlite:${file}`},
		exec: async sql => {
			db.exec(sql);
		},
		rows: async sql => db.prepare(sql).all() as Array<Record<string, unknown>>,
		async cleanup() {
			db.close();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

async function postgresSide(): Promise<Side> {
	const db = await createThrowawayDatabase('cutover_in_step');
	return {
		target: parseTarget(db.url),
		exec: async sql => {
			await db.sql(sql);
		},
		rows: async sql => (await db.sql(sql)).rows as Array<Record<string, unknown>>,
		cleanup: async () => db.drop(),
	};
}

type Tool = {
	table: string;
	ddl: Record<Engine, string>;
	/** The tool's history as it reads it: the versions it counts as applied, in order. */
	applied(side: Side): Promise<string[]>;
};

const tools: Record<'goose' | 'golang-migrate' | 'dbmate', Tool> = {
	goose: {
		table: 'goose_db_version',
		ddl: {
			postgres: 'CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL DEFAULT now()); INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)',
			sqlite: 'CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime(\'now\'))); INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1)',
		},
		async applied(side) {
			// As goose reads it: the latest row per version decides; version 0 is its own starting row.
			const rows = await side.rows('SELECT version_id, is_applied FROM goose_db_version ORDER BY id');
			const latest = new Map<string, boolean>();
			for (const row of rows) {
				latest.set(String(row['version_id']), row['is_applied'] === true || row['is_applied'] === 1);
			}

			latest.delete('0');
			return [...latest].filter(([, on]) => on).map(([version]) => version).sort((a, b) => Number(a) - Number(b));
		},
	},
	'golang-migrate': {
		table: 'schema_migrations',
		ddl: {
			postgres: 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)',
			sqlite: 'CREATE TABLE schema_migrations (version uint64, dirty bool); CREATE UNIQUE INDEX version_unique ON schema_migrations (version)',
		},
		async applied(side) {
			// One row: the version the schema is at, never dirty after cutover.
			const rows = await side.rows('SELECT version, dirty FROM schema_migrations');
			assert.ok(rows.length <= 1, `golang-migrate keeps one row, found ${rows.length}`);
			assert.ok(rows.every(r => r['dirty'] === false || r['dirty'] === 0), 'not dirty');
			return rows.map(r => String(r['version']));
		},
	},
	dbmate: {
		table: 'schema_migrations',
		ddl: {
			postgres: 'CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)',
			sqlite: 'CREATE TABLE schema_migrations (version varchar(128) primary key)',
		},
		applied: async side => (await side.rows('SELECT version FROM schema_migrations ORDER BY version')).map(r => String(r['version'])),
	},
};

const versions = (names: readonly string[]) => names.map(name => /^\d+/.exec(name)![0]);

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`another tool's history kept in step on ${engine}`, () => {
		let side: Side;
		let migrator: Migrator | null = null;
		beforeEach(async () => {
			side = await (engine === 'sqlite' ? sqliteSide() : postgresSide());
		});

		afterEach(async () => {
			await migrator?.close();
			migrator = null;
			await side.cleanup();
		});

		for (const [name, tool] of Object.entries(tools)) {
			test(`${name}: each up and down moves ${tool.table} as ${name} would`, async () => {
				await side.exec(tool.ddl[engine]);
				migrator = await openMigrator({target: side.target, directory: fixtureDir(name)});
				const plan = await migrator.plan();
				assert.deepEqual(plan.history, {tool: name, table: tool.table, kept: true});
				assert.match(describeFolder(plan) ?? '', new RegExp(`keeps ${tool.table} in step`));
				const names = plan.pending.map(m => m.name);
				// goose and golang-migrate read the digits as a number (00001 is 1); dbmate keeps them as text.
				const norm = (version: string) => name === 'dbmate' ? version : BigInt(version).toString();
				assert.ok(names.length >= 3, 'the fixture has migrations to run');

				// Up one at a time: after each, the tool counts exactly what cutover applied.
				for (const [index, migration] of names.entries()) {
					// eslint-disable-next-line no-await-in-loop -- in order
					await migrator.up(migration, context);
					// eslint-disable-next-line no-await-in-loop -- after each
					const applied = (await tool.applied(side)).map(norm);
					const expected = versions(names.slice(0, index + 1)).map(norm);
					assert.deepEqual(applied, name === 'golang-migrate' ? expected.slice(-1) : expected, `after ${migration}`);
				}

				// Down to nothing, one at a time, the same.
				for (let index = names.length - 1; index >= 0; index--) {
					// eslint-disable-next-line no-await-in-loop -- in order
					await migrator.down(names[index]!, context);
					// eslint-disable-next-line no-await-in-loop -- after each
					const applied = (await tool.applied(side)).map(norm);
					const expected = versions(names.slice(0, index)).map(norm);
					assert.deepEqual(applied, name === 'golang-migrate' ? expected.slice(-1) : expected, `after reverting ${names[index]}`);
				}
			});
		}

		test('golang-migrate left dirty at the version cutover then applies: the row says it applied, clean', async () => {
			await side.exec(tools['golang-migrate'].ddl[engine]);
			migrator = await openMigrator({target: side.target, directory: fixtureDir('golang-migrate')});
			const [first, second] = (await migrator.plan()).pending.map(m => m.name);
			await migrator.up(first!, context);
			// The application's own golang-migrate tried the second at start-up and stopped half-way; the file was fixed since.
			await side.exec(`UPDATE schema_migrations SET version = ${BigInt(/^\d+/.exec(second!)![0]).toString()}, dirty = ${engine === 'postgres' ? 'true' : '1'}`);
			await migrator.up(second!, context);
			assert.deepEqual(await tools['golang-migrate'].applied(side), [BigInt(/^\d+/.exec(second!)![0]).toString()]);
		});

		test('a no-transaction migration moves the tool\'s history in the transaction of its log row: a log row that fails leaves neither', async () => {
			await side.exec(tools.dbmate.ddl[engine]);
			migrator = await openMigrator({target: side.target, directory: fixtureDir('dbmate')});
			const [first, second] = (await migrator.plan()).pending.map(m => m.name);
			await migrator.up(first!, context);
			// The second runs outside a transaction; its log row is refused after its statements ran.
			await side.exec(engine === 'postgres'
				? `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$; CREATE TRIGGER refuse BEFORE INSERT ON cutover_migrations FOR EACH ROW WHEN (NEW.name = '${second!}') EXECUTE FUNCTION refuse()`
				: `CREATE TRIGGER refuse BEFORE INSERT ON cutover_migrations WHEN NEW.name = '${second!}' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
			await assert.rejects(migrator.up(second!, context), /refused/);
			assert.deepEqual(await tools.dbmate.applied(side), [/^\d+/.exec(first!)![0]], 'dbmate does not say applied what cutover does not');
		});

		test('flyway: its history is left as it is, and the plan says so', async () => {
			const ddl = 'CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200), type varchar(20), script varchar(1000), checksum int, installed_by varchar(100), execution_time int, success boolean)';
			await side.exec(ddl);
			migrator = await openMigrator({target: side.target, directory: fixtureDir('flyway')});
			const plan = await migrator.plan();
			assert.deepEqual(plan.history, {tool: 'flyway', table: 'flyway_schema_history', kept: false});
			assert.match(describeFolder(plan) ?? '', /flyway_schema_history is NOT updated/);
			for (const m of plan.pending) {
				// eslint-disable-next-line no-await-in-loop -- in order
				await migrator.up(m.name, context);
			}

			assert.deepEqual(await side.rows('SELECT * FROM flyway_schema_history'), []);
		});

		test('no history table of the folder\'s tool: the plan says it is absent, and nothing is made', async () => {
			// dbmate's table beside a goose folder is not goose's to keep.
			await side.exec(tools.dbmate.ddl[engine]);
			migrator = await openMigrator({target: side.target, directory: fixtureDir('goose')});
			const plan = await migrator.plan();
			// goose, run at start-up, would apply everything again: the window says so.
			assert.deepEqual(plan.history, {tool: 'goose', table: 'goose_db_version', kept: false, absent: true});
			for (const m of plan.pending) {
				// eslint-disable-next-line no-await-in-loop -- in order
				await migrator.up(m.name, context);
			}

			assert.deepEqual(await side.rows('SELECT version FROM schema_migrations'), []);
			const gooseTable = engine === 'sqlite'
				? await side.rows('SELECT name FROM sqlite_master WHERE name = \'goose_db_version\'')
				: await side.rows('SELECT tablename FROM pg_tables WHERE tablename = \'goose_db_version\'');
			assert.deepEqual(gooseTable, []);
		});
	});
}
