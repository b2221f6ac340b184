// Run states for screen tests, built the only honest way: by folding events through the real reducer.
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import type {CheckResult, Evidence} from '../../source/engine/model.js';
import {reduce} from '../../source/engine/reduce.js';
import {initialState, type RunState} from '../../source/engine/state.js';

export const T0 = Date.UTC(2026, 10, 22, 2, 0, 0);

/** Folds events through reduce(), one second apart from T0 unless `at` says otherwise. */
export function fold(events: RunEvent[], options: {start?: RunState; at?: (index: number) => number} = {}): RunState {
	const start = options.start ?? initialState();
	const at = options.at ?? ((i: number) => T0 + (i * 1000));
	return events.reduce((state, event, i) => reduce(state, {seq: state.lastSeq + 1, at: at(i), event}), start);
}

const hex = (seed: string) => seed.repeat(64).slice(0, 64);

export const started: RunEvent = {
	type: 'run.started',
	runId: 'r-7f3a9c21-0d4e',
	toolVersion: '0.1.0',
	operator: {osUser: 'ops', name: 'Dana Ops'},
	host: 'jump-1',
	target: 'postgres://app@db-1:5432/shop',
	checklist: {name: 'shop-2026-11', path: '/srv/cutover/shop.yaml', sha256: hex('c')},
	migrationsDir: '/srv/shop/migrations',
	to: null,
	mode: 'console',
	previousRecord: null,
	signer: null,
};

export const fingerprinted: RunEvent = {
	type: 'target.fingerprinted',
	fingerprint: {engine: 'postgres', serverVersion: '16.4', host: 'db-1:5432', database: 'shop', sizeBytes: 1_234_567, systemIdentifier: '7301234567890123456'},
};

export const planned: EventOf<'migrations.planned'> = {
	type: 'migrations.planned',
	applied: [
		{name: '0001-create-meters', checksum: hex('a1'), reversible: true, appliedAt: '2026-01-01T00:00:00Z', appliedBy: 'ops', runId: 'r-old', drift: 'none'},
		{name: '0002-add-readings', checksum: hex('b2'), reversible: true, appliedAt: '2026-02-01T00:00:00Z', appliedBy: 'ops', runId: 'r-old', drift: 'changed'},
	],
	pending: [
		{name: '0003-unique-meter-serial', checksum: hex('d4e5'), reversible: true},
		{name: '0004-drop-legacy-tariffs', checksum: hex('f6'), reversible: false},
	],
};

/** The same plan with nothing drifted: drift alone closes the upgrade gate. */
export const cleanPlanned: RunEvent = {
	type: 'migrations.planned',
	applied: planned.applied.map(m => ({...m, drift: 'none' as const})),
	pending: planned.pending,
};

export const windowPlanned: RunEvent = {
	type: 'window.planned',
	startsAt: T0 + (30 * 60_000),
	expectedMinutes: 20,
	prep: [
		{id: 'notify', text: 'Support has been told about the window'},
		{id: 'traffic', text: 'Writes from the billing job are paused'},
	],
	hooks: {on: 'maint on', off: 'maint off'},
};

export const windowEvents: RunEvent[] = [started, fingerprinted, planned, windowPlanned];

export const windowConfirmed: RunEvent[] = [
	{type: 'operator.prep-ticked', itemId: 'notify', ticked: true},
	{type: 'operator.prep-ticked', itemId: 'traffic', ticked: true},
	{type: 'operator.window-confirmed', typedName: 'shop'},
];

export const backupStarted: EventOf<'backup.started'> = {type: 'backup.started', path: '/var/backups/cutover/shop-r-7f3a9c21.dump', method: 'pg_dump --format=custom'};

export const backupProgress: RunEvent = {
	type: 'backup.progress',
	progress: {bytes: 600_000, estimatedBytes: 1_200_000, currentTable: 'public.readings', tablesDone: 3, tablesTotal: 7},
};

export const backupDone: RunEvent[] = [
	backupStarted,
	backupProgress,
	{type: 'backup.finished', artifact: {path: '/var/backups/cutover/shop-r-7f3a9c21.dump', format: 'pg-custom', bytes: 1_200_000, sha256: hex('ab12'), sourceCounts: {meters: 3, readings: 10}}, durationMs: 2000},
];

export const verified = (ok: boolean): RunEvent => ({
	type: 'verify.finished',
	verification: {
		ok,
		items: [
			{name: 'sha256', ok: true, detail: 'matches the file on disk'},
			{name: 'pg_restore --list', ok, detail: ok ? '42 entries' : 'pg_restore: error: input file appears to be corrupt'},
		],
	},
	durationMs: 500,
});

const evidence = (columns: string[], rows: Evidence['rows'], total = rows.length): Evidence => ({columns, rows, total, truncated: total > rows.length});

export function check(id: string, verdict: CheckResult['verdict'], options: Partial<CheckResult> = {}): CheckResult {
	return {
		id,
		phase: 'pre',
		title: `Check ${id}`,
		sql: `select serial, count(*)\nfrom meters\ngroup by serial\nhaving count(*) > 1`,
		blocking: true,
		expectation: 'no rows',
		verdict,
		detail: verdict === 'passed' ? 'no offending rows' : '3 offending rows',
		evidence: verdict === 'passed' ? evidence(['serial', 'count'], []) : evidence(['serial', 'count'], [['SN-1', 2], ['SN-2', 2], ['SN-3', 3]], 3),
		durationMs: 12,
		...options,
	};
}

export const duplicateMeters = check('pre.duplicate-meters', 'failed', {title: 'No duplicate meter serials'});
export const orphanReadings = check('pre.orphan-readings', 'passed', {title: 'No orphan readings'});
export const staleTariffs = check('pre.stale-tariffs', 'failed', {title: 'No stale tariffs', blocking: false, detail: '1 offending row', evidence: evidence(['id'], [[9]])});

export const baseline: RunEvent = {type: 'baseline.captured', counts: {meters: 3, readings: 10, tariffs: 4}};

/** A run waiting at pre-validation for the operator, with the given checks (and no drift unless asked). */
export function atProceed(checks: CheckResult[], options: {drift?: boolean} = {}): RunState {
	return fold([
		started,
		fingerprinted,
		options.drift ? planned : cleanPlanned,
		windowPlanned,
		...windowConfirmed,
		...backupDone,
		verified(true),
		...checks.map(result => ({type: 'check.finished', result}) satisfies RunEvent),
		baseline,
	]);
}

export const upgradeEvents: RunEvent[] = [
	{type: 'operator.proceed', step: 'pre'},
	{type: 'upgrade.started', names: ['0003-unique-meter-serial', '0004-drop-legacy-tariffs']},
	{type: 'migration.started', name: '0003-unique-meter-serial', direction: 'up'},
	{type: 'migration.finished', name: '0003-unique-meter-serial', direction: 'up', durationMs: 340},
	{type: 'migration.started', name: '0004-drop-legacy-tariffs', direction: 'up'},
];
