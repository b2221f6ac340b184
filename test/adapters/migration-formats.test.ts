import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {readMigrationFolder} from '../../source/adapters/migrator/migration-files.js';
import type {Engine, MigrationPlan} from '../../source/engine/model.js';
import type {Migrator} from '../../source/ports/migrator.js';
import {parseTarget, type Target} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

// Each tool's fixture folder (test/fixtures/formats/<tool>/) builds the same schema: accounts
// (id, email, status) with the index accounts_email, and audit_log holding two rows.
const fixtureDir = (tool: string) => path.resolve('test/fixtures/formats', tool);
const context = {runId: 'run-formats', appliedBy: 'tester@host'};

type Expected = {
	names: Record<Engine, string[]>;
	ignored: string[];
	skipped: Record<Engine, string[]>;
	/** Migrations whose up runs outside a transaction, by the format's own marker. */
	noTransaction: string[];
};

const formats: Record<string, Expected> = {
	'golang-migrate': {
		names: {
			sqlite: ['1_init', '2_accounts_email', '10_audit', '20240105120000_add-status.v2'],
			postgres: ['1_init', '2_accounts_email', '10_audit', '20240105120000_add-status.v2', '20240106000000_describe_accounts'],
		},
		ignored: ['.keep', 'README.md'],
		skipped: {sqlite: ['20240106000000_describe_accounts'], postgres: []},
		noTransaction: [],
	},
	pop: {
		names: {
			sqlite: ['20240101000000000000_init', '20240101000000000001_accounts_email', '20240101000000000002_audit', '20240101000000000003_add_status'],
			postgres: ['20240101000000000000_init', '20240101000000000001_accounts_email', '20240101000000000002_audit', '20240101000000000003_add_status'],
		},
		ignored: ['README.md'],
		skipped: {sqlite: ['20240101000000000004_accounts_engine'], postgres: ['20240101000000000004_accounts_engine']},
		noTransaction: ['20240101000000000003_add_status'],
	},
	dbmate: {
		names: {
			sqlite: ['20240101120000_init', '20240101120100_accounts_email', '20240101120200_audit', '20240101120300_add status'],
			postgres: ['20240101120000_init', '20240101120100_accounts_email', '20240101120200_audit', '20240101120300_add status'],
		},
		ignored: ['.gitkeep'],
		skipped: {sqlite: [], postgres: []},
		noTransaction: ['20240101120100_accounts_email'],
	},
	goose: {
		names: {
			sqlite: ['00001_init', '00002_accounts_email', '00003_audit', '20240101120000_add_status'],
			postgres: ['00001_init', '00002_accounts_email', '00003_audit', '20240101120000_add_status'],
		},
		ignored: ['README.md'],
		skipped: {sqlite: [], postgres: []},
		noTransaction: ['00002_accounts_email'],
	},
	maragu: {
		names: {
			sqlite: ['0000_history_note', '0000_init', '0001_accounts_email', '0002', '0002_add-status'],
			postgres: ['0000_history_note', '0000_init', '0001_accounts_email', '0002', '0002_add-status'],
		},
		ignored: ['README.md'],
		skipped: {sqlite: [], postgres: []},
		noTransaction: [],
	},
	flyway: {
		names: {
			sqlite: ['V1__init', 'V1.2__accounts_email', 'V1.9__audit', 'V1_10__add_status'],
			postgres: ['V1__init', 'V1.2__accounts_email', 'V1.9__audit', 'V1_10__add_status'],
		},
		ignored: ['atlas.sum'],
		skipped: {sqlite: [], postgres: []},
		noTransaction: [],
	},
};

type Side = {
	target: Target;
	tables(): Promise<string[]>;
	columns(table: string): Promise<string[]>;
	indexes(): Promise<string[]>;
	count(table: string): Promise<number>;
	/** maragu.dev/migrate's one-row history, or null when the table is not there. */
	toolVersion(): Promise<string | null>;
	cleanup(): Promise<void>;
};

async function sqliteSide(): Promise<Side> {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-formats-'));
	const file = path.join(dir, 'formats.db');
	const db = new BetterSqlite3(file);
	db.exec('VACUUM');
	const names = (sql: string) => (db.prepare(sql).all() as Array<{name: string}>).map(r => r.name);
	return {
		target: {engine: 'sqlite', path: file, display: `sqlite:${file}`},
		tables: async () => names('SELECT name FROM sqlite_master WHERE type = \'table\' ORDER BY name'),
		columns: async table => names(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`),
		indexes: async () => names('SELECT name FROM sqlite_master WHERE type = \'index\' AND name NOT LIKE \'sqlite_%\' ORDER BY name'),
		count: async table => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {n: number}).n,
		toolVersion: async () => names('SELECT name FROM sqlite_master WHERE name = \'migrations\'').length === 0 ? null : (db.prepare('SELECT group_concat(version, \',\') AS v FROM migrations').get() as {v: string}).v,
		async cleanup() {
			db.close();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

async function postgresSide(): Promise<Side> {
	const db = await createThrowawayDatabase('cutover_i9_formats');
	const names = async (sql: string) => ((await db.sql(sql)).rows as Array<{name: string}>).map(r => r.name);
	return {
		target: parseTarget(db.url),
		tables: async () => names('SELECT tablename AS name FROM pg_tables WHERE schemaname = \'public\' ORDER BY tablename'),
		columns: async table => names(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' ORDER BY ordinal_position`),
		indexes: async () => names('SELECT indexname AS name FROM pg_indexes WHERE schemaname = \'public\' AND indexname NOT LIKE \'%_pkey\' ORDER BY indexname'),
		count: async table => Number(((await db.sql(`SELECT count(*) AS n FROM ${table}`)).rows[0] as {n: string}).n),
		toolVersion: async () => (await names('SELECT tablename AS name FROM pg_tables WHERE tablename = \'migrations\'')).length === 0 ? null : ((await db.sql('SELECT string_agg(version, \',\') AS v FROM migrations')).rows[0] as {v: string}).v,
		cleanup: async () => db.drop(),
	};
}

const sides: Record<Engine, () => Promise<Side>> = {sqlite: sqliteSide, postgres: postgresSide};

async function upAll(migrator: Migrator): Promise<MigrationPlan> {
	const plan = await migrator.plan();
	for (const m of plan.pending) {
		// eslint-disable-next-line no-await-in-loop -- in order, one at a time
		await migrator.up(m.name, context);
	}

	return plan;
}

async function downAll(migrator: Migrator): Promise<void> {
	const {applied} = await migrator.plan();
	for (const m of applied.toReversed()) {
		// eslint-disable-next-line no-await-in-loop -- in order, one at a time
		await migrator.down(m.name, context);
	}
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`migration formats on ${engine}, through the migrator`, () => {
		let side: Side;
		let migrator: Migrator | null = null;
		beforeEach(async () => {
			side = await sides[engine]();
		});

		afterEach(async () => {
			await migrator?.close();
			migrator = null;
			await side.cleanup();
		});

		for (const [format, expected] of Object.entries(formats)) {
			test(`${format}: plan, up all, post, down all, up again`, async () => {
				const directory = fixtureDir(format);
				// maragu.dev/migrate's own history table is the tool's, kept in step (see tool-history.ts).
				const theirs = (tables: string[]) => tables.filter(t => t !== 'cutover_migrations' && !(format === 'maragu' && t === 'migrations'));
				migrator = await openMigrator({target: side.target, directory});

				// Plan: the format, the order, what was ignored and what this engine skips.
				const plan = await migrator.plan();
				assert.equal(plan.format, format);
				assert.deepEqual(plan.pending.map(m => m.name), expected.names[engine]);
				assert.deepEqual(plan.ignored, expected.ignored);
				assert.deepEqual(plan.skipped?.map(s => s.name), expected.skipped[engine]);
				assert.ok(plan.pending.every(m => m.reversible), 'every fixture migration has a down');
				const folder = await readMigrationFolder(directory, engine);
				assert.deepEqual(folder.sources.filter(s => !s.up.transaction).map(s => s.name), expected.noTransaction);

				// Up all, then the schema they build.
				await upAll(migrator);
				const after = await migrator.plan();
				assert.deepEqual(after.applied.map(m => m.name), expected.names[engine]);
				assert.deepEqual(after.pending, []);
				assert.ok(after.applied.every(m => m.drift === 'none'));
				assert.deepEqual(theirs(await side.tables()), ['accounts', 'audit_log']);
				assert.equal(await side.toolVersion(), format === 'maragu' ? expected.names[engine].at(-1) : null, 'the tool\'s history says what cutover applied');
				assert.deepEqual(await side.columns('accounts'), ['id', 'email', 'status']);
				assert.deepEqual(await side.indexes(), ['accounts_email']);
				assert.equal(await side.count('audit_log'), 2);

				// Down all: nothing of theirs is left.
				await downAll(migrator);
				assert.deepEqual(theirs(await side.tables()), []);
				assert.equal(await side.toolVersion(), format === 'maragu' ? '' : null, 'down all: the tool is back at no version');
				assert.deepEqual((await migrator.plan()).applied, []);

				// Up again: the downs left a database the ups apply to as the first time.
				await upAll(migrator);
				assert.deepEqual((await migrator.plan()).applied.map(m => m.name), expected.names[engine]);
				assert.deepEqual(await side.columns('accounts'), ['id', 'email', 'status']);
				assert.equal(await side.count('audit_log'), 2);
			});
		}
	});
}
