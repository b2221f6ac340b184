import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, it} from 'node:test';
import pg from 'pg';
import {App} from '../../screens/app.js';
import {lockImpactLines} from '../../screens/components/lock-impact.js';
import {CutoverError, TraceCopyLeftError} from '../../source/errors/index.js';
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import {judgeTrace, type LockTraceReport, type TracedMigration} from '../../source/engine/lock-trace.js';
import type {BackupArtifact} from '../../source/engine/model.js';
import type {RunState} from '../../source/engine/state.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {consoleDecider} from '../../source/run/decider.js';
import {runFlow, type FlowOptions} from '../../source/run/flow.js';
import type {RunDeps} from '../../source/run/run-deps.js';
import {createSession, type Session} from '../../source/run/session.js';
import {cli, cliEnv, demoMigrations, prepareDemoTarget, readJournal} from '../support/demo-targets.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {backupDone, cleanPlanned, fingerprinted, fold, started, T0, verified, windowEvents} from '../support/run-fixtures.js';
import {snapshotOf} from '../support/snapshots.js';

// Two pending migrations as a trace finds them: a type change that rewrites a 40 GB table, and an index on a small one.
const traced: TracedMigration[] = [
	{name: '0003-unique-meter-serial', transaction: true, problem: null, statements: [
		{index: 1, text: 'ALTER TABLE readings ALTER COLUMN value TYPE numeric', status: 'traced', locks: [{schema: 'public', name: 'readings', kind: 'r', mode: 'AccessExclusiveLock', granted: true, heldSince: 1, taken: ['AccessExclusiveLock', 'ShareLock'], rewrite: true, onTarget: true}]},
	]},
	{name: '0004-drop-legacy-tariffs', transaction: true, problem: null, statements: [
		{index: 1, text: 'CREATE INDEX tariffs_code ON tariffs (code)', status: 'traced', locks: [{schema: 'public', name: 'tariffs', kind: 'r', mode: 'ShareLock', granted: true, heldSince: 1, taken: ['ShareLock'], rewrite: false, onTarget: true}]},
	]},
];
const sizes = new Map([
	['public\u0000readings', {bytes: 40 * 1024 ** 3, rows: 120_000_000}],
	['public\u0000tariffs', {bytes: 16_384, rows: 4}],
]);
const report: LockTraceReport = judgeTrace({migrations: traced, appliedBefore: 2}, sizes, {target: 'postgres://ops@db/shop', scratch: 'database "cutover_lt_1_2" on the source\'s server, schema only', migrationsDirectory: 'migrations'});
const tracedEvent: RunEvent = {type: 'lock-impact.traced', report, left: null};

describe('the lock trace in a run: the engine and the record\'s line', () => {
	it('keeps measuring, then the result or why it could not run, each described in one line', () => {
		assert.deepEqual(fold([...windowEvents, {type: 'lock-impact.started'}]).lockImpact, {status: 'measuring'});
		assert.deepEqual(fold([...windowEvents, {type: 'lock-impact.started'}, tracedEvent]).lockImpact, {status: 'traced', report, left: null});
		assert.equal(fold(windowEvents).lockImpact, null);
		assert.equal(
			describeEvent(tracedEvent),
			'locks measured on a copy: 1 danger, 1 ok of 2 statements; 0003-unique-meter-serial #1 AccessExclusive on readings, rewrite: danger: rewrites readings (40.0 GB, ~120M rows): reads and writes wait for the whole copy',
		);
		assert.equal(describeEvent({type: 'lock-impact.failed', reason: 'the role "app" may not create databases'}), 'locks not traced: the role "app" may not create databases');
	});
});

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState) {
	current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>, {columns: 80, rows: 24});
	return current;
}

describe('the lock trace in a run: the window screen at 80x24', () => {
	it('says it is measuring, then the summary; l opens the table per migration and Esc closes it', async () => {
		const measuring = show(fold([...windowEvents, {type: 'lock-impact.started'}]));
		const first = await measuring.waitForFrame('Locks   measuring on a copy…');
		assert.deepEqual(overflowing(first), []);
		measuring.unmount();

		const screen = show(fold([...windowEvents, {type: 'lock-impact.started'}, tracedEvent]));
		const frame = await screen.waitForFrame('Locks   1 danger');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /Locks {3}1 danger, 1 ok \(measured on a copy\) · L for the table/);
		assert.ok(frame.split('\n').length <= 24, frame);
		// The focus starts on the preparation items: l is not typed anywhere.
		screen.stdin.write('l');
		const table = await screen.waitForFrame('Locks, measured on a copy · lines');
		assert.deepEqual(overflowing(table), []);
		assert.ok(table.split('\n').length <= 24, table);
		assert.match(table, /^0003-unique-meter-serial \(1 statement, in a transaction\)$/m);
		assert.match(table, /^1 {2}ALTER TABLE reading… AccessExclusive +readings +R W +yes +40\.0 GB$/m);
		assert.match(table, /danger: rewrites readings \(40\.0 GB, ~120M rows\)/);
		assert.match(table, /^1 {2}CREATE INDEX tariff… Share +tariffs +W +no +16\.0 kB$/m);
		screen.stdin.write(keys.escape);
		await screen.waitForFrame('Type the database name');
	});

	it('marks the danger rows, which the table draws in red', () => {
		const lines = lockImpactLines(report);
		const danger = lines.filter(line => line.level === 'danger').map(line => line.text);
		assert.ok(danger.some(text => text.startsWith('1  ALTER TABLE readin')), danger.join('\n'));
		assert.ok(danger.some(text => text.startsWith('0003-unique-meter-serial')), danger.join('\n'));
		assert.ok(!danger.some(text => text.includes('CREATE INDEX') || text.startsWith('0004')), danger.join('\n'));
	});

	it('fits the line at 80 columns from the name field too, where the key is Ctrl-L', async () => {
		const ok = judgeTrace({migrations: [traced[1]!], appliedBefore: 2}, sizes, {target: 'postgres://ops@db/shop', scratch: 'copy', migrationsDirectory: 'migrations'});
		const state = fold([...windowEvents, {type: 'lock-impact.started'}, {type: 'lock-impact.traced', report: ok, left: null}]);
		const screen = show(state);
		await screen.waitForFrame('L for the table');
		screen.stdin.write(keys.tab);
		const frame = await screen.waitForFrame('› Type the database name');
		assert.match(frame, /^Locks {3}all 1 statement ok \(measured on a copy\) · Ctrl-L for the table$/m);
		assert.deepEqual(overflowing(frame), []);
	});

	it('says why it was not traced', async () => {
		const screen = show(fold([...windowEvents, {type: 'lock-impact.started'}, {type: 'lock-impact.failed', reason: 'the role "app" may not create databases'}]));
		const frame = await screen.waitForFrame('Locks   not traced');
		assert.match(frame, /Locks {3}not traced: the role "app" may not create databases/);
	});
});

const plan = cleanPlanned as EventOf<'migrations.planned'>;
const artifact = (backupDone.at(-1) as EventOf<'backup.finished'>).artifact;
const verification = (verified(true) as EventOf<'verify.finished'>).verification;

/** A run on fake ports whose operator confirms the window as soon as it is drawn. */
function fakeRun(confirm = true): {session: Session; deps: RunDeps; stop: AbortController} {
	const session = createSession({path: '/dev/null', append() {}, close() {}}, {now: () => T0});
	const applied: string[] = [];
	const stop = new AbortController();
	const deps = {
		session,
		connections: {
			database: {
				engine: 'postgres',
				fingerprint: async () => (fingerprinted as EventOf<'target.fingerprinted'>).fingerprint,
				query: async () => ({columns: [], rows: []}),
				rowCounts: async () => ({meters: 3}),
				snapshot: async () => snapshotOf({meters: 3}, {}, 'postgres'),
				tables: async () => ['meters'],
				close: async () => {},
			},
			migrator: {
				plan: async () => ({applied: plan.applied, pending: plan.pending.filter(m => !applied.includes(m.name))}),
				async up(name: string) {
					applied.push(name);
				},
				down: async () => {},
				close: async () => {},
			},
			close: async () => {},
			reopen: async () => {},
		},
		backupTool: {
			method: 'fake copy',
			backup: async (): Promise<BackupArtifact> => artifact,
			verify: async () => verification,
			restore: async () => ({detail: 'restored'}),
			describeRestore: async () => ({available: true, note: ''}),
		},
		runner: {run: async () => ({exitCode: 0, output: ''})},
		decider: consoleDecider,
		clock: {now: () => T0},
		runbook: {
			name: 'trace', path: '/dev/null', sha256: '0'.repeat(64), window: {expectedMinutes: 10},
			preparation: [],
			maintenance: {on: null, off: null},
			checks: {pre: [], post: []},
			upgrade: {},
		},
		backupsDir: '/tmp',
		recordsDir: '/tmp',
		directories: {probe: async () => ({writable: true, freeBytes: 1e12, device: 1})},
		runId: 'r-trace',
		appliedBy: 'test',
		signal: stop.signal,
	} as unknown as RunDeps;
	session.subscribe((_, entry) => {
		const {type} = entry.event;
		if (type === 'window.planned') {
			if (confirm) {
				session.emit({type: 'operator.window-confirmed', typedName: 'shop'});
			} else {
				// Left a moment later, once the trace (started a turn of the loop after the window is drawn) is running.
				setTimeout(() => session.emit({type: 'operator.abandoned', reason: 'left at the window'}), 20);
			}
		} else if (type === 'baseline.captured') {
			setImmediate(() => session.emit({type: 'operator.proceed', step: 'pre'}));
		} else if (type === 'rollback.offered') {
			session.emit({type: 'operator.rollback-chosen', choice: 'keep'});
		}
	});
	return {session, deps, stop};
}

const {type: _, ...start} = started as EventOf<'run.started'>;
const flowOptions = (traceLocks?: FlowOptions['traceLocks']): FlowOptions => ({start, to: null, window: {startsAt: null, expectedMinutes: null}, ...(traceLocks === undefined ? {} : {traceLocks})});
const kinds = (session: Session) => session.entries.map(entry => entry.event.type);

describe('the lock trace in a run: the flow', () => {
	it('records a trace that cannot run and goes on to the upgrade', async () => {
		const {session, deps} = fakeRun();
		const outcome = await runFlow(deps, flowOptions(async () => {
			throw new CutoverError('the role "app" may not create databases', {hint: 'connect as a role with CREATEDB'});
		}));
		assert.equal(outcome, 'upgraded');
		assert.deepEqual(session.entries.map(e => e.event).find(e => e.type === 'lock-impact.failed'), {type: 'lock-impact.failed', reason: 'the role "app" may not create databases (connect as a role with CREATEDB)'});
		assert.ok(kinds(session).indexOf('lock-impact.failed') < kinds(session).indexOf('upgrade.started'));
	});

	it('waits, once the window is confirmed, for a trace still measuring: its result is on the record before the backup', async () => {
		const {session, deps} = fakeRun();
		const outcome = await runFlow(deps, flowOptions(async () => {
			await new Promise(resolve => {
				setTimeout(resolve, 150);
			});
			return {report, left: null};
		}));
		assert.equal(outcome, 'upgraded');
		const all = kinds(session);
		assert.ok(all.indexOf('lock-impact.started') < all.indexOf('window.planned'), all.join(' '));
		assert.ok(all.indexOf('operator.window-confirmed') < all.indexOf('lock-impact.traced'), all.join(' '));
		assert.ok(all.indexOf('lock-impact.traced') < all.indexOf('backup.started'), all.join(' '));
	});

	it('stops the trace when the window is not confirmed, and waits until its copy is dropped', async () => {
		const {session, deps} = fakeRun(false);
		const happened: string[] = [];
		const outcome = await runFlow(deps, flowOptions(async signal => {
			await new Promise<void>(resolve => {
				signal.addEventListener('abort', () => {
					resolve();
				}, {once: true});
			});
			await new Promise(resolve => {
				setTimeout(resolve, 50);
			});
			happened.push('copy dropped');
			throw new CutoverError('the trace was stopped', {hint: 'run it again'});
		}));
		assert.equal(outcome, 'abandoned');
		assert.deepEqual(happened, ['copy dropped']);
		const all = kinds(session);
		assert.ok(all.includes('lock-impact.started'));
		assert.ok(!all.includes('lock-impact.failed') && !all.includes('lock-impact.traced'), all.join(' '));
	});

	it('records a copy the stopped trace could not drop, with how to drop it, before the run ends', async () => {
		const {session, deps} = fakeRun(false);
		const outcome = await runFlow(deps, flowOptions(async signal => {
			await new Promise<void>(resolve => {
				signal.addEventListener('abort', () => {
					resolve();
				}, {once: true});
			});
			throw new TraceCopyLeftError(new CutoverError('the trace was stopped', {hint: 'run it again'}), 'the scratch database "cutover_lt_1_2" could not be dropped (connection refused): drop it with DROP DATABASE "cutover_lt_1_2"');
		}));
		assert.equal(outcome, 'abandoned');
		const failed = session.entries.map(e => e.event).find(e => e.type === 'lock-impact.failed') as {reason?: string} | undefined;
		assert.match(failed?.reason ?? '', /^the trace was stopped; the scratch database "cutover_lt_1_2" could not be dropped .*drop it with DROP DATABASE "cutover_lt_1_2"/);
		const all = kinds(session);
		assert.ok(all.indexOf('lock-impact.failed') < all.indexOf('run.finished'), all.join(' '));
	});

	it('is not there without a tracer (SQLite, --no-trace)', async () => {
		const {session, deps} = fakeRun();
		assert.equal(await runFlow(deps, flowOptions()), 'upgraded');
		assert.ok(!kinds(session).some(kind => kind.startsWith('lock-impact.')));
	});
});

describe('the lock trace in a run on real PostgreSQL', () => {
	it('records the rewrite of a pending ALTER COLUMN TYPE with its lock, drops the copy, and --no-trace leaves it out', async () => {
		const target = await prepareDemoTarget('postgres');
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-run-trace-'));
		const admin = new pg.Client({host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres'});
		await admin.connect();
		try {
			const migrations = path.join(dir, 'migrations');
			cpSync(demoMigrations, migrations, {recursive: true});
			writeFileSync(path.join(migrations, '0005_reading_numeric.up.sql'), 'ALTER TABLE meters ALTER COLUMN reading TYPE numeric;\n');
			writeFileSync(path.join(migrations, '0005_reading_numeric.down.sql'), 'ALTER TABLE meters ALTER COLUMN reading TYPE double precision;\n');
			const run = (records: string, ...extra: string[]) => {
				const result = spawnSync(process.execPath, [cli, 'run', '--db', target.db, '--migrations', migrations, '--plain', '--yes', '--confirm-db', target.name, '--records', path.join(target.dir, records), '--backups', path.join(target.dir, 'backups'), ...extra], {
					encoding: 'utf8', env: {...process.env, ...cliEnv(target)}, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000,
				});
				const record = /^change record: (.+)$/m.exec(result.stdout)?.[1] ?? assert.fail(result.stdout + result.stderr);
				return {...result, events: readJournal(readFileSync(record, 'utf8')).map(line => line.event)};
			};

			// Without --ack-lint the window is not confirmed (the type change is a lint error): the run stops there.
			const untraced = run('records-1', '--no-trace');
			assert.match(untraced.stdout, /^outcome: abandoned$/m, untraced.stdout + untraced.stderr);
			assert.ok(!untraced.events.some(e => e.type.startsWith('lock-impact.')), untraced.stdout);

			const traced = run('records-2', '--ack-lint', 'column-type-rewrite');
			assert.equal(traced.status, 0, traced.stdout + traced.stderr);
			const result = traced.events.find(e => e.type === 'lock-impact.traced') as unknown as EventOf<'lock-impact.traced'> | undefined ?? assert.fail(traced.stdout);
			const kinds = traced.events.map(e => e.type);
			assert.ok(kinds.indexOf('lock-impact.traced') < kinds.indexOf('upgrade.started'), kinds.join(' '));
			assert.deepEqual(result.report.migrations.map(m => m.name), ['0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot', '0005_reading_numeric']);
			const alter = result.report.migrations.at(-1)!.statements[0]!;
			assert.equal(alter.status, 'traced');
			assert.deepEqual(alter.judged.map(lock => [lock.relation, lock.mode, lock.rewrite, lock.blocksReads, lock.blocksWrites]), [['meters', 'AccessExclusiveLock', true, true, true]]);
			assert.match(traced.stdout, /lock-impact\.traced +locks measured on a copy: /);
			assert.equal(result.left, null);
			const scratch = /cutover_lt_\d+_\d+/.exec(result.report.scratch)?.[0] ?? assert.fail(result.report.scratch);
			assert.equal(scratch.split('_')[2], String(traced.pid));
			const left = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`cutover_lt_${traced.pid}_%`]);
			assert.deepEqual(left.rows, []);
			// The target itself was migrated by the run, not by the trace: the column is numeric once.
			assert.deepEqual(await target.rows('SELECT data_type FROM information_schema.columns WHERE table_name = \'meters\' AND column_name = \'reading\''), [{data_type: 'numeric'}]);
		} finally {
			await admin.end();
			rmSync(dir, {recursive: true, force: true});
			await target.cleanup();
		}
	});
});
