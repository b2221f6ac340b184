// A screen takes a key as soon as its gate is drawn; the flow asks a moment later. A key in
// between is on the record and must count: these runs press every key early, on fake ports.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import type {BackupArtifact} from '../../source/engine/model.js';
import {consoleDecider} from '../../source/run/decider.js';
import {runFlow, type FlowResult} from '../../source/run/flow.js';
import type {RunDeps} from '../../source/run/run-deps.js';
import {createSession, type Session} from '../../source/run/session.js';
import {backupDone, cleanPlanned, fingerprinted, started, T0, verified, windowConfirmed, windowEvents, windowPlanned} from '../support/run-fixtures.js';
import {snapshotOf} from '../support/snapshots.js';

const plan = cleanPlanned as EventOf<'migrations.planned'>;
const artifact = (backupDone.at(-1) as EventOf<'backup.finished'>).artifact;
const verification = (verified(true) as EventOf<'verify.finished'>).verification;
const newSession = () => createSession({path: '/dev/null', append() {}, close() {}}, {now: () => T0});

function fakeDeps(session: Session): RunDeps {
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
			name: 'early keys', path: '/dev/null', sha256: '0'.repeat(64), window: {expectedMinutes: 10},
			preparation: [{id: 'notify', text: 'Support knows'}],
			maintenance: {on: null, off: null},
			checks: {pre: [], post: []},
			upgrade: {},
		},
		backupsDir: '/tmp',
		recordsDir: '/tmp',
		directories: {probe: async () => ({writable: true, freeBytes: 1e12, device: 1})},
		runId: 'r-early',
		appliedBy: 'test',
		signal: new AbortController().signal,
	} as unknown as RunDeps;
}

/** The flow's end, or a failure naming where it waits, rather than a test that hangs. */
async function within<T>(ms: number, work: Promise<T>, waiting: () => string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms; last event: ${waiting()}`)), ms);
	});
	try {
		return await Promise.race([work, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** Up to the proceed gate, with nothing drifted (drift alone keeps that gate closed). */
const atGate: RunEvent[] = [started, fingerprinted, cleanPlanned, windowPlanned, ...windowConfirmed, ...backupDone, verified(true), {type: 'baseline.captured', counts: {meters: 3}}];

const kinds = (session: Session) => session.entries.map(entry => entry.event.type);

describe('a decision made before the flow waits for it', () => {
	it('goes on: the window, the proceed (pressed while the flow is between the baseline and its wait) and the rollback choice', async () => {
		const session = newSession();
		session.subscribe((_, entry) => {
			const {type} = entry.event;
			if (type === 'window.planned') {
				session.emit({type: 'operator.prep-ticked', itemId: 'notify', ticked: true});
				session.emit({type: 'operator.window-confirmed', typedName: 'shop'});
			} else if (type === 'baseline.captured') {
				// Enter as soon as the gate is drawn: before the flow has turned the event loop to ask.
				setImmediate(() => session.emit({type: 'operator.proceed', step: 'pre'}));
			} else if (type === 'rollback.offered') {
				session.emit({type: 'operator.rollback-chosen', choice: 'keep'});
			}
		});
		const deps = fakeDeps(session);
		const {type: _, ...start} = started as EventOf<'run.started'>;
		const outcome: FlowResult = await within(5000, runFlow(deps, {start, to: null, window: {startsAt: null, expectedMinutes: null}}), () => kinds(session).at(-1) ?? 'none');
		assert.equal(outcome, 'upgraded');
		const decisions = session.entries.map(entry => entry.event).filter(event => event.type.startsWith('operator.'));
		assert.deepEqual(decisions.map(d => d.type), ['operator.prep-ticked', 'operator.window-confirmed', 'operator.proceed', 'operator.rollback-chosen']);
		assert.ok(kinds(session).indexOf('operator.proceed') < kinds(session).indexOf('upgrade.started'));
		assert.deepEqual(session.state.migrations.map(m => m.status), ['done', 'done']);
	});

	const gates: Array<[string, RunEvent[], (session: Session) => Promise<unknown>, unknown]> = [
		['window confirmation', [...windowEvents, ...windowConfirmed], async session => consoleDecider.confirmWindow(session), true],
		['proceed', [...atGate, {type: 'operator.proceed', step: 'pre'}], async session => consoleDecider.proceedToUpgrade(session), true],
		['leave at the proceed gate', [...atGate, {type: 'operator.abandoned', reason: 'left at the proceed gate'}], async session => consoleDecider.proceedToUpgrade(session), false],
		['rollback choice', [...windowEvents, ...windowConfirmed, ...backupDone, verified(true), {type: 'rollback.offered', reason: 'test', options: [{choice: 'keep', available: true, action: 'leave it', cost: 'nothing'}]}, {type: 'operator.rollback-chosen', choice: 'keep'}], async session => consoleDecider.chooseRollback(session, true), 'keep'],
	];
	for (const [gate, events, ask, expected] of gates) {
		it(`is read from the journal at the ${gate}`, async () => {
			const session = newSession();
			for (const event of events) {
				session.emit(event);
			}

			assert.deepEqual(await within(2000, ask(session), () => 'the decider'), expected);
		});
	}

	it('does not take an answer given at an earlier gate for a later one', async () => {
		const session = newSession();
		for (const event of [...windowEvents, ...windowConfirmed, {type: 'operator.rollback-chosen', choice: 'restore'} as RunEvent, {type: 'rollback.offered', reason: 'test', options: [{choice: 'keep', available: true, action: 'leave it', cost: 'nothing'}]} as RunEvent]) {
			session.emit(event);
		}

		const answer = consoleDecider.chooseRollback(session, true);
		session.emit({type: 'operator.rollback-chosen', choice: 'keep'});
		assert.equal(await within(2000, answer, () => 'the decider'), 'keep');
	});
});

describe('the observation period with the console\'s decisions', () => {
	// A busy server: 95 of 100 connections, over the handbook's 90 %; the clock stands still, so only a key ends the period.
	const busy = {read: async () => ({connections: {used: 95, usable: 100}, cacheHitRatio: 0.99, lockWait: {waiting: 0, longestMs: null}, replication: {replicas: 0, lagBytes: null, lagMs: null}, cacheHitOver: {kind: 'since-reset' as const}})};
	const observed = (session: Session): RunDeps => {
		const deps = fakeDeps(session);
		return {...deps, figures: busy, runbook: {...deps.runbook, thresholds: {}, observe: {durationMs: 60_000, everyMs: 100}}};
	};

	for (const [key, event, reason, reasonWords] of [
		['e', {type: 'operator.observation-ended'}, 'ended-early', /observation period ended early \(breaches: connections alert\)/],
		['r', {type: 'operator.observation-rollback'}, 'rollback', /came here from the observation period \(breaches: connections alert\)/],
	] as const) {
		it(`${key} pressed as soon as the period is drawn ends it (${reason}), the breach recorded, and the rollback prompt follows`, async () => {
			const session = newSession();
			session.subscribe((_, entry) => {
				const {type} = entry.event;
				if (type === 'window.planned') {
					session.emit({type: 'operator.prep-ticked', itemId: 'notify', ticked: true});
					session.emit({type: 'operator.window-confirmed', typedName: 'shop'});
				} else if (type === 'baseline.captured') {
					setImmediate(() => session.emit({type: 'operator.proceed', step: 'pre'}));
				} else if (type === 'observation.breach') {
					// After the first read: the key comes while the flow waits for the next one.
					setImmediate(() => session.emit(event));
				} else if (type === 'rollback.offered') {
					session.emit({type: 'operator.rollback-chosen', choice: 'keep'});
				}
			});
			const {type: _, ...start} = started as EventOf<'run.started'>;
			const outcome = await within(5000, runFlow(observed(session), {start, to: null, window: {startsAt: null, expectedMinutes: null}}), () => kinds(session).at(-1) ?? 'none');
			assert.equal(outcome, 'upgraded');
			const all = kinds(session);
			const from = all.indexOf('observation.started');
			assert.deepEqual(all.slice(from, from + 6), ['observation.started', 'observation.breach', 'observation.sample', event.type, 'observation.finished', 'rollback.offered']);
			assert.equal(session.state.observation?.finished?.reason, reason);
			assert.equal(session.state.observation?.thresholdsFrom, 'handbook');
			assert.deepEqual(session.state.observation?.breaches.map(b => [b.name, b.level]), [['connections', 'alert']]);
			assert.match(session.state.rollback?.reason ?? '', reasonWords);
		});
	}

	it('is read from the journal: a key pressed before the decider asks counts, one from an earlier period does not', async () => {
		const session = newSession();
		const begin: RunEvent = {type: 'observation.started', minutes: 1, durationMs: 60_000, endsAt: T0 + 60_000, everyMs: 5000, thresholds: {}, thresholdsFrom: 'handbook'};
		for (const event of [...windowEvents, begin, {type: 'operator.observation-ended'} as RunEvent]) {
			session.emit(event);
		}

		assert.equal(await within(2000, consoleDecider.observationDecision(session), () => 'the decider'), 'ended-early');
		session.emit({type: 'observation.finished', reason: 'interrupted', observedMs: 1000, breaches: 0});
		session.emit({...begin, resumed: true});
		const answer = consoleDecider.observationDecision(session);
		session.emit({type: 'operator.observation-rollback'});
		assert.equal(await within(2000, answer, () => 'the decider'), 'rollback');
	});
});
