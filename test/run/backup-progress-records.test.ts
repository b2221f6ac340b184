// Which of a backup's progress reports the flow puts on the record: one every 250 ms, give or take the read
// before each, all of them; the ones between two (a table's line just after a tick) thinned, but
// never the last one, the finished figure.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import type {BackupArtifact, BackupProgress} from '../../source/engine/model.js';
import {consoleDecider} from '../../source/run/decider.js';
import {runFlow} from '../../source/run/flow.js';
import type {RunDeps} from '../../source/run/run-deps.js';
import {createSession, type Session} from '../../source/run/session.js';
import {backupDone, cleanPlanned, fingerprinted, started, T0, verified} from '../support/run-fixtures.js';
import {snapshotOf} from '../support/snapshots.js';

const plan = cleanPlanned as EventOf<'migrations.planned'>;
const artifact = (backupDone.at(-1) as EventOf<'backup.finished'>).artifact;
const verification = (verified(true) as EventOf<'verify.finished'>).verification;

/** A run on fake ports whose backup reports `reports` (milliseconds after its start, and what) on the run's clock. */
function fakeDeps(session: Session, reports: Array<[number, BackupProgress]>): RunDeps {
	let now = T0;
	const applied: string[] = [];
	return {
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
			method: 'fake dump',
			async backup(request: {onProgress: (progress: BackupProgress) => void}): Promise<BackupArtifact> {
				const start = now;
				for (const [at, progress] of reports) {
					now = start + at;
					request.onProgress(progress);
				}

				return artifact;
			},
			verify: async () => verification,
			restore: async () => ({detail: 'restored'}),
			describeRestore: async () => ({available: true, note: ''}),
		},
		runner: {run: async () => ({exitCode: 0, output: ''})},
		decider: consoleDecider,
		clock: {now: () => now},
		runbook: {
			name: 'progress records', path: '/dev/null', sha256: '0'.repeat(64), window: {expectedMinutes: 10},
			preparation: [{id: 'notify', text: 'Support knows'}],
			maintenance: {on: null, off: null},
			checks: {pre: [], post: []},
			upgrade: {},
		},
		backupsDir: '/tmp',
		recordsDir: '/tmp',
		directories: {probe: async () => ({writable: true, freeBytes: 1e12, device: 1})},
		runId: 'r-progress',
		appliedBy: 'test',
		signal: new AbortController().signal,
	} as unknown as RunDeps;
}

async function recorded(reports: Array<[number, BackupProgress]>): Promise<number[]> {
	const session = createSession({path: '/dev/null', append() {}, close() {}}, {now: () => T0});
	session.subscribe((_, entry) => {
		const {type} = entry.event;
		if (type === 'window.planned') {
			session.emit({type: 'operator.prep-ticked', itemId: 'notify', ticked: true});
			session.emit({type: 'operator.window-confirmed', typedName: 'shop'});
		} else if (type === 'baseline.captured') {
			setImmediate(() => session.emit({type: 'operator.proceed', step: 'pre'}));
		} else if (type === 'rollback.offered') {
			session.emit({type: 'operator.rollback-chosen', choice: 'keep'});
		}
	});
	const {type: _, ...start} = started as EventOf<'run.started'>;
	await runFlow(fakeDeps(session, reports), {start, to: null, window: {startsAt: null, expectedMinutes: null}});
	return session.entries.map(entry => entry.event).filter((event): event is EventOf<'backup.progress'> & RunEvent => event.type === 'backup.progress').map(event => event.progress.bytes);
}

describe('backup progress on the record', () => {
	it('a heartbeat every 250 ms whose reads vary by a few ms: every report is recorded', async () => {
		// Ticks at 250, 500, 750 and 1000 ms, each report a read later: 3, 1, 2, 1 ms.
		const bytes = await recorded([[253, {bytes: 1}], [501, {bytes: 2}], [752, {bytes: 3}], [1001, {bytes: 4}]]);
		assert.deepEqual(bytes, [1, 2, 3, 4]);
	});

	it('reports between two ticks are thinned', async () => {
		const bytes = await recorded([[250, {bytes: 1}], [260, {bytes: 2}], [300, {bytes: 3}], [500, {bytes: 4}]]);
		assert.deepEqual(bytes, [1, 4]);
	});

	it('the last report is recorded before the backup finishes, even when it came just after a tick', async () => {
		const bytes = await recorded([[250, {bytes: 1}], [300, {bytes: 2}], [310, {bytes: 3}]]);
		assert.deepEqual(bytes, [1, 3]);
	});
});
