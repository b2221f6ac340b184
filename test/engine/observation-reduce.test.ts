import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import {crossings, levelsChanged, type ObservedFigure} from '../../source/engine/observation.js';
import {initialState} from '../../source/engine/state.js';
import {checkEntries} from '../../source/journal/check-entries.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {atProceed, fold, orphanReadings, T0, upgradeEvents} from '../support/run-fixtures.js';

const figure = (name: string, level: ObservedFigure['level'], value: number | null = 0.5): ObservedFigure =>
	({name, level, value, unit: 'ratio', warn: 0.8, alert: 0.9, detail: `${name} at ${String(value)}`});

const observing: EventOf<'observation.started'> = {
	type: 'observation.started', minutes: 15, durationMs: 900_000, endsAt: T0 + 900_000, everyMs: 5000,
	thresholds: {connections: {warn: 0.8, alert: 0.9}}, thresholdsFrom: 'runbook',
};

const posted = (() => {
	const start = atProceed([orphanReadings]);
	return fold([
		...upgradeEvents,
		{type: 'migration.finished', name: '0004-drop-legacy-tariffs', direction: 'up', durationMs: 20},
		{type: 'upgrade.finished', ok: true},
		{type: 'post.compared', after: {meters: 3}, diff: []},
	], {start, at: i => start.now + ((i + 1) * 1000)});
})();
const more = (events: RunEvent[], start = posted) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});

describe('the observation period in the reducer', () => {
	it('starts on the post step, which stays passed, with its time and thresholds', () => {
		const state = more([observing]);
		assert.equal(state.step, 'post');
		assert.equal(state.steps.post.status, 'passed');
		assert.equal(state.observation?.durationMs, 900_000);
		assert.equal(state.observation?.startedAt, posted.now + 1000);
		assert.deepEqual(state.observation?.figures, []);
		assert.equal(state.observation?.finished, null);
	});

	it('keeps the latest figures, every breach with its time, and the operator\'s request', () => {
		const state = more([
			observing,
			{type: 'observation.sample', figures: [figure('connections', 'ok')]},
			{type: 'observation.breach', figure: figure('connections', 'alert', 0.95), previous: 'ok'},
			{type: 'observation.sample', figures: [figure('connections', 'alert', 0.95)]},
			{type: 'operator.observation-rollback'},
		]);
		const o = state.observation!;
		assert.deepEqual(o.figures.map(f => f.level), ['alert']);
		assert.equal(o.breaches.length, 1);
		assert.equal(o.breaches[0]?.previous, 'ok');
		assert.equal(o.breaches[0]?.at, posted.now + 3000);
		assert.equal(o.requested, 'rollback');
		assert.deepEqual(state.decisions.at(-1)?.summary, 'went from the observation period to the rollback prompt');
	});

	it('a read that failed keeps its error until one succeeds', () => {
		const o = more([observing, {type: 'observation.sample', figures: [], error: 'connection refused'}, {type: 'observation.sample', figures: [figure('connections', 'ok')]}]).observation!;
		assert.equal(o.error, null);
		assert.equal(more([observing, {type: 'observation.sample', figures: [], error: 'connection refused'}]).observation?.error, 'connection refused');
	});

	it('finishing adds the time observed; a resumed period keeps what the interrupted one saw', () => {
		const interrupted = more([
			observing,
			{type: 'observation.breach', figure: figure('connections', 'warn'), previous: 'ok'},
			{type: 'observation.finished', reason: 'interrupted', observedMs: 60_000, breaches: 1},
		]);
		assert.deepEqual(interrupted.observation?.finished, {reason: 'interrupted', at: interrupted.now});
		assert.equal(interrupted.observation?.observedMs, 60_000);
		const resumed = more([{...observing, resumed: true, endsAt: interrupted.now + 840_000}, {type: 'observation.finished', reason: 'elapsed', observedMs: 840_000, breaches: 1}], interrupted);
		assert.equal(resumed.observation?.observedMs, 900_000);
		assert.equal(resumed.observation?.breaches.length, 1);
		assert.equal(resumed.observation?.finished?.reason, 'elapsed');
	});

	it('an operator event without an observation, or after it ended, changes nothing', () => {
		assert.equal(more([{type: 'operator.observation-ended'}]).observation, null);
		const done = more([observing, {type: 'observation.finished', reason: 'elapsed', observedMs: 900_000, breaches: 0}, {type: 'operator.observation-ended'}]);
		assert.equal(done.observation?.requested, null);
		assert.equal(more([{type: 'observation.sample', figures: []}], initialState()).observation, null);
	});

	it('every new kind is described and checks as known; old records without them fold as before', () => {
		const events: RunEvent[] = [
			observing,
			{type: 'observation.sample', figures: [figure('connections', 'ok'), figure('replication-lag', 'not-applicable', null)]},
			{type: 'observation.breach', figure: figure('connections', 'alert', 0.95), previous: 'ok'},
			{type: 'operator.observation-ended'},
			{type: 'operator.observation-ended', flag: '--observe skip'},
			{type: 'operator.observation-rollback'},
			{type: 'observation.finished', reason: 'ended-early', observedMs: 61_000, breaches: 1},
		];
		const lines = events.map(describeEvent);
		assert.match(lines[0]!, /observation period: 15 min, until .*every 5 s; thresholds from the runbook: connections/);
		assert.match(lines[1]!, /connections ok 50\.0%.*replication-lag not applicable/);
		assert.match(lines[2]!, /^BREACH connections ALERT \(was ok\): connections at 0\.95 \(warn 80\.0%, alert 90\.0%\)$/);
		assert.equal(lines[3], 'operator ended the observation period early');
		assert.equal(lines[4], 'operator skipped the observation period (--observe skip)');
		assert.match(lines[6]!, /over after 1 min 1 s: ended early by the operator; 1 breach$/);
		const checked = checkEntries(events.map((event, seq) => ({seq, at: T0 + seq, event})));
		assert.equal(checked.problem, null);
		assert.deepEqual(checked.unknown, []);
		assert.equal(posted.observation, null);
	});
});

describe('what an observation records', () => {
	it('a breach is a crossing into a worse level, not every read in it', () => {
		const ok = [figure('connections', 'ok'), figure('lock-wait', 'ok')];
		assert.deepEqual(crossings([], [figure('connections', 'warn')]).map(c => [c.figure.level, c.previous]), [['warn', 'ok']]);
		assert.deepEqual(crossings(ok, [figure('connections', 'alert'), figure('lock-wait', 'ok')]).map(c => c.previous), ['ok']);
		assert.deepEqual(crossings([figure('connections', 'warn')], [figure('connections', 'alert')]).map(c => c.previous), ['warn']);
		assert.deepEqual(crossings([figure('connections', 'alert')], [figure('connections', 'alert')]), []);
		assert.deepEqual(crossings([figure('connections', 'alert')], [figure('connections', 'warn')]), []);
		assert.deepEqual(crossings([figure('connections', 'not-applicable')], [figure('connections', 'not-applicable')]), []);
	});

	it('a sample is due when a level changes or the figures stop (or start again) being read', () => {
		const read = (level: ObservedFigure['level'], error: string | null = null) => ({figures: [figure('connections', level, Math.random())], error});
		assert.equal(levelsChanged(read('ok'), read('ok')), false);
		assert.equal(levelsChanged(read('ok'), read('warn')), true);
		assert.equal(levelsChanged(read('ok'), read('ok', 'refused')), true);
		assert.equal(levelsChanged(read('ok', 'refused'), read('ok', 'refused')), false);
	});
});
