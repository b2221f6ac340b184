import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {Entry, RunEvent} from '../../source/engine/events.js';
import type {LockSample} from '../../source/engine/model.js';
import type {RunState} from '../../source/engine/state.js';
import {control, startCursor} from '../../source/replay/controller.js';
import {buildTimeline} from '../../source/replay/timeline.js';
import {App} from '../../screens/app.js';
import {ReplayScreen} from '../../screens/replay/replay-screen.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {atProceed, backupDone, baseline, cleanPlanned, fingerprinted, fold, orphanReadings, started, T0, upgradeEvents, verified, windowConfirmed, windowPlanned} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const REPORT = 'SELECT customer_id, sum(amount) FROM invoices JOIN tariffs USING (tariff_id) GROUP BY customer_id ORDER BY 2 DESC -- monthly revenue report for finance, runs for an hour';

/** The migrator waits behind a report (777, not waiting itself, so the sample has no query for it); a web request waits behind the migrator. */
const sample: LockSample = {
	waiters: [
		{pid: 5100, user: 'cutover', application: 'cutover migrator', waitingMs: 9000, query: 'ALTER TABLE tariffs DROP COLUMN legacy', blockedBy: [777]},
		{pid: 4242, user: 'app', application: 'shop-web', waitingMs: 3200, query: REPORT, blockedBy: [5100]},
	],
	more: 0,
};

const proceeded = atProceed([orphanReadings]);
const more = (events: RunEvent[], start: RunState = proceeded) => fold(events, {start, at: i => start.now + ((i + 1) * 1000)});
const waiting = more([...upgradeEvents, {type: 'watch.sampled', sample}]);

function show(state: RunState, interactive = true) {
	const decisions: RunEvent[] = [];
	current = render(<App state={state} now={state.now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive={interactive}/>);
	return {screen: current, decisions};
}

/** The live region: from the header of the current step down. */
const live = (frame: string) => frame.slice(frame.lastIndexOf('cutover · step'));

describe('upgrade screen: cancel or terminate a session from the lock watch', () => {
	it('offers the blocker first, then the waiters; cutover\'s own session is listed last, not offered', async () => {
		const {screen} = show(waiting);
		await screen.waitForFrame('↑↓ pick one of 2 sessions to cancel or terminate');
		screen.stdin.write(keys.down);
		const frame = await screen.waitForFrame('Esc back');
		assert.deepEqual(overflowing(frame), []);
		const lines = live(frame).split('\n');
		const picker = lines.slice(lines.findIndex(l => l.startsWith('locks: pick a session')) + 1, -1);
		assert.match(picker[0]!, /^▸ 777 \? blocks 5100: query not in the sample$/);
		assert.match(picker[1]!, /^ {2}4242 app\/shop-web waits 3 s for 5100: SELECT customer_id/);
		assert.match(picker[2]!, /^ {2}5100 cutover\/cutover migrator blocks 4242, waits 9 s for 777: cutover's own s/);
		assert.equal(picker.length, 3);

		// c on cutover's own session opens nothing.
		screen.stdin.write(keys.down);
		screen.stdin.write(keys.down);
		await screen.waitForFrame('▸ 5100');
		screen.stdin.write('c');
		screen.stdin.write(keys.up);
		const onWaiter = await screen.waitForFrame('▸ 4242');
		assert.doesNotMatch(onWaiter, /Cancel the query/);
	});

	it('c on a waiter shows its pid and query; y sends exactly one decision', async () => {
		const {screen, decisions} = show(waiting);
		await screen.waitForFrame('↑↓ pick one of');
		screen.stdin.write(keys.down);
		screen.stdin.write(keys.down);
		await screen.waitForFrame('▸ 4242');
		screen.stdin.write('c');
		const frame = await screen.waitForFrame('Cancel the query of pid 4242 (app/shop-web)?');
		assert.deepEqual(overflowing(frame), []);
		// The whole query, wrapped inside the box.
		const text = live(frame).split('\n').map(line => line.replace(/^│|│$/g, '')).join('').replaceAll(/\s+/g, '');
		assert.ok(text.includes(REPORT.replaceAll(/\s+/g, '')), text);
		assert.match(frame, /y: pg_cancel_backend\(4242\) {3}any other key: leave it running/);
		assert.deepEqual(decisions, []);

		screen.stdin.write('y');
		await screen.waitForFrame(f => !f.includes('Cancel the query') && f.includes('↑↓ pick one of'));
		assert.deepEqual(decisions, [{type: 'operator.backend-action', action: 'cancel', pid: 4242, query: REPORT, user: 'app'}]);
	});

	it('k on the blocker says its query is unknown and whom it blocks; n sends nothing, nor does a later y', async () => {
		const {screen, decisions} = show(waiting);
		await screen.waitForFrame('↑↓ pick one of');
		screen.stdin.write(keys.down);
		await screen.waitForFrame('▸ 777');
		screen.stdin.write('k');
		const frame = await screen.waitForFrame('Terminate the session of pid 777 (?)?');
		assert.match(frame, /its query is not in the lock sample \(it waits for nothing\); it blocks 5100/);
		assert.match(frame, /y: pg_terminate_backend\(777\)/);
		assert.deepEqual(overflowing(frame), []);

		screen.stdin.write('n');
		await screen.waitForFrame(f => !f.includes('Terminate the session') && f.includes('▸ 777'));
		screen.stdin.write('y');
		screen.stdin.write(keys.down);
		// The keys after n reach the picker, not a confirmation.
		await screen.waitForFrame('▸ 4242');
		assert.deepEqual(decisions, []);

		screen.stdin.write(keys.escape);
		await screen.waitForFrame(f => f.includes('↑↓ pick one of') && !f.includes('▸'));
		screen.stdin.write(keys.down);
		screen.stdin.write('k');
		await screen.waitForFrame('Terminate the session of pid 777');
		screen.stdin.write('y');
		await screen.waitForFrame(f => !f.includes('Terminate the session'));
		assert.deepEqual(decisions, [{type: 'operator.backend-action', action: 'terminate', pid: 777, query: null, user: null}]);
	});

	it('q answers the confirmation instead of leaving the run', async () => {
		const {screen, decisions} = show(waiting);
		await screen.waitForFrame('↑↓ pick one of');
		screen.stdin.write(keys.down);
		screen.stdin.write('c');
		await screen.waitForFrame('Cancel the query of pid 777');
		screen.stdin.write('q');
		const frame = await screen.waitForFrame(f => !f.includes('Cancel the query'));
		assert.doesNotMatch(frame, /Leave the run\?/);
		assert.match(frame, /▸ 777/);
		assert.deepEqual(decisions, []);
	});

	it('the help lists the keys of the upgrade step within 80 columns', async () => {
		const {screen} = show(waiting);
		await screen.waitForFrame('↑↓ pick one of');
		screen.stdin.write('?');
		const frame = await screen.waitForFrame('terminate its session');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /↑ ↓ +pick a session that waits for a lock, or one that blocks them/);
		assert.match(frame, /c +cancel its query \(shows the query, asks for y\)/);
	});

	it('not interactive (replay): no hint, the keys do nothing and nothing is sent', async () => {
		const {screen, decisions} = show(waiting, false);
		const first = await screen.waitForFrame('locks: 2 sessions waiting');
		assert.doesNotMatch(first, /pick a session/);
		for (const key of [keys.down, 'c', 'y', keys.down, 'k', 'y']) {
			screen.stdin.write(key);
		}

		// A rerender after the keys: the screen is unchanged.
		screen.rerender(<App state={waiting} now={waiting.now + 1} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive={false}/>);
		const frame = await screen.waitForFrame('locks: 2 sessions waiting');
		assert.doesNotMatch(frame, /▸|Cancel the query|Terminate the session/);
		assert.deepEqual(decisions, []);
	});

	it('the answer shows under the lock watch, and a refusal says why', async () => {
		const answered = more([
			{type: 'operator.backend-action', action: 'terminate', pid: 777, query: null, user: null},
			{type: 'backend-action.finished', action: 'terminate', pid: 777, ok: true, detail: 'pg_terminate_backend(777) sent'},
			{type: 'operator.backend-action', action: 'cancel', pid: 5100, query: null, user: null},
		], waiting);
		const {screen} = show(answered);
		let frame = await screen.waitForFrame('… cancel 5100 (2 asked in this run): asked by Dana Ops, waiting for the server');
		assert.deepEqual(overflowing(frame), []);
		screen.rerender(<App state={more([{type: 'backend-action.finished', action: 'cancel', pid: 5100, ok: false, detail: 'pid 5100 is cutover\'s own session (cutover migrator); refused'}], answered)} now={answered.now} onDecision={() => {}} onQuit={() => {}} interactive/>);
		frame = await screen.waitForFrame('✗ cancel 5100 (2 asked in this run): pid 5100 is cutover\'s own session');
		assert.deepEqual(overflowing(frame), []);
	});

	it('fits 24 rows with a long plan, a retry, the picker and an answer', async () => {
		const names = Array.from({length: 14}, (_, i) => `00${String(i + 10)}-step`);
		const crowded = fold([
			started, fingerprinted, cleanPlanned, windowPlanned, ...windowConfirmed, ...backupDone, verified(true),
			{type: 'check.finished', result: orphanReadings}, baseline,
			{type: 'operator.proceed', step: 'pre'},
			{type: 'upgrade.started', names},
			...names.slice(0, 6).flatMap((name): RunEvent[] => [
				{type: 'migration.started', name, direction: 'up'},
				{type: 'migration.finished', name, direction: 'up', durationMs: 10},
			]),
			{type: 'migration.started', name: names[6]!, direction: 'up'},
			{type: 'migration.retrying', name: names[6]!, attempt: 1, maxAttempts: 3, waitMs: 2000, error: 'lock timeout'},
			{type: 'watch.sampled', sample: {waiters: [...sample.waiters, ...[1, 2, 3, 4].map(n => ({...sample.waiters[1]!, pid: 4242 + n}))], more: 3}},
			{type: 'operator.backend-action', action: 'terminate', pid: 777, query: null, user: null},
			{type: 'backend-action.finished', action: 'terminate', pid: 777, ok: true, detail: 'pg_terminate_backend(777) sent'},
		]);
		const {screen} = show(crowded);
		await screen.waitForFrame('↑↓ pick one of');
		screen.stdin.write(keys.down);
		const picking = await screen.waitForFrame('Esc back');
		screen.stdin.write(keys.down);
		screen.stdin.write(keys.down);
		screen.stdin.write('k');
		const confirming = await screen.waitForFrame('Terminate the session of pid 4243');
		for (const frame of [picking, confirming]) {
			assert.deepEqual(overflowing(frame), []);
			// The live region plus the footer line the root adds.
			assert.ok(live(frame).trimEnd().split('\n').length <= 24, live(frame));
		}
	});
});

describe('replay of backend actions', () => {
	it('folding the recorded events shows the decision and its answer on the upgrade screen', async () => {
		const events: RunEvent[] = [
			started, fingerprinted, cleanPlanned, windowPlanned, ...windowConfirmed, ...backupDone, verified(true),
			{type: 'check.finished', result: orphanReadings}, baseline, ...upgradeEvents,
			{type: 'watch.sampled', sample},
			{type: 'operator.backend-action', action: 'terminate', pid: 777, query: null, user: null},
			{type: 'backend-action.finished', action: 'terminate', pid: 777, ok: true, detail: 'pg_terminate_backend(777) sent'},
		];
		const entries: Entry[] = events.map((event, seq) => ({seq, at: T0 + (seq * 1000), event}));
		const timeline = buildTimeline(entries);
		const cursor = control(startCursor(), {type: 'last'}, timeline);
		current = render(
			<ReplayScreen
				state={timeline.stateAt(cursor.position)}
				entry={timeline.entries[cursor.position]!}
				total={timeline.length}
				cursor={cursor}
				wait={null}
				damage={null}
				recordPath='/records/r.jsonl'
				onAction={() => {}}
				onQuit={() => {}}
			/>,
		);
		const frame = await current.waitForFrame('✓ terminate 777: pg_terminate_backend(777) sent');
		assert.match(frame, /locks: 2 sessions waiting/);
		assert.doesNotMatch(frame, /pick a session/);
		assert.deepEqual(overflowing(frame), []);
		const state = timeline.stateAt(cursor.position);
		assert.deepEqual(state.decisions.at(-1)?.summary, 'asked to terminate backend 777: query not known');
		assert.equal(state.backendActions[0]?.by?.name, 'Dana Ops');
	});
});
