// A run over several databases (checklists/dual-db-split.yaml): one record, each window confirmed
// by its own name, each database backed up and verified, no upgrade before every database passed
// its pre checks, the versions read and compared after, and a failure on the second database
// bringing the first to its rollback prompt too. Real PostgreSQL databases and real SQLite files.
import assert from 'node:assert/strict';
import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {spawn} from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {packageRoot} from '../../source/package-root.js';
import {parseTarget} from '../../source/target.js';
import {cutoverAsync, latestRecord} from '../support/cutover-async.js';
import {cli, cliEnv, type DemoTarget} from '../support/demo-targets.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

const runbook = path.join(packageRoot, 'checklists/dual-db-split.yaml');
const folders = {users: path.join(packageRoot, 'migrations/split/users'), pool: path.join(packageRoot, 'migrations/split/pool')};

/** Both databases at their first migration, with rows; `duplicates`: the pool holds a slot twice, which pool 0002's unique index refuses. */
async function prepare(options: {duplicates: boolean}) {
	const users = await createThrowawayDatabase('cutover_split_users');
	const pool = await createThrowawayDatabase('cutover_split_pool');
	for (const [database, folder, first] of [[users, folders.users, '0001_create_accounts'], [pool, folders.pool, '0001_create_units']] as const) {
		// eslint-disable-next-line no-await-in-loop -- one after the other
		const migrator = await openMigrator({target: parseTarget(database.url), directory: folder});
		try {
			// eslint-disable-next-line no-await-in-loop -- in order, one at a time
			await migrator.up(first, {runId: 'split-setup', appliedBy: 'test setup'});
		} finally {
			// eslint-disable-next-line no-await-in-loop -- in order, one at a time
			await migrator.close();
		}
	}

	await users.sql(`INSERT INTO accounts (id, email, role) VALUES (1, 'ada@example.com', 'admin'), (2, 'grace@example.com', 'user')`);
	await pool.sql(`INSERT INTO units (id, name) VALUES (1, 'north'), (2, 'south');
		INSERT INTO pool_slots (id, unit_id, slot) VALUES (1, 1, 1), (2, 1, 2), (3, 2, 1)${options.duplicates ? ', (4, 2, 1)' : ''}`);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-split-'));
	// What cutoverAsync and latestRecord need of a target: its scratch directory.
	const scratch = {dir} as DemoTarget;
	return {
		users,
		pool,
		dir,
		scratch,
		args: (...extra: string[]) => ['run', '--checklist', runbook, '--db', `users=${users.url}`, '--db', `pool=${pool.url}`,
			'--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups'), '--plain', '--yes', '--confirm-db', users.name, '--confirm-db', pool.name, ...extra],
		async cleanup() {
			await Promise.all([users.drop(), pool.drop()]);
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

type Wrapped = {type: string; database?: string; event?: {type: string} & Record<string, unknown>} & Record<string, unknown>;

/** Each database's events in record order, unwrapped, and the position of each in the whole record. */
function perDatabase(events: Wrapped[], name: string) {
	return events.flatMap((e, index) => e.type === 'database.event' && e.database === name ? [{index, event: e.event!}] : []);
}

const applied = async (database: ThrowawayDatabase) => (await database.sql('SELECT name FROM cutover_migrations ORDER BY name')).rows.map(r => r['name'] as string);

describe('a run over two PostgreSQL databases', () => {
	let setup: Awaited<ReturnType<typeof prepare>> | null = null;
	// After each case, passed or failed: no throwaway database outlives its case.
	afterEach(async () => {
		await setup?.cleanup();
		setup = null;
	});

	it('confirms each by name, backs up and checks both before upgrading either, and agrees on versions', async () => {
		setup = await prepare({duplicates: false});
		const run = await cutoverAsync(setup.scratch, setup.args());
		assert.equal(run.code, 0, run.stdout + run.stderr);
		assert.match(run.stdout, /outcome: upgraded\n/);
		const {events, file} = latestRecord(setup.scratch);
		const all = events as Wrapped[];
		assert.equal(all[0]!.type, 'run.started');
		assert.deepEqual((all[0]!['databases'] as Array<{name: string}>).map(d => d.name), ['users', 'pool']);
		const users = perDatabase(all, 'users');
		const pool = perDatabase(all, 'pool');
		const at = (list: typeof users, type: string) => list.find(e => e.event.type === type)?.index ?? -1;
		// Each window confirmed by typing that database's own name.
		assert.equal(users.find(e => e.event.type === 'operator.window-confirmed')?.event['typedName'], setup.users.name);
		assert.equal(pool.find(e => e.event.type === 'operator.window-confirmed')?.event['typedName'], setup.pool.name);
		// Both windows before any backup; both verified backups and both gos before either upgrade.
		assert.ok(at(pool, 'operator.window-confirmed') < at(users, 'backup.started'));
		for (const list of [users, pool]) {
			const verified = list.find(e => e.event.type === 'verify.finished');
			assert.equal((verified?.event['verification'] as {ok: boolean}).ok, true);
		}

		assert.ok(at(pool, 'operator.proceed') < at(users, 'upgrade.started'), 'the first upgrade started before the last database passed its pre checks');
		assert.ok(at(users, 'upgrade.finished') < at(pool, 'upgrade.started'));
		const versions = all.find(e => e.type === 'databases.versions')!;
		assert.equal(versions['consistent'], true);
		assert.deepEqual((versions['versions'] as Array<{database: string; version: string}>).map(v => `${v.database} ${v.version}`), ['users 0002_accounts_status', 'pool 0002_unique_unit_slot']);
		// Each database's snapshot after compared with its own before; each ends on its own, then the run.
		for (const list of [users, pool]) {
			const afterSnapshot = list.find(e => e.event.type === 'snapshot.taken' && e.event['phase'] === 'after');
			assert.deepEqual((afterSnapshot?.event['compared'] as {unexpected: string[]}).unexpected, []);
			assert.equal(list.at(-1)?.event.type, 'run.finished');
			assert.equal(list.at(-1)?.event['outcome'], 'upgraded');
		}

		const verdicts = Object.fromEntries([...users.map(e => ['users', e] as const), ...pool.map(e => ['pool', e] as const)]
			.filter(([, e]) => e.event.type === 'check.finished')
			.map(([db, e]) => {
				const result = e.event['result'] as {phase: string; id: string; verdict: string};
				return [`${db}.${result.phase}.${result.id}`, result.verdict];
			}));
		assert.deepEqual(verdicts, {
			'users.pre.accounts-count': 'passed', 'users.pre.users-holds-no-pool-tables': 'passed', 'users.pre.admin-exists': 'passed',
			'users.post.version': 'passed', 'users.post.accounts-kept': 'passed',
			'users.post.again.accounts-count': 'passed', 'users.post.again.users-holds-no-pool-tables': 'passed', 'users.post.again.admin-exists': 'passed',
			'pool.pre.slots-count': 'passed', 'pool.pre.pool-holds-no-user-tables': 'passed', 'pool.pre.duplicate-slots': 'passed',
			'pool.post.version': 'passed', 'pool.post.slots-kept': 'passed', 'pool.post.unique-slot-index': 'passed',
			'pool.post.again.slots-count': 'passed', 'pool.post.again.pool-holds-no-user-tables': 'passed', 'pool.post.again.duplicate-slots': 'passed',
		});
		assert.equal(all.at(-1)?.type, 'run.finished');
		assert.equal(all.at(-1)?.['outcome'], 'upgraded');
		assert.deepEqual(await applied(setup.users), ['0001_create_accounts', '0002_accounts_status']);
		assert.deepEqual(await applied(setup.pool), ['0001_create_units', '0002_unique_unit_slot']);
		const verify = await cutoverAsync(setup.scratch, ['verify', file]);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /chain intact; \d+ checkpoints and the SSH signature/);
		const replay = await cutoverAsync(setup.scratch, ['replay', '--plain', file]);
		assert.match(replay.stdout, /» \S+ operator\.window-confirmed +\[pool\] operator confirmed the window by typing/);
		assert.match(replay.stdout, /databases\.versions +versions consistent: users at 0002_accounts_status, pool at 0002_unique_unit_slot/);
	});

	it('upgrades neither when the second database fails a blocking pre check', async () => {
		setup = await prepare({duplicates: true});
		const run = await cutoverAsync(setup.scratch, setup.args());
		assert.notEqual(run.code, 0);
		const {events} = latestRecord(setup.scratch);
		const all = events as Wrapped[];
		assert.equal(all.some(e => e.type === 'database.event' && e.event?.type === 'upgrade.started'), false, 'an upgrade started');
		assert.equal(all.at(-1)?.['outcome'], 'abandoned', run.stdout);
		assert.match(run.stdout, /\[pool\] operator stopped the run: upgrade not started: .*--override duplicate-slots=/);
		assert.deepEqual(await applied(setup.users), ['0001_create_accounts']);
		assert.deepEqual(await applied(setup.pool), ['0001_create_units']);
	});

	it('a failure on the second database offers to roll back both: restored, both back where they were', async () => {
		setup = await prepare({duplicates: true});
		// The operator accepts the duplicates at the gate; pool 0002's unique index then fails on them.
		const run = await cutoverAsync(setup.scratch, setup.args('--override', 'duplicate-slots=fixed by the application team after the split', '--on-failure', 'restore'));
		const {events} = latestRecord(setup.scratch);
		const all = events as Wrapped[];
		const users = perDatabase(all, 'users');
		const pool = perDatabase(all, 'pool');
		assert.equal(pool.find(e => e.event.type === 'migration.failed')?.event['name'], '0002_unique_unit_slot', run.stdout);
		assert.equal(users.find(e => e.event.type === 'migration.finished')?.event['name'], '0002_accounts_status');
		// Both prompts, the failed database's first; the first database's says why it is offered.
		const offers = all.flatMap((e, index) => e.type === 'database.event' && e.event?.type === 'rollback.offered' ? [{index, database: e.database, reason: e.event['reason'] as string}] : []);
		assert.deepEqual(offers.map(o => o.database), ['pool', 'users']);
		assert.match(offers[1]!.reason, /^the upgrade of pool failed at 0002_unique_unit_slot: .*; this database is upgraded, its post checks not run: roll it back too/);
		for (const list of [users, pool]) {
			const finished = list.find(e => e.event.type === 'rollback.finished');
			assert.equal(finished?.event['choice'], 'restore');
			assert.equal(finished?.event['ok'], true, JSON.stringify(finished?.event));
		}

		assert.equal(all.at(-1)?.['outcome'], 'rolled-back', run.stdout);
		assert.notEqual(run.code, 0);
		// Where they were: users without the status column, both at their first migration, the rows there.
		assert.deepEqual(await applied(setup.users), ['0001_create_accounts']);
		assert.deepEqual(await applied(setup.pool), ['0001_create_units']);
		const columns = await setup.users.sql(`SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY column_name`);
		assert.deepEqual(columns.rows.map(r => r['column_name']), ['email', 'id', 'role']);
		assert.equal((await setup.pool.sql('SELECT count(*)::int AS n FROM pool_slots')).rows[0]!['n'], 4);
	});

	it('refuses a run whose runbook names a database the command line gives no target for, before anything is written', async () => {
		setup = await prepare({duplicates: false});
		const run = await cutoverAsync(setup.scratch, ['run', '--checklist', runbook, '--db', `users=${setup.users.url}`, '--records', path.join(setup.dir, 'records'), '--plain', '--yes']);
		assert.equal(run.code, 2, run.stdout + run.stderr);
		assert.match(run.stderr, /is a run over users, pool, and no target is given for pool/);
		assert.match(run.stderr, /--db users=<target> --db pool=<target>/);
		const unnamed = await cutoverAsync(setup.scratch, ['run', '--checklist', runbook, '--db', setup.users.url, '--db', `pool=${setup.pool.url}`, '--plain', '--yes']);
		assert.match(unnamed.stderr, /does not say which of the runbook's databases it is \(users, pool\)/);
	});
});

describe('a run over two SQLite files', () => {
	let dir = '';
	before(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-split-sqlite-'));
	});
	after(() => rmSync(dir, {recursive: true, force: true}));

	it('runs both from empty files to their last migration, in one signed record', async () => {
		const files = {users: path.join(dir, 'users.db'), pool: path.join(dir, 'pool.db')};
		for (const file of Object.values(files)) {
			new BetterSqlite3(file).exec('VACUUM').close();
		}

		const scratch = {dir} as DemoTarget;
		const run = await cutoverAsync(scratch, ['run', '--checklist', runbook, '--db', `users=sqlite:${files.users}`, '--db', `pool=sqlite:${files.pool}`,
			'--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups'), '--plain', '--yes', '--confirm-db', 'users', '--confirm-db', 'pool']);
		assert.equal(run.code, 0, run.stdout + run.stderr);
		const {events} = latestRecord(scratch);
		const versions = (events as Wrapped[]).find(e => e.type === 'databases.versions')!;
		assert.equal(versions['consistent'], true);
		// A first deployment: the counts before did not exist, so there is nothing to keep, not a failure.
		assert.match(run.stdout, /\[users\] post accounts-kept: NOT-APPLICABLE: pre\.accounts-count was not applicable before the upgrade/);
		const pool = new BetterSqlite3(files.pool, {readonly: true});
		try {
			assert.deepEqual(pool.prepare('SELECT name FROM cutover_migrations ORDER BY name').all().map(r => (r as {name: string}).name), ['0001_create_units', '0002_unique_unit_slot']);
		} finally {
			pool.close();
		}
	});
});

describe('a run over several databases stopped by a signal', () => {
	let dir = '';
	before(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-split-stop-'));
	});
	after(() => rmSync(dir, {recursive: true, force: true}));

	it('ends its record with run.interrupted, which verify reads as a stop, and resume continues it to the end', async () => {
		const files = {users: path.join(dir, 'users.db'), pool: path.join(dir, 'pool.db')};
		for (const file of Object.values(files)) {
			new BetterSqlite3(file).exec('VACUUM').close();
		}

		// The maintenance-on command is where the stop comes: after both windows, before any backup.
		const runbookFile = path.join(dir, 'split.yaml');
		writeFileSync(runbookFile, [
			'name: split-stop', 'window: {expected-minutes: 5}',
			'databases:', `  - {name: users, migrations: ${folders.users}}`, `  - {name: pool, migrations: ${folders.pool}}`,
			`maintenance: {on: 'echo on; sleep 3', off: 'echo off'}`, 'checks: {}', '',
		].join('\n'));
		const scratch = {dir} as DemoTarget;
		const dirs = ['--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups')];
		const child = spawn(process.execPath, [cli, 'run', '--checklist', runbookFile, '--db', `users=sqlite:${files.users}`, '--db', `pool=sqlite:${files.pool}`,
			...dirs, '--plain', '--yes', '--confirm-db', 'users', '--confirm-db', 'pool'], {env: {...process.env, ...cliEnv(scratch)}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString('utf8');
			if (/maintenance mode on/.test(stdout) && !child.killed) {
				child.kill('SIGTERM');
			}
		});
		const code = await new Promise<number | null>(resolve => child.once('close', resolve));
		assert.equal(code, 1, stdout);
		const {events, file} = latestRecord(scratch);
		const last = events.at(-1) as Wrapped;
		assert.equal(last.type, 'run.interrupted', stdout);
		assert.match(last['detail'] as string, /stopped at database users: .*maintenance mode is left on.*; cutover resume continues this run/);
		assert.equal((events as Wrapped[]).some(e => e.type === 'database.event' && e.event?.type === 'backup.started'), false);
		const verify = await cutoverAsync(scratch, ['verify', file]);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /interrupted/);

		// Listed among the unfinished runs, each database by name.
		const listed = await cutoverAsync(scratch, ['resume', ...dirs]);
		assert.match(listed.stdout, /several databases \(users: users, pool: pool\); stopped in/);
		// Each database confirmed by its own name, in the run's order.
		const crossed = await cutoverAsync(scratch, ['resume', file, ...dirs, '--plain', '--yes', '--confirm-db', 'pool', '--confirm-db', 'users']);
		assert.equal(crossed.code, 2, crossed.stdout + crossed.stderr);
		assert.match(crossed.stderr, /--confirm-db pool is not the database users of this run \(users\)/);
		const resumed = await cutoverAsync(scratch, ['resume', file, ...dirs, '--plain', '--yes', '--confirm-db', 'users', '--confirm-db', 'pool']);
		assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
		assert.match(resumed.stdout, /outcome: upgraded/);
		const after = latestRecord(scratch).events as Wrapped[];
		assert.equal(after.filter(e => e.type === 'run.resumed').length, 1);
		assert.deepEqual(after.filter(e => e.type === 'database.event' && e.event?.type === 'run.resumed').map(e => e.database), ['users', 'pool']);
		// Maintenance went on once (before the stop), and off once at the end.
		assert.equal(after.filter(e => e.type === 'command.started' && e['id'] === 'maintenance-on').length, 1);
		assert.equal(after.filter(e => e.type === 'command.started' && e['id'] === 'maintenance-off').length, 1);
		assert.equal(after.at(-1)?.['outcome'], 'upgraded');
		const verified = await cutoverAsync(scratch, ['verify', file]);
		assert.equal(verified.code, 0, verified.stdout + verified.stderr);
		assert.match(verified.stdout, /and the SSH signature/);
	});
});

describe('the run\'s maintenance commands and its checks on the targets', () => {
	let dir = '';
	before(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-split-maint-'));
	});
	after(() => rmSync(dir, {recursive: true, force: true}));

	/** Two empty SQLite files, a runbook whose maintenance writes to a log, and the run's arguments. */
	function setup(name: string, pool = folders.pool) {
		const files = {users: path.join(dir, `${name}-users.db`), pool: path.join(dir, `${name}-pool.db`)};
		for (const file of Object.values(files)) {
			new BetterSqlite3(file).exec('VACUUM').close();
		}

		const log = path.join(dir, `${name}-maintenance.log`);
		const runbookFile = path.join(dir, `${name}.yaml`);
		writeFileSync(runbookFile, [
			'name: split-maintenance', 'window: {expected-minutes: 5}',
			'databases:', `  - {name: users, migrations: ${folders.users}}`, `  - {name: pool, migrations: ${pool}}`,
			'preparation:', '  - {id: told, text: Everyone was told}',
			`maintenance: {on: 'echo on >> ${log}', off: 'echo off >> ${log}'}`, 'checks: {}', '',
		].join('\n'));
		const scratch = {dir: path.join(dir, name)} as DemoTarget;
		const args = (users = files.users, poolFile = files.pool, ...confirm: string[]) => ['run', '--checklist', runbookFile, '--db', `users=sqlite:${users}`, '--db', `pool=sqlite:${poolFile}`,
			'--records', path.join(scratch.dir, 'records'), '--backups', path.join(scratch.dir, 'backups'), '--plain', '--yes', '--confirm-db', confirm[0] ?? `${name}-users`, '--confirm-db', confirm[1] ?? `${name}-pool`];
		return {files, log, scratch, args};
	}

	const logOf = (file: string) => {
		try {
			return readFileSync(file, 'utf8').trim().split('\n');
		} catch {
			return [];
		}
	};

	it('turns maintenance on once after every window and off once at the end, with the preparation at the first database that has work', async () => {
		const {files, log, scratch, args} = setup('first-done');
		// The users database is already at its last migration: it has nothing to do.
		const migrator = await openMigrator({target: parseTarget(`sqlite:${files.users}`), directory: folders.users});
		try {
			await migrator.up('0001_create_accounts', {runId: 'setup', appliedBy: 'test setup'});
			await migrator.up('0002_accounts_status', {runId: 'setup', appliedBy: 'test setup'});
		} finally {
			await migrator.close();
		}

		const run = await cutoverAsync(scratch, args());
		assert.equal(run.code, 0, run.stdout + run.stderr);
		assert.deepEqual(logOf(log), ['on', 'off']);
		const all = latestRecord(scratch).events as Wrapped[];
		assert.equal(perDatabase(all, 'users').at(-1)?.event['outcome'], 'nothing-to-do');
		const window = perDatabase(all, 'pool').find(e => e.event.type === 'window.planned');
		assert.deepEqual((window?.event['prep'] as Array<{id: string}>).map(p => p.id), ['told'], 'the preparation was not asked at the window of the database with work');
		const on = all.findIndex(e => e.type === 'command.started' && e['id'] === 'maintenance-on');
		assert.ok(on > perDatabase(all, 'pool').find(e => e.event.type === 'operator.window-confirmed')!.index, 'maintenance went on before the last window was confirmed');
		assert.ok(on < perDatabase(all, 'pool').find(e => e.event.type === 'backup.started')!.index);
	});

	it('leaves maintenance on when a database is left between versions', async () => {
		// The pool folder with a third migration that fails after 0001 and 0002 committed.
		const pool = path.join(dir, 'pool-breaks');
		mkdirSync(pool);
		for (const file of readdirSync(folders.pool)) {
			copyFileSync(path.join(folders.pool, file), path.join(pool, file));
		}

		writeFileSync(path.join(pool, '0003_breaks.up.sql'), 'INSERT INTO no_such_table VALUES (1);\n');
		writeFileSync(path.join(pool, '0003_breaks.down.sql'), 'SELECT 1;\n');
		const {log, scratch, args} = setup('mid-change', pool);
		const run = await cutoverAsync(scratch, args());
		assert.notEqual(run.code, 0);
		assert.deepEqual(logOf(log), ['on'], run.stdout);
		const all = latestRecord(scratch).events as Wrapped[];
		const left = all.find(e => e.type === 'maintenance.left-on');
		assert.match(left?.['reason'] as string, /^pool: the schema is between versions: 0001_create_units, 0002_unique_unit_slot applied, 0003_breaks not/);
		assert.equal(all.at(-1)?.['outcome'], 'failed');
	});

	it('refuses targets given the wrong way round, before any window', async () => {
		const {files, log, scratch, args} = setup('swapped');
		// Each file is named like the other database: users= gets the file called pool.
		const users = path.join(dir, 'pool.db');
		const poolFile = path.join(dir, 'users.db');
		copyFileSync(files.users, users);
		copyFileSync(files.pool, poolFile);
		const run = await cutoverAsync(scratch, args(users, poolFile, 'pool', 'users'));
		assert.notEqual(run.code, 0);
		assert.match(run.stdout, /the targets look swapped: users's target is a database named pool; pool's target is a database named users; nothing was changed/);
		const all = latestRecord(scratch).events as Wrapped[];
		assert.equal(all.some(e => e.type === 'database.event' && e.event?.type === 'window.planned'), false);
		assert.deepEqual(logOf(log), []);
	});

	it('takes one --confirm-db per database in the runbook\'s order, so a name typed for one never opens another', async () => {
		const {scratch, args} = setup('confirm');
		const short = await cutoverAsync(scratch, args().slice(0, -2));
		assert.equal(short.code, 2);
		assert.match(short.stderr, /1 --confirm-db given for 2 databases/);
		const crossed = await cutoverAsync(scratch, args(undefined, undefined, 'confirm-pool', 'confirm-users'));
		assert.notEqual(crossed.code, 0);
		assert.match(crossed.stdout, /\[users\] operator stopped the run: maintenance window not confirmed: "confirm-pool" is not the database name \(confirm-users\)/);
	});
});

describe('a run over two PostgreSQL databases stopped mid-upgrade', () => {
	let setup: Awaited<ReturnType<typeof prepare>> | null = null;
	let folder = '';
	after(async () => {
		await setup?.cleanup();
		rmSync(folder, {recursive: true, force: true});
	});

	it('resumes with --rollback: every changed database to its prompt, both restored', async () => {
		setup = await prepare({duplicates: false});
		// The pool's folder with a slow third migration: the stop comes while it runs.
		folder = mkdtempSync(path.join(os.tmpdir(), 'cutover-split-slow-'));
		for (const file of readdirSync(folders.pool)) {
			copyFileSync(path.join(folders.pool, file), path.join(folder, file));
		}

		writeFileSync(path.join(folder, '0003_slow.up.sql'), 'SELECT pg_sleep(3);\nALTER TABLE units ADD COLUMN region TEXT;\n');
		writeFileSync(path.join(folder, '0003_slow.down.sql'), 'ALTER TABLE units DROP COLUMN region;\n');
		// One more after it: the stop comes between the two, with the upgrade open.
		writeFileSync(path.join(folder, '0004_after.up.sql'), 'ALTER TABLE units ADD COLUMN zone TEXT;\n');
		writeFileSync(path.join(folder, '0004_after.down.sql'), 'ALTER TABLE units DROP COLUMN zone;\n');
		const runbookFile = path.join(setup.dir, 'split.yaml');
		writeFileSync(runbookFile, [
			'name: split-slow', 'window: {expected-minutes: 5}',
			'databases:', `  - {name: users, migrations: ${folders.users}}`, `  - {name: pool, migrations: ${folder}}`, 'checks: {}', '',
		].join('\n'));
		const dirs = ['--records', path.join(setup.dir, 'records'), '--backups', path.join(setup.dir, 'backups')];
		const child = spawn(process.execPath, [cli, 'run', '--checklist', runbookFile, '--db', `users=${setup.users.url}`, '--db', `pool=${setup.pool.url}`,
			...dirs, '--plain', '--yes', '--confirm-db', setup.users.name, '--confirm-db', setup.pool.name], {env: {...process.env, ...cliEnv(setup.scratch)}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString('utf8');
			if (/\[pool\] up 0003_slow\n/.test(stdout) && !child.killed) {
				child.kill('SIGHUP');
			}
		});
		const code = await new Promise<number | null>(resolve => child.once('close', resolve));
		assert.equal(code, 1, stdout);
		const {file, events} = latestRecord(setup.scratch);
		assert.equal((events.at(-1) as Wrapped).type, 'run.interrupted', stdout);
		// The running migration finished as a whole before the stop: the upgrade is open at pool, 0003 applied, 0004 not.
		assert.deepEqual(await applied(setup.pool), ['0001_create_units', '0002_unique_unit_slot', '0003_slow']);

		const resumed = await cutoverAsync(setup.scratch, ['resume', file, ...dirs, '--plain', '--yes', '--confirm-db', setup.users.name, '--confirm-db', setup.pool.name, '--rollback', '--on-failure', 'restore']);
		const after = latestRecord(setup.scratch).events as Wrapped[];
		const offers = after.flatMap(e => e.type === 'database.event' && e.event?.type === 'rollback.offered' ? [e.database] : []);
		assert.deepEqual(offers, ['pool', 'users'], resumed.stdout + resumed.stderr);
		for (const name of ['pool', 'users']) {
			const finished = perDatabase(after, name).find(e => e.event.type === 'rollback.finished');
			assert.equal(finished?.event['ok'], true, JSON.stringify(finished?.event));
		}

		assert.equal(after.at(-1)?.['outcome'], 'rolled-back');
		assert.deepEqual(await applied(setup.users), ['0001_create_accounts']);
		assert.deepEqual(await applied(setup.pool), ['0001_create_units']);
		const verify = await cutoverAsync(setup.scratch, ['verify', file]);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
	});
});
