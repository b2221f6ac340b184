import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {openDatabase} from '../../source/adapters/open-target.js';
import type {Engine} from '../../source/engine/model.js';
import {packageRoot} from '../../source/package-root.js';
import {parseTarget} from '../../source/target.js';
import {cli, cutover, demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {adminUrl} from '../support/postgres.js';

const fixture = (name: string) => path.join(packageRoot, 'test/fixtures/round-trip', name);

/** The source as a snapshot sees it, sizes left out (the server may count a page differently after a read). */
async function shapeOf(db: string) {
	const database = await openDatabase(parseTarget(db));
	try {
		const {bytes: _bytes, tables, ...rest} = await database.snapshot();
		return {...rest, tables: tables.map(({bytes: _tableBytes, ...table}) => table)};
	} finally {
		await database.close();
	}
}

async function scratchDatabasesLeft(): Promise<string[]> {
	const client = new pg.Client({connectionString: adminUrl});
	await client.connect();
	try {
		return (await client.query<{datname: string}>(String.raw`SELECT datname FROM pg_database WHERE datname LIKE 'cutover\_rt\_%'`)).rows.map(r => r.datname);
	} finally {
		await client.end();
	}
}

/** The copy's directory, from the report's copy line (SQLite). */
const copyDirectory = (stdout: string) => path.dirname(/^copy: file (.+?), /m.exec(stdout)?.[1] ?? assert.fail(stdout));

for (const engine of ['sqlite', 'postgres'] as const satisfies readonly Engine[]) {
	describe(`test-migrations on ${engine}`, () => {
		let target: DemoTarget;
		before(async () => {
			target = await prepareDemoTarget(engine);
		});
		after(async () => {
			await target?.cleanup();
		});

		it('passes on the shipped migrations, leaves the source as it was and removes its copy', async () => {
			const before = await shapeOf(target.db);
			const run = cutover(target, ['test-migrations', '--db', target.db, '--migrations', demoMigrations, '--plain']);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			for (const name of ['0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot']) {
				assert.match(run.stdout, new RegExp(`^${name} +ok +ok +same +ok$`, 'm'));
			}

			assert.match(run.stdout, /1 applied on the source already/);
			assert.ok(run.stdout.split('\n').every(line => line.length <= 80 || line.startsWith('round trip of ')), run.stdout);
			assert.deepEqual(await shapeOf(target.db), before);
			if (engine === 'postgres') {
				assert.deepEqual(await scratchDatabasesLeft(), []);
			} else {
				assert.equal(existsSync(copyDirectory(run.stdout)), false);
			}
		});

		it('passes from an empty database, from the schema alone, and with the runbook\'s post checks on a copy of the rows, as JSON', () => {
			const checklist = path.join(packageRoot, 'checklists', engine === 'postgres' ? 'production-postgres.yaml' : 'production.yaml');
			for (const mode of ['--empty', '--schema-only', '--checklist']) {
				const run = cutover(target, ['test-migrations', '--db', target.db, '--migrations', demoMigrations, mode, ...(mode === '--checklist' ? [checklist] : []), '--json']);
				assert.equal(run.code, 0, run.stdout + run.stderr);
				const report = JSON.parse(run.stdout) as {status: string; exitCode: number; migrations: Array<{name: string; down: {status: string}; reUp: {status: string}}>; checks: Array<{id: string; verdict: string}>; failures: string[]};
				assert.equal(report.status, 'passed');
				assert.deepEqual(report.failures, []);
				assert.deepEqual(report.migrations.map(m => m.name), mode === '--empty'
					? ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot']
					: ['0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot']);
				assert.ok(report.migrations.every(m => m.down.status === 'passed' && m.reUp.status === 'passed'));
				if (mode === '--checklist') {
					assert.ok(report.checks.length > 0, 'the runbook has post checks');
					assert.ok(report.checks.some(c => c.verdict === 'passed'), JSON.stringify(report.checks));
				}
			}
		});

		it('fails on a down that leaves an index and a function (SQLite: a trigger) behind, naming them', async () => {
			const before = await shapeOf(target.db);
			const run = cutover(target, ['test-migrations', '--db', target.db, '--migrations', fixture('leaves-behind'), '--empty', '--plain']);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			const left = engine === 'postgres' ? 'index idx_report_day, function report_total\\(integer\\)' : 'index idx_report_day, trigger report.report_total_floor';
			assert.match(run.stdout, new RegExp(`^  0002_add_report_total down left behind: ${left}$`, 'm'));
			assert.match(run.stdout, /^0002_add_report_total +ok +ok +DIFFERS/m);
			assert.match(run.stdout, /^0003_report_source +ok +ok +same/m);
			assert.match(run.stdout, /^failed: \d+ failures? \(exit 1\)$/m);
			assert.deepEqual(await shapeOf(target.db), before);
			if (engine === 'postgres') {
				assert.deepEqual(await scratchDatabasesLeft(), []);
			}
		});

		it('a source that cannot be copied is exit 3 with what to do, in JSON too', () => {
			const db = engine === 'postgres' ? target.db.replace(/\/[^/]+$/, '/no_such_database_here') : `sqlite:${path.join(target.dir, 'missing.db')}`;
			const run = cutover(target, ['test-migrations', '--db', db, '--migrations', demoMigrations, '--json']);
			assert.equal(run.code, 3, run.stdout + run.stderr);
			const answer = JSON.parse(run.stdout) as {status: string; exitCode: number; hint: string};
			assert.equal(answer.status, 'could-not-run');
			assert.match(run.stderr, /→ /);
			const both = cutover(target, ['test-migrations', '--db', target.db, '--empty', '--schema-only']);
			assert.equal(both.code, 3);
			assert.match(both.stderr, /--schema-only and --empty exclude each other/);
		});
	});
}

describe('test-migrations on PostgreSQL: a default not restored, a role without CREATEDB, a SIGTERM', () => {
	let target: DemoTarget;
	before(async () => {
		target = await prepareDemoTarget('postgres');
	});
	after(async () => {
		await target?.cleanup();
	});

	it('names a column whose down restored the NOT NULL but not the default, with both definitions', () => {
		const run = cutover(target, ['test-migrations', '--db', target.db, '--migrations', fixture('changes-default'), '--empty', '--plain']);
		assert.equal(run.code, 1, run.stdout + run.stderr);
		assert.match(run.stdout, /^ {2}0002_total_default down defined otherwise: column report\.total$/m);
		assert.match(run.stdout, /^ {2}column report\.total: integer not null default 0 → integer not null default 1$/m);
	});

	it('a role that may not create databases is exit 3, saying what to do, and nothing is made', async () => {
		const role = `cutover_rt_role_${process.pid}`;
		const admin = new pg.Client({connectionString: adminUrl});
		await admin.connect();
		try {
			await admin.query(`CREATE ROLE ${role} LOGIN NOCREATEDB`);
			const url = new URL(target.db);
			url.username = role;
			const run = cutover(target, ['test-migrations', '--db', url.toString(), '--migrations', demoMigrations]);
			assert.equal(run.code, 3, run.stdout + run.stderr);
			assert.match(run.stderr, new RegExp(`the role "${role}" may not create databases`));
			assert.match(run.stderr, /→ connect as a role with CREATEDB/);
			assert.deepEqual(await scratchDatabasesLeft(), []);
		} finally {
			await admin.query(`DROP ROLE IF EXISTS ${role}`);
			await admin.end();
		}
	});

	it('drops its scratch database on SIGTERM while a migration runs, and exits 143', async () => {
		const child = spawn(process.execPath, [cli, 'test-migrations', '--db', target.db, '--migrations', fixture('slow'), '--empty', '--plain'], {stdio: ['ignore', 'pipe', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString('utf8');
		});
		const exited = new Promise<number | null>(resolve => child.once('close', resolve));
		// Ready when the migration's pg_sleep runs in the scratch database.
		const client = new pg.Client({connectionString: adminUrl});
		await client.connect();
		try {
			for (let i = 0; ; i++) {
				// eslint-disable-next-line no-await-in-loop -- polling
				const running = await client.query(String.raw`SELECT 1 FROM pg_stat_activity WHERE datname LIKE 'cutover\_rt\_%' AND query LIKE '%pg_sleep%' AND state = 'active'`);
				if (running.rowCount !== 0) {
					break;
				}

				assert.ok(i < 300, `the migration never started: ${stderr}`);
				// eslint-disable-next-line no-await-in-loop
				await sleep(100);
			}
		} finally {
			await client.end();
		}

		assert.equal((await scratchDatabasesLeft()).length, 1);
		child.kill('SIGTERM');
		assert.equal(await exited, 143, stderr);
		assert.match(stderr, /SIGTERM: removing the scratch copy/);
		assert.deepEqual(await scratchDatabasesLeft(), []);
	});
});

describe('test-migrations on the other tools\' folders (SQLite, from an empty database)', () => {
	let target: DemoTarget;
	before(async () => {
		target = await prepareDemoTarget('sqlite');
	});
	after(async () => {
		await target?.cleanup();
	});

	it('every folder with downs round-trips (maragu\'s history table, kept by cutover, left out); Prisma\'s, without downs, fails naming each migration', () => {
		for (const tool of ['golang-migrate', 'pop', 'dbmate', 'goose', 'flyway', 'maragu']) {
			const run = cutover(target, ['test-migrations', '--db', target.db, '--migrations', path.join(packageRoot, 'test/fixtures/formats', tool), '--empty', '--plain']);
			assert.equal(run.code, 0, `${tool}: ${run.stdout}${run.stderr}`);
		}

		const prisma = cutover(target, ['test-migrations', '--db', target.db, '--migrations', path.join(packageRoot, 'test/fixtures/formats/prisma'), '--empty', '--plain']);
		assert.equal(prisma.code, 1, prisma.stdout + prisma.stderr);
		assert.match(prisma.stdout, /^20240101000000_init +ok +NO DOWN/m);
		assert.match(prisma.stdout, /^ {2}20240101000000_init has no down: cannot be reverted$/m);
	});
});
