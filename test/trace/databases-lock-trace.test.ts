// The lock trace in a run over several databases (checklists/dual-db-split.yaml), on real
// PostgreSQL: each PostgreSQL database traced on a copy of its own schema, its result in its own
// part of the record before its upgrade; a SQLite database not traced; --no-trace honoured; a
// resume after a stop before the downtime traces what the record does not hold, one after it says
// why it does not; no copy left.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import type {LockTraceReport} from '../../source/engine/lock-trace.js';
import {packageRoot} from '../../source/package-root.js';
import {parseTarget} from '../../source/target.js';
import {cutoverAsync, latestRecord} from '../support/cutover-async.js';
import {cli, cliEnv, type DemoTarget} from '../support/demo-targets.js';
import {adminUrl, createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

const runbook = path.join(packageRoot, 'checklists/dual-db-split.yaml');
const folders = {users: path.join(packageRoot, 'migrations/split/users'), pool: path.join(packageRoot, 'migrations/split/pool')};

type Wrapped = {type: string; database?: string; event?: {type: string} & Record<string, unknown>} & Record<string, unknown>;

/** One database's events, unwrapped, each with its place in the whole record. */
const perDatabase = (events: Wrapped[], name: string) => events.flatMap((e, index) => e.type === 'database.event' && e.database === name ? [{index, event: e.event!}] : []);
const at = (list: ReturnType<typeof perDatabase>, type: string) => list.find(e => e.event.type === type)?.index ?? -1;
const kinds = (list: ReturnType<typeof perDatabase>) => list.map(e => e.event.type);

async function firstMigration(url: string, folder: string, name: string) {
	const migrator = await openMigrator({target: parseTarget(url), directory: folder});
	try {
		await migrator.up(name, {runId: 'split-setup', appliedBy: 'test setup'});
	} finally {
		await migrator.close();
	}
}

/** The copies this server still holds of the processes that made the given ones (by the pid in their names: other tests may trace meanwhile). */
async function copiesLeft(scratches: readonly string[]): Promise<string[]> {
	const pids = [...new Set(scratches.map(s => /cutover_lt_(\d+)_\d+/.exec(s)?.[1] ?? assert.fail(s)))];
	const admin = new pg.Client({connectionString: adminUrl});
	await admin.connect();
	try {
		return (await admin.query<{datname: string}>('SELECT datname FROM pg_database WHERE datname LIKE ANY($1)', [pids.map(pid => `cutover\\_lt\\_${pid}\\_%`)])).rows.map(r => r.datname);
	} finally {
		await admin.end();
	}
}

type Setup = {users: ThrowawayDatabase; pool: ThrowawayDatabase | null; dir: string; scratch: DemoTarget; poolTarget: string; poolName: string};

async function prepare(pool: 'postgres' | 'sqlite'): Promise<Setup> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-split-trace-'));
	const users = await createThrowawayDatabase('cutover_trace_users');
	await firstMigration(users.url, folders.users, '0001_create_accounts');
	await users.sql(`INSERT INTO accounts (id, email, role) VALUES (1, 'ada@example.com', 'admin')`);
	if (pool === 'sqlite') {
		const file = path.join(dir, 'pool.db');
		new BetterSqlite3(file).exec('VACUUM').close();
		return {users, pool: null, dir, scratch: {dir} as DemoTarget, poolTarget: `sqlite:${file}`, poolName: 'pool'};
	}

	const database = await createThrowawayDatabase('cutover_trace_pool');
	await firstMigration(database.url, folders.pool, '0001_create_units');
	await database.sql(`INSERT INTO units (id, name) VALUES (1, 'north'); INSERT INTO pool_slots (id, unit_id, slot) VALUES (1, 1, 1), (2, 1, 2)`);
	return {users, pool: database, dir, scratch: {dir} as DemoTarget, poolTarget: database.url, poolName: database.name};
}

const dirs = (setup: Setup) => ['--records', path.join(setup.dir, 'records'), '--backups', path.join(setup.dir, 'backups')];
const confirm = (setup: Setup) => ['--plain', '--yes', '--confirm-db', setup.users.name, '--confirm-db', setup.poolName];
const runArgs = (setup: Setup, checklist = runbook, ...extra: string[]) => ['run', '--checklist', checklist, '--db', `users=${setup.users.url}`, '--db', `pool=${setup.poolTarget}`, ...dirs(setup), ...confirm(setup), ...extra];

const traceOf = (list: ReturnType<typeof perDatabase>) => list.find(e => e.event.type === 'lock-impact.traced')?.event as unknown as {report: LockTraceReport; left: string | null} | undefined;

describe('the lock trace in a run over several databases, on real PostgreSQL', () => {
	let setup: Setup | null = null;
	afterEach(async () => {
		await setup?.users.drop();
		await setup?.pool?.drop();
		if (setup !== null) {
			rmSync(setup.dir, {recursive: true, force: true});
		}

		setup = null;
	});

	it('traces each PostgreSQL database on its own copy, each result in its own part of the record before its upgrade, and drops both copies', async () => {
		setup = await prepare('postgres');
		const run = await cutoverAsync(setup.scratch, runArgs(setup));
		assert.equal(run.code, 0, run.stdout + run.stderr);
		const all = latestRecord(setup.scratch).events as Wrapped[];
		const scratchNames: string[] = [];
		for (const [name, migration, lock, relation] of [['users', '0002_accounts_status', 'AccessExclusiveLock', 'accounts'], ['pool', '0002_unique_unit_slot', 'ShareLock', 'pool_slots']] as const) {
			const own = perDatabase(all, name);
			const trace = traceOf(own) ?? assert.fail(`${name}: ${kinds(own).join(' ')}`);
			// Its own migrations, measured on a copy of its own schema.
			assert.deepEqual(trace.report.migrations.map(m => m.name), [migration]);
			const statement = trace.report.migrations[0]!.statements[0]!;
			assert.equal(statement.status, 'traced');
			assert.deepEqual(statement.judged.map(l => [l.relation, l.mode]), [[relation, lock]]);
			assert.equal(trace.left, null);
			scratchNames.push(/cutover_lt_\d+_\d+/.exec(trace.report.scratch)?.[0] ?? assert.fail(trace.report.scratch));
			// Started before its window, in the record before its backup and its upgrade.
			assert.ok(at(own, 'lock-impact.started') < at(own, 'window.planned'), kinds(own).join(' '));
			assert.ok(at(own, 'lock-impact.traced') < at(own, 'backup.started'), kinds(own).join(' '));
			assert.ok(at(own, 'lock-impact.traced') < at(own, 'upgrade.started'), kinds(own).join(' '));
		}

		// Two copies side by side, never one name for both; and the run's own lines name the database.
		assert.notEqual(scratchNames[0], scratchNames[1]);
		assert.match(run.stdout, /\[users\] locks measured on a copy: /);
		assert.match(run.stdout, /\[pool\] locks measured on a copy: /);
		assert.ok(!all.some(e => e.type.startsWith('lock-impact.')), 'a trace event outside its database');
		assert.deepEqual(await copiesLeft(scratchNames), []);
	});

	it('does not trace a SQLite database of the run, and --no-trace traces none', async () => {
		setup = await prepare('sqlite');
		const mixed = await cutoverAsync(setup.scratch, runArgs(setup));
		assert.equal(mixed.code, 0, mixed.stdout + mixed.stderr);
		const all = latestRecord(setup.scratch).events as Wrapped[];
		assert.ok(traceOf(perDatabase(all, 'users')) !== undefined, kinds(perDatabase(all, 'users')).join(' '));
		assert.ok(!kinds(perDatabase(all, 'pool')).some(k => k.startsWith('lock-impact.')), kinds(perDatabase(all, 'pool')).join(' '));

		await setup.users.drop();
		rmSync(setup.dir, {recursive: true, force: true});
		setup = await prepare('postgres');
		const untraced = await cutoverAsync(setup.scratch, runArgs(setup, runbook, '--no-trace'));
		assert.equal(untraced.code, 0, untraced.stdout + untraced.stderr);
		const none = latestRecord(setup.scratch).events as Wrapped[];
		assert.ok(!none.some(e => e.type === 'database.event' && e.event!.type.startsWith('lock-impact.')), untraced.stdout);
	});

	/** The split run stopped by a terminate when its output first matches `at`; the record so far. */
	async function stoppedSplitRun(at: RegExp, ...extra: string[]) {
		const split = path.join(setup!.dir, 'split.yaml');
		writeFileSync(split, [
			'name: split-trace-stop', 'window: {expected-minutes: 5}',
			'databases:', `  - {name: users, migrations: ${folders.users}}`, `  - {name: pool, migrations: ${folders.pool}}`,
			'maintenance: {on: \'echo on; sleep 5\', off: \'echo off\'}', 'checks: {}', '',
		].join('\n'));
		const child = spawn(process.execPath, [cli, ...runArgs(setup!, split, ...extra)], {env: {...process.env, ...cliEnv(setup!.scratch)}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString('utf8');
			if (at.test(stdout) && !child.killed) {
				child.kill('SIGTERM');
			}
		});
		const code = await new Promise<number | null>(resolve => child.once('close', resolve));
		assert.equal(code, 1, stdout);
		const {file, events} = latestRecord(setup!.scratch);
		assert.equal((events.at(-1) as Wrapped).type, 'run.interrupted', stdout);
		assert.ok(!(events as Wrapped[]).some(e => e.type === 'database.event' && e.event!.type === 'lock-impact.traced'), stdout);
		return {file, stopped: events.length};
	}

	it('traces on resume each database stopped before the downtime whose trace the stop cut short, before maintenance', async () => {
		setup = await prepare('postgres');
		const {file} = await stoppedSplitRun(/lock-impact\.started/);
		const resumed = await cutoverAsync(setup.scratch, ['resume', file, ...dirs(setup), ...confirm(setup)]);
		assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
		const all = latestRecord(setup.scratch).events as Wrapped[];
		const resumedAt = all.findIndex(e => e.type === 'run.resumed');
		const maintenanceAt = all.findIndex(e => e.type === 'command.started');
		assert.ok(maintenanceAt > resumedAt, 'maintenance went on only in the resume');
		const scratches: string[] = [];
		for (const name of ['users', 'pool']) {
			const own = perDatabase(all, name);
			scratches.push((traceOf(own) ?? assert.fail(`${name}: ${kinds(own).join(' ')}`)).report.scratch);
			assert.ok(resumedAt < at(own, 'lock-impact.traced'), kinds(own).join(' '));
			assert.ok(at(own, 'lock-impact.traced') < maintenanceAt, kinds(own).join(' '));
			assert.ok(at(own, 'lock-impact.traced') < at(own, 'upgrade.started'), kinds(own).join(' '));
		}

		assert.equal(all.at(-1)?.['outcome'], 'upgraded');
		assert.deepEqual(await copiesLeft(scratches), []);
	});

	it('does not trace on resume a database whose downtime began before the stop, and says why in its part of the record', async () => {
		setup = await prepare('postgres');
		const {file, stopped} = await stoppedSplitRun(/maintenance mode on/, '--no-trace');
		const resumed = await cutoverAsync(setup.scratch, ['resume', file, ...dirs(setup), ...confirm(setup)]);
		assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
		const added = (latestRecord(setup.scratch).events as Wrapped[]).slice(stopped);
		for (const name of ['users', 'pool']) {
			const own = perDatabase(added, name);
			assert.equal(at(own, 'lock-impact.started'), -1, kinds(own).join(' '));
			const leftOut = own.find(e => e.event.type === 'lock-impact.failed')?.event as {reason?: string} | undefined;
			assert.match(leftOut?.reason ?? '', /^maintenance mode went on before the stop, and tracing on this resume would lengthen the downtime/, `${name}: ${kinds(own).join(' ')}`);
		}

		assert.equal(added.at(-1)?.['outcome'], 'upgraded');
	});
});
