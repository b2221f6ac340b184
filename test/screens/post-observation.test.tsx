import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import type {ObservedFigure} from '../../source/engine/observation.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {SummaryScreen} from '../../screens/summary-screen.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, check, fold, orphanReadings, upgradeEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, now: number, decisions: RunEvent[] = [], interactive = true) {
	current = render(<App state={state} now={now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive={interactive}/>);
	return current;
}

const start = atProceed([orphanReadings]);
const more = (events: RunEvent[], from = start) => fold(events, {start: from, at: i => from.now + ((i + 1) * 1000)});
const posted = more([
	...upgradeEvents,
	{type: 'migration.finished', name: '0004-drop-legacy-tariffs', direction: 'up', durationMs: 20},
	{type: 'upgrade.finished', ok: true},
	{type: 'check.finished', result: check('post.meters-unique', 'passed', {phase: 'post', title: 'Meter serials unique'})},
	{type: 'post.compared', after: {meters: 2, readings: 10}, diff: [{table: 'meters', before: 3, after: 2, delta: -1}, {table: 'readings', before: 10, after: 10, delta: 0}]},
]);

const figure = (name: string, level: ObservedFigure['level'], value: number | null, detail: string, unit: ObservedFigure['unit'] = 'ratio'): ObservedFigure =>
	({name, level, value, unit, warn: unit === 'ratio' ? 0.8 : 2000, alert: unit === 'ratio' ? 0.9 : 5000, detail});
const figures = [
	figure('connections', 'alert', 0.94, '91 of 97 usable connections (93.8%)'),
	figure('cache-hit', 'ok', 0.995, '99.5% of blocks found in shared buffers over the 5.0 s sampled (server-wide)'),
	figure('lock-wait', 'warn', 3200, '2 sessions wait for a lock, the longest for 3.2 s', 'ms'),
	figure('replication-lag', 'not-applicable', null, 'no replica is attached', 'ms'),
];
const started: EventOf<'observation.started'> = {
	type: 'observation.started', minutes: 15, durationMs: 900_000, endsAt: posted.now + 1000 + 900_000, everyMs: 5000,
	thresholds: {connections: {warn: 0.8, alert: 0.9}}, thresholdsFrom: 'runbook',
};
const breaches: RunEvent[] = Array.from({length: 8}, (_, i) => ({type: 'observation.breach', figure: i % 2 === 0 ? figures[0]! : figures[2]!, previous: 'ok'}));
const observing = more([started, ...breaches, {type: 'observation.sample', figures}], posted);

describe('the observation period on the post screen', () => {
	it('shows time left, the figures with their levels, the latest breaches and the keys, within 80x24', async () => {
		const frame = await show(observing, posted.now + 1000 + 150_000).waitForFrame('Observation period');
		assert.deepEqual(overflowing(frame), []);
		// The live region (header to key line) within 24 rows; finished steps above it are printed once.
		const live = frame.slice(frame.indexOf('cutover · step')).split('\n');
		assert.ok(live.length <= 23, `${live.length} rows:\n${frame}`);
		assert.match(frame, /step 5 of 7 · Post-verification/);
		assert.match(frame, /✓ Post-verification passed: 1 check, 1 table with other row counts/);
		assert.match(frame, /Observation period · 12 m 30 s left of 15 m 00 s · figures every 5 s/);
		assert.match(frame, /connections {6}ALERT {3}94\.0% {2}91 of 97 usable connections \(93\.8%\) · warn 80/);
		assert.match(frame, /lock-wait {8}WARN {4}3\.2 s {2}2 sessions wait/);
		assert.match(frame, /replication-lag {2}n\/a {12}no replica is attached/);
		assert.match(frame, /8 breaches so far/);
		assert.match(frame, /…2 earlier breaches in the record/);
		assert.equal(frame.match(/\d\d:\d\d:\d\d {2}(connections|lock-wait)/g)?.length, 6);
		assert.match(frame, /e end early \(to the rollback prompt\) · r go to the rollback prompt now/);
	});

	it('e ends early and r goes to the rollback prompt, as operator decisions; e opens no errors overlay', async () => {
		const decisions: RunEvent[] = [];
		const view = show(observing, observing.now, decisions);
		await view.waitForFrame('e end early');
		view.stdin.write('e');
		await view.waitForFrame(() => decisions.length === 1);
		assert.deepEqual(decisions, [{type: 'operator.observation-ended'}]);
		await new Promise(resolve => setTimeout(resolve, 50));
		assert.doesNotMatch(view.lastFrame(), /Errors of this run/);
		view.stdin.write('r');
		await view.waitForFrame(() => decisions.length === 2);
		assert.deepEqual(decisions[1], {type: 'operator.observation-rollback'});
	});

	it('once a request is on the record, says so and takes no more keys', async () => {
		const decisions: RunEvent[] = [];
		const view = show(more([{type: 'operator.observation-rollback'}], observing), observing.now, decisions);
		await view.waitForFrame('Going to the rollback prompt…');
		view.stdin.write('e');
		await new Promise(resolve => setTimeout(resolve, 50));
		assert.deepEqual(decisions, []);
	});

	it('before the first read, and on SQLite where nothing applies, and under the handbook\'s thresholds', async () => {
		const first = await show(more([{...started, thresholdsFrom: 'handbook'}], posted), posted.now + 1000).waitForFrame('Reading the figures');
		assert.match(first, /✓ No threshold breached/);
		assert.match(first, /thresholds: the maintenance handbook's \(the runbook names none\)/);
		current?.unmount();
		const sqlite = more([started, {type: 'observation.sample', figures: [figure('connections', 'not-applicable', null, 'SQLite has no connection slots: one process opens the file')]}], posted);
		const frame = await show(sqlite, sqlite.now).waitForFrame('n/a');
		assert.match(frame, /connections {6}n\/a {12}SQLite has no connection slots/);
		assert.deepEqual(overflowing(frame), []);
	});

	it('in replay: the same view, no keys offered', async () => {
		const frame = await show(observing, observing.now, [], false).waitForFrame('Observation period');
		assert.doesNotMatch(frame, /e end early/);
		assert.match(frame, /8 breaches so far/);
	});
});

describe('the observation period on the summary', () => {
	it('says in one line how long it was observed, how it ended and what crossed its thresholds', async () => {
		const ended = more([{type: 'observation.finished', reason: 'ended-early', observedMs: 150_000, breaches: 8}], observing);
		current = render(<SummaryScreen state={ended} recordPath='/srv/records/r.jsonl' width={80}/>);
		const frame = await current.waitForFrame('Observed');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /Observed 2 m 30 s, ended early · connections alert ×4, lock-wait warn ×4\n/);
		// A run without an observation period says nothing of one.
		current.unmount();
		current = render(<SummaryScreen state={posted} recordPath='/srv/records/r.jsonl' width={80}/>);
		assert.doesNotMatch(await current.waitForFrame('Decisions'), /Observed/);
	});
});
