// The lock trace in the flow of a run over several databases, on fake ports: each database's
// result waited for before anything of the run is copied; when one window is not confirmed, every
// trace still measuring is stopped, and its copy dropped, before the flow returns, with nothing of
// it recorded after.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {EventOf} from '../../source/engine/events.js';
import {judgeTrace} from '../../source/engine/lock-trace.js';
import type {BackupArtifact} from '../../source/engine/model.js';
import {CutoverError} from '../../source/errors/index.js';
import {databaseSession} from '../../source/run/database-session.js';
import {runDatabasesFlow, type DatabaseLegRun} from '../../source/run/databases-flow.js';
import {consoleDecider} from '../../source/run/decider.js';
import type {FlowOptions} from '../../source/run/flow.js';
import type {RunDeps} from '../../source/run/run-deps.js';
import {createSession, type Session} from '../../source/run/session.js';
import {backupDone, cleanPlanned, fingerprinted, started, T0, verified} from '../support/run-fixtures.js';
import {snapshotOf} from '../support/snapshots.js';

const plan = cleanPlanned as EventOf<'migrations.planned'>;
const artifact = (backupDone.at(-1) as EventOf<'backup.finished'>).artifact;
const verification = (verified(true) as EventOf<'verify.finished'>).verification;
const report = judgeTrace({migrations: plan.pending.map(m => ({name: m.name, transaction: true, problem: null, statements: []})), appliedBefore: 0}, new Map(), {target: 't', scratch: 's', migrationsDirectory: 'm'});
const names = ['users', 'pool'] as const;
const {type: _, ...start} = started as EventOf<'run.started'>;

/** Deps of one database on a scoped session; its operator confirms its window, or leaves at it (`leave`). */
function leg(run: Session, name: string, stop: AbortController, leave: boolean): DatabaseLegRun {
	const session = databaseSession(run, name);
	const applied: string[] = [];
	const deps = {
		session,
		connections: {
			database: {
				engine: 'postgres',
				fingerprint: async () => ({...(fingerprinted as EventOf<'target.fingerprinted'>).fingerprint, database: name}),
				query: async () => ({columns: [], rows: []}),
				rowCounts: async () => ({meters: 3}),
				snapshot: async () => snapshotOf({meters: 3}, {}, 'postgres'),
				tables: async () => ['meters'],
				close: async () => {},
			},
			migrator: {
				plan: async () => ({applied: [...plan.applied, ...plan.pending.filter(m => applied.includes(m.name))], pending: plan.pending.filter(m => !applied.includes(m.name))}),
				async up(migration: string) {
					applied.push(migration);
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
			name: 'split', path: '/dev/null', sha256: '0'.repeat(64), window: {expectedMinutes: 10},
			preparation: [], maintenance: {on: null, off: null}, checks: {pre: [], post: []}, upgrade: {},
		},
		backupsDir: '/tmp',
		recordsDir: '/tmp',
		directories: {probe: async () => ({writable: true, freeBytes: 1e12, device: 1})},
		runId: 'r-split',
		appliedBy: 'test',
		signal: stop.signal,
	} as unknown as RunDeps;
	session.subscribe((_state, entry) => {
		const {type} = entry.event;
		if (type === 'window.planned') {
			if (leave) {
				// A moment later, once the traces (each started a turn of the loop after its database is planned) are running.
				setTimeout(() => session.emit({type: 'operator.abandoned', reason: 'left at the window'}), 20);
			} else {
				session.emit({type: 'operator.window-confirmed', typedName: name});
			}
		} else if (type === 'baseline.captured') {
			setImmediate(() => session.emit({type: 'operator.proceed', step: 'pre'}));
		} else if (type === 'rollback.offered') {
			session.emit({type: 'operator.rollback-chosen', choice: 'keep'});
		}
	});
	return {name, deps, start: {...start, target: name}};
}

function run(traceLocks: (name: string) => FlowOptions['traceLocks'], leaveAt: string | null) {
	const session = createSession({path: '/dev/null', append() {}, close() {}}, {now: () => T0});
	const stop = new AbortController();
	const legs = names.map(name => leg(session, name, stop, name === leaveAt));
	const flow = runDatabasesFlow({session}, legs, {
		start: {type: 'run.started', ...start, databases: names.map(name => ({name, target: name, migrationsDir: `/m/${name}`}))},
		to: null,
		window: {startsAt: null, expectedMinutes: null},
		preparation: [],
		maintenance: {on: null, off: null, offWhenMidChange: false},
		runner: {run: async () => ({exitCode: 0, output: '', durationMs: 0})},
		traceLocks,
	});
	return {session, flow};
}

const own = (session: Session, name: string) => session.entries.flatMap(e => e.event.type === 'database.event' && e.event.database === name ? [e.event.event.type] : []);
const delay = async (ms: number) => new Promise(resolve => {
	setTimeout(resolve, ms);
});

describe('the lock trace in the flow of a run over several databases', () => {
	it('waits for each database\'s result before any backup of the run', async () => {
		const {session, flow} = run(() => async () => {
			await delay(100);
			return {report, left: null};
		}, null);
		assert.equal(await flow, 'upgraded');
		const firstBackup = session.entries.findIndex(e => e.event.type === 'database.event' && e.event.event.type === 'backup.started');
		for (const name of names) {
			const traced = session.entries.findIndex(e => e.event.type === 'database.event' && e.event.database === name && e.event.event.type === 'lock-impact.traced');
			assert.ok(traced !== -1 && traced < firstBackup, own(session, name).join(' '));
		}
	});

	it('stops every trace still measuring when a window is not confirmed, and returns only once each copy is dropped', async () => {
		const dropped: string[] = [];
		const {session, flow} = run(name => async signal => {
			await new Promise<void>(resolve => {
				signal.addEventListener('abort', () => {
					resolve();
				}, {once: true});
			});
			await delay(50);
			dropped.push(name);
			throw new CutoverError('the trace was stopped', {hint: 'run it again'});
		}, 'users');
		assert.equal(await flow, 'abandoned');
		assert.deepEqual(dropped.sort(), ['pool', 'users']);
		for (const name of names) {
			const kinds = own(session, name);
			assert.ok(kinds.includes('lock-impact.started'), kinds.join(' '));
			assert.ok(!kinds.includes('lock-impact.traced') && !kinds.includes('lock-impact.failed'), kinds.join(' '));
		}
	});

	it('traces only the databases that have a tracer (a SQLite one has none)', async () => {
		const {session, flow} = run(name => name === 'users' ? async () => ({report, left: null}) : undefined, null);
		assert.equal(await flow, 'upgraded');
		assert.ok(own(session, 'users').includes('lock-impact.traced'));
		assert.ok(!own(session, 'pool').some(kind => kind.startsWith('lock-impact.')));
	});
});
