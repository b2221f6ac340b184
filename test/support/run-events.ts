import type {Entry, RunEvent} from '../../source/engine/events.js';
import type {BackupArtifact, CheckResult} from '../../source/engine/model.js';
import {reduce} from '../../source/engine/reduce.js';
import {initialState, type RunState} from '../../source/engine/state.js';

/** Folds events through the real reducer, one second apart from t0. */
export function fold(events: RunEvent[], from: RunState = initialState(), t0 = 1_700_000_000_000): RunState {
	return events.reduce((state, event, i) => reduce(state, {seq: state.lastSeq + 1, at: t0 + (i * 1000), event} satisfies Entry), from);
}

export const artifact: BackupArtifact = {path: '/backups/demo-1.db', format: 'sqlite-file', bytes: 4096, sha256: 'ab'.repeat(32), sourceCounts: {users: 8, meters: 40}};

export function check(overrides: Partial<CheckResult> & Pick<CheckResult, 'id'>): CheckResult {
	return {
		phase: 'pre',
		title: overrides.id,
		sql: 'select 1',
		blocking: true,
		expectation: 'no rows',
		verdict: 'passed',
		detail: 'no offending rows',
		evidence: {columns: ['id'], rows: [], total: 0, truncated: false},
		durationMs: 3,
		...overrides,
	};
}

/** A run up to the end of the window step, with two pending migrations (the second irreversible). */
export const opening: RunEvent[] = [
	{
		type: 'run.started', runId: 'r1', toolVersion: '0.1.0', operator: {osUser: 'ops', name: 'Ops'}, host: 'jump1',
		target: 'sqlite:/srv/demo.db', checklist: {name: 'production', path: '/c/production.yaml', sha256: 'cd'.repeat(32)},
		migrationsDir: '/m', to: null, mode: 'console', previousRecord: null, signer: null,
	},
	{type: 'target.fingerprinted', fingerprint: {engine: 'sqlite', serverVersion: 'SQLite 3.53', host: 'jump1', database: 'demo', sizeBytes: 8192, path: '/srv/demo.db'}},
	{
		type: 'migrations.planned',
		applied: [{name: '0001_init', checksum: 'e'.repeat(64), reversible: true, appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'ops', runId: 'r0', drift: 'none'}],
		pending: [{name: '0002_a', checksum: 'f'.repeat(64), reversible: true}, {name: '0003_b', checksum: '1'.repeat(64), reversible: false}],
	},
	{type: 'window.planned', startsAt: 1_700_000_000_000, expectedMinutes: 30, prep: [{id: 'notified', text: 'Stakeholders notified'}], hooks: {on: null, off: null}},
];

export const throughBackup: RunEvent[] = [
	...opening,
	{type: 'operator.prep-ticked', itemId: 'notified', ticked: true},
	{type: 'operator.window-confirmed', typedName: 'demo'},
	{type: 'backup.started', path: artifact.path, method: 'sqlite online backup'},
	{type: 'backup.progress', progress: {bytes: 2048, pagesDone: 1, pagesTotal: 2}},
	{type: 'backup.finished', artifact, durationMs: 1000},
	{type: 'verify.finished', verification: {ok: true, items: [{name: 'integrity_check', ok: true, detail: 'ok'}]}, durationMs: 10},
];
