import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {useState} from 'react';
import {CompactLockWaits} from '../../screens/watch/compact-lock-waits.js';
import {WatchScreen, type WatchIntent} from '../../screens/watch/watch-screen.js';
import {initialWatchState, reduceWatch, type WatchState} from '../../source/watch/watch-state.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {row, waiting} from './rows.js';
import {snapshot} from './watch-state.test.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

const rows = [
	row(101, {state: 'idle in transaction', user: 'batch', query: 'UPDATE meters SET reading = reading + 1 WHERE id = 1', xactMs: 95_000, stateMs: 60_000}),
	waiting(102, [101], {user: 'deploy', query: 'ALTER TABLE meters ADD COLUMN note text', stateMs: 7000, queryMs: 7000}),
	waiting(103, [102], {user: 'web', query: 'SELECT count(*) FROM meters', stateMs: 6000, queryMs: 6000}),
	row(104, {visible: false, state: null, query: null, user: 'other', queryMs: null}),
];

/** The screen with the reducer behind it, as the command wires it; effects are only recorded. */
function Harness({start, effects}: {start: WatchState; effects: WatchIntent[]}) {
	const [state, setState] = useState(start);
	return (
		<WatchScreen state={state} now={10_000} width={80} height={24} interactive onIntent={intent => {
			if (intent.type === 'action-confirmed' || intent.type === 'copy-query' || intent.type === 'size-requested' || intent.type === 'quit') {
				effects.push(intent);
			} else {
				setState(previous => reduceWatch(previous, intent));
			}
		}}/>
	);
}

const loaded = () => reduceWatch(initialWatchState('postgres://db-1/shop'), {type: 'refreshed', snapshot: snapshot(rows)});

describe('watch screen at 80 columns', () => {
	it('shows the header figures with their thresholds and hidden sessions as such', async () => {
		const effects: WatchIntent[] = [];
		current = render(<Harness start={loaded()} effects={effects}/>);
		const frame = await current.waitForFrame('[1 running]');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /cutover watch · every 1 s · postgres:\/\/db-1\/shop/);
		assert.match(frame, /sessions 5\/97/);
		assert.match(frame, /waiting 2 \(7 s\)!!/);
		assert.match(frame, /oldest tx 1 m 35 s/);
		assert.match(frame, /104 .*<insufficient privilege>/);
		assert.doesNotMatch(frame, /^.*101 .*UPDATE/m, 'idle in transaction is not running');
	});

	it('draws the blocking tree with the reader under the DDL', async () => {
		current = render(<Harness start={loaded()} effects={[]}/>);
		await current.waitForFrame('[1 running]');
		current.stdin.write('2');
		const frame = await current.waitForFrame('[2 blocking]');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /101 batch idle in tx 1 m 00 s \[blocks 2\]\s+UPDATE meters/);
		assert.match(frame, /└ 102 deploy waits 7 s\s+ALTER TABLE meters/);
		assert.match(frame, / {2}└ 103 web waits 6 s\s+SELECT count\(\*\)/);
	});

	it('asks before terminating, showing the query, and sends nothing on n', async () => {
		const effects: WatchIntent[] = [];
		current = render(<Harness start={loaded()} effects={effects}/>);
		await current.waitForFrame('[1 running]');
		current.stdin.write(keys.down);
		await current.waitForFrame(frame => /› 103/.test(frame));
		current.stdin.write(keys.up);
		await current.waitForFrame(frame => /› 102/.test(frame));
		current.stdin.write('k');
		let frame = await current.waitForFrame('Terminate the session pid 102');
		assert.match(frame, /ALTER TABLE meters ADD COLUMN note text/);
		assert.match(frame, /y: pg_terminate_backend\(102\)/);
		assert.deepEqual(overflowing(frame), []);
		current.stdin.write('n');
		frame = await current.waitForFrame(f => !f.includes('Terminate the session'));
		assert.deepEqual(effects, []);
		current.stdin.write('c');
		await current.waitForFrame('Cancel the query of pid 102');
		current.stdin.write('y');
		await new Promise(resolve => setImmediate(resolve));
		assert.deepEqual(effects, [{type: 'action-confirmed'}]);
	});

	it('filters with / and shows the filter', async () => {
		current = render(<Harness start={loaded()} effects={[]}/>);
		await current.waitForFrame('[1 running]');
		current.stdin.write('/');
		await current.waitForFrame('filter (regex');
		current.stdin.write('deploy');
		await current.waitForFrame('deploy▌');
		current.stdin.write(keys.enter);
		const frame = await current.waitForFrame('filter /deploy/');
		assert.match(frame, /102 /);
		assert.doesNotMatch(frame, /103 /);
	});

	it('says it is reconnecting, with the countdown, when the server went away', async () => {
		const down = reduceWatch(loaded(), {type: 'refresh-failed', error: 'cannot connect to PostgreSQL at postgres://db-1/shop: Connection terminated', attempt: 3, retryAt: 14_000});
		current = render(<Harness start={down} effects={[]}/>);
		const frame = await current.waitForFrame('reconnecting in 4 s (attempt 3)');
		assert.match(frame, /102 /, 'the last rows stay on screen');
	});
});

describe('compact lock waits', () => {
	it('fits a sample in at most 4 lines of 80 columns', async () => {
		const sample = {
			waiters: [
				{pid: 7, user: 'deploy', application: 'cutover', waitingMs: 6500, query: 'ALTER TABLE meters ADD COLUMN note text NOT NULL DEFAULT \'none of these words fit in eighty columns\'', blockedBy: [3, 4]},
				{pid: 8, user: 'web', application: null, waitingMs: 5000, query: 'SELECT 1', blockedBy: [7]},
				{pid: 9, user: null, application: null, waitingMs: 4000, query: null, blockedBy: [0]},
				{pid: 10, user: 'web', application: null, waitingMs: 3000, query: 'SELECT 2', blockedBy: [7]},
			],
			more: 6,
		};
		current = render(<CompactLockWaits sample={sample} width={80}/>);
		const frame = await current.waitForFrame('locks:');
		assert.equal(frame.trimEnd().split('\n').length, 4);
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /locks: 10 sessions waiting, longest 7 s!! \(7 more not shown\)/);
		assert.match(frame, /9 \? 4 s ← prepared tx: <insufficient privilege>/);
	});

	it('says so when nobody waits', async () => {
		current = render(<CompactLockWaits sample={{waiters: [], more: 0}} width={80}/>);
		assert.match(await current.waitForFrame('locks:'), /locks: nobody waits/);
	});
});
