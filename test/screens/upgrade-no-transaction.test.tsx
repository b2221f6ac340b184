import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {Entry, RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {buildTimeline} from '../../source/replay/timeline.js';
import {startCursor} from '../../source/replay/controller.js';
import {App} from '../../screens/app.js';
import {ReplayScreen} from '../../screens/replay/replay-screen.js';
import {planLines} from '../../screens/components/plan-view.js';
import {overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, backupDone, baseline, fingerprinted, fold, orphanReadings, started, T0, verified, windowConfirmed, windowPlanned} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const NAME = '0004-index-serials';
const proceeded = atProceed([orphanReadings]);
const plannedOutside: RunEvent = {
	type: 'migrations.planned',
	applied: proceeded.plan?.applied ?? [],
	pending: [{name: NAME, checksum: 'a'.repeat(64), reversible: true, noTransaction: {statements: 3, notRetrySafe: [{index: 2, why: 'CREATE INDEX CONCURRENTLY without IF NOT EXISTS'}]}}],
};
const upgrade: RunEvent[] = [
	plannedOutside,
	{type: 'operator.proceed', step: 'pre'},
	{type: 'upgrade.started', names: [NAME]},
	{type: 'migration.started', name: NAME, direction: 'up'},
	{type: 'migration.statement-started', name: NAME, direction: 'up', index: 1, total: 3, statement: 'CREATE TABLE IF NOT EXISTS s (a int)'},
	{type: 'migration.statement-finished', name: NAME, direction: 'up', index: 1, total: 3, durationMs: 4},
	{type: 'migration.statement-started', name: NAME, direction: 'up', index: 2, total: 3, statement: 'CREATE INDEX CONCURRENTLY s_a ON s (a)'},
];
// The events atProceed folds, as a record holds them, with the plan marking the migration.
const proceededEvents: RunEvent[] = [started, fingerprinted, plannedOutside, windowPlanned, ...windowConfirmed, ...backupDone, verified(true), {type: 'check.finished', result: orphanReadings}, baseline];
const more = (events: RunEvent[], start: RunState = proceeded) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});

describe('upgrade screen: a migration outside a transaction', () => {
	it('is tagged "no transaction", shows statement k of n while it runs, and which statement is not safe to retry, in 80 columns', async () => {
		const state = more(upgrade);
		const decisions: RunEvent[] = [];
		current = render(<App state={state} now={state.now} onDecision={e => decisions.push(e)} onQuit={() => {}} interactive/>);
		const frame = await current.waitForFrame('statement 2 of 3');
		assert.match(frame, /⟳ 0004-index-serials {2}running \d+ s · statement 2 of 3 {2}no transaction/);
		assert.match(frame, /! not safe to retry: statement 2: CREATE INDEX CONCURRENTLY without IF NOT\n {6}EXISTS/);
		assert.deepEqual(overflowing(frame), []);
	});

	it('wraps the not-safe-to-retry line at 60 columns rather than cutting it', async () => {
		const state = more(upgrade);
		current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>, {columns: 60});
		const frame = await current.waitForFrame('statement 2 of 3');
		assert.match(frame.replaceAll(/\s+/g, ' '), /! not safe to retry: statement 2: CREATE INDEX CONCURRENTLY without IF NOT EXISTS/);
		assert.doesNotMatch(frame, /not safe to retry[^\n]*…/);
	});

	it('the window\'s whole plan marks it and lists the statements not safe to retry', () => {
		const plan = plannedOutside.type === 'migrations.planned' ? {applied: plannedOutside.applied, pending: plannedOutside.pending} : {applied: [], pending: []};
		assert.ok(planLines(plan, []).some(line => /0004-index-serials {2}aaaaaaaa.* {2}no transaction; not safe to retry: 2: CREATE INDEX CONCURRENTLY without IF NOT EXISTS$/.test(line)), planLines(plan, []).join('\n'));
	});

	it('after a failure, says which statements took effect', async () => {
		const state = more([...upgrade, {type: 'migration.failed', name: NAME, direction: 'up', error: 'boom', statement: 'CREATE INDEX CONCURRENTLY s_a ON s (a)', durationMs: 2000, tookEffect: {statements: 1, total: 3}}]);
		current = render(<App state={state} now={state.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		const frame = await current.waitForFrame('took effect');
		assert.match(frame, /took effect, not rolled back: statement 1 of 3/);
	});

	it('names an INVALID index and asks: d sends the operator\'s decision to drop it', async () => {
		const state = more([
			...upgrade.slice(0, 3),
			{type: 'invalid-index.found', name: NAME, indexes: [{index: 's_a', qualified: 'public.s_a', table: 's'}]},
		]);
		const decisions: RunEvent[] = [];
		current = render(<App state={state} now={state.now} onDecision={e => decisions.push(e)} onQuit={() => {}} interactive/>);
		const frame = await current.waitForFrame('INVALID');
		assert.match(frame, /! INVALID index left by a CREATE INDEX CONCURRENTLY that failed or stopped:\n {2}public\.s_a on s \(built by 0004-index-serials\)\n/);
		assert.match(frame, /d: drop it \(DROP INDEX CONCURRENTLY\) and run the migration · n: stop here/);
		assert.deepEqual(overflowing(frame), []);
		current.stdin.write('d');
		for (let i = 0; i < 50 && decisions.length === 0; i++) {
			// eslint-disable-next-line no-await-in-loop -- polling
			await new Promise(resolve => setImmediate(resolve));
		}

		assert.deepEqual(decisions, [{type: 'operator.invalid-index-drop', name: NAME, indexes: ['public.s_a'], drop: true}]);
	});

	it('replay draws the same from the record: statement k of n, the INVALID index and the recorded answer', async () => {
		const events: RunEvent[] = [
			...upgrade.slice(0, 3),
			{type: 'invalid-index.found', name: NAME, indexes: [{index: 's_a', qualified: 'public.s_a', table: 's'}]},
			{type: 'operator.invalid-index-drop', name: NAME, indexes: ['public.s_a'], drop: true},
			{type: 'invalid-index.dropped', name: NAME, index: 'public.s_a', ok: true, detail: 'DROP INDEX CONCURRENTLY done'},
			...upgrade.slice(3),
		];
		// The record from its first line: the events that led to the proceed, then these.
		const entries: Entry[] = [...proceededEvents, ...events].map((event, seq) => ({seq, at: T0 + (seq * 1000), event}));
		const timeline = buildTimeline(entries);
		const cursor = {...startCursor(), position: entries.length - 1};
		current = render(<ReplayScreen state={timeline.stateAt(cursor.position)} entry={timeline.entries[cursor.position]!} total={timeline.length} cursor={cursor} wait={null} damage={null} recordPath='/r.jsonl' onAction={() => {}} onQuit={() => {}}/>);
		const frame = await current.waitForFrame('statement 2 of 3');
		assert.match(frame, /no transaction/);
		assert.match(frame, /dropping confirmed: public\.s_a dropped/);
	});
});

