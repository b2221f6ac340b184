import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {ratesBetween} from '../../source/watch/deltas.js';
import {applyThreshold, cacheHitLevel, connectionsLevel, DEFAULT_THRESHOLDS, lockWaitLevel, replicationLagLevel} from '../../source/watch/thresholds.js';
import {toLockSample} from '../../source/watch/lock-sample.js';
import {backoffMs} from '../../source/watch/backoff.js';
import {initialWatchState, listItems, reduceWatch, type WatchEvent, type WatchState} from '../../source/watch/watch-state.js';
import type {ActivityRow, ActivitySnapshot} from '../../source/watch/types.js';
import {row, waiting} from './rows.js';

const t = DEFAULT_THRESHOLDS;

export function snapshot(rows: ActivityRow[], at = 10_000, counters = {blocksHit: 0, blocksRead: 0, transactions: 0}): ActivitySnapshot {
	return {at, rows, idleSessions: 0, ownPid: 1, stats: {maxConnections: 100, reservedConnections: 3, counters, replication: {replicas: 0, lagBytes: null, lagMs: null}, preparedTransactions: 0, serverVersion: '15.4'}};
}

const fold = (events: WatchEvent[], from: WatchState = initialWatchState('postgres://db/shop')) => events.reduce(reduceWatch, from);

describe('thresholds from the maintenance handbook', () => {
	for (const [what, level, expected] of [
		['connections 80 of 100', connectionsLevel(80, 100, t), 'ok'],
		['connections 81 of 100', connectionsLevel(81, 100, t), 'warn'],
		['connections 91 of 100', connectionsLevel(91, 100, t), 'alert'],
		['cache hit 99 %', cacheHitLevel(0.99, t), 'ok'],
		['cache hit 98 %', cacheHitLevel(0.98, t), 'warn'],
		['cache hit 94 %', cacheHitLevel(0.94, t), 'alert'],
		['cache hit unknown', cacheHitLevel(null, t), 'ok'],
		['lock wait 1 s', lockWaitLevel(1000, t), 'ok'],
		['lock wait 1.2 s', lockWaitLevel(1200, t), 'warn'],
		['lock wait 6 s', lockWaitLevel(6000, t), 'alert'],
		['lag 2 s', replicationLagLevel(2000, t), 'warn'],
		['lag 11 s', replicationLagLevel(11_000, t), 'alert'],
	] as const) {
		it(`${what} is ${expected}`, () => {
			assert.equal(level, expected);
		});
	}

	it('can be changed by name, and refuses what it does not know', () => {
		const changed = applyThreshold(t, 'lock-wait-warn=2');
		assert.equal(typeof changed === 'string' ? changed : changed.lockWaitWarnMs, 2000);
		const percent = applyThreshold(t, 'connections-alert=95');
		assert.equal(typeof percent === 'string' ? percent : percent.connectionsAlert, 0.95);
		assert.match(String(applyThreshold(t, 'locks=2')), /is not one of/);
		assert.match(String(applyThreshold(t, 'cache-hit-warn=120')), /at most 100/);
	});
});

describe('rates over the last interval', () => {
	it('uses the delta, not the all-time ratio', () => {
		const before = {at: 0, counters: {blocksHit: 1_000_000, blocksRead: 0, transactions: 100}};
		const after = {at: 2000, counters: {blocksHit: 1_000_090, blocksRead: 10, transactions: 300}};
		assert.deepEqual(ratesBetween(before, after), {cacheHitRatio: 0.9, transactionsPerSecond: 100});
	});

	it('gives no rate on the first refresh, after a stats reset, or when nothing was read', () => {
		const at = (blocksHit: number, transactions: number, ms: number) => ({at: ms, counters: {blocksHit, blocksRead: 0, transactions}});
		assert.deepEqual(ratesBetween(null, at(5, 5, 0)), {cacheHitRatio: null, transactionsPerSecond: null});
		assert.deepEqual(ratesBetween(at(50, 50, 0), at(5, 5, 1000)), {cacheHitRatio: null, transactionsPerSecond: null});
		assert.equal(ratesBetween(at(5, 5, 0), at(5, 5, 1000)).cacheHitRatio, null);
	});
});

describe('watch state', () => {
	const rows = [
		row(10, {state: 'idle in transaction', xactMs: 90_000, query: 'UPDATE meters SET reading = 1'}),
		waiting(11, [10], {queryMs: 5000, query: 'ALTER TABLE meters ADD note text', user: 'deploy'}),
		row(12, {queryMs: 20_000, xactMs: 20_000, query: 'SELECT * FROM invoices', application: 'reports'}),
		row(13, {state: null, visible: false, query: null, user: 'other', queryMs: null}),
		row(14, {state: 'idle'}),
	];

	it('computes rates across refreshes, and restarts them after an outage', () => {
		const state = fold([
			{type: 'refreshed', snapshot: snapshot(rows, 1000, {blocksHit: 100, blocksRead: 0, transactions: 10})},
			{type: 'refreshed', snapshot: snapshot(rows, 2000, {blocksHit: 199, blocksRead: 1, transactions: 60})},
		]);
		assert.deepEqual(state.rates, {cacheHitRatio: 0.99, transactionsPerSecond: 50});
		const after = fold([
			{type: 'refresh-failed', error: 'server closed the connection', attempt: 1, retryAt: 3000},
			{type: 'refreshed', snapshot: snapshot(rows, 9000, {blocksHit: 5, blocksRead: 5, transactions: 1})},
		], state);
		assert.deepEqual(after.rates, {cacheHitRatio: null, transactionsPerSecond: null});
		assert.equal(after.connection.status, 'up');
	});

	it('lists running sessions by age, hidden ones included, and idle-in-transaction ones apart', () => {
		const state = fold([{type: 'refreshed', snapshot: snapshot(rows)}]);
		assert.deepEqual(listItems(state).map(item => item.row?.pid), [12, 11, 13]);
		assert.deepEqual(listItems(fold([{type: 'view-chosen', view: 'idle'}], state)).map(item => item.row?.pid), [10]);
		assert.equal(state.selectedPid, 12);
	});

	it('filters by regex over user, application and query, keeps hidden rows the pattern could match, and refuses a bad regex', () => {
		const state = fold([{type: 'refreshed', snapshot: snapshot(rows)}, {type: 'filter-set', pattern: 'alter|other'}]);
		assert.deepEqual(listItems(state).map(item => item.row?.pid), [11, 13]);
		const bad = fold([{type: 'filter-set', pattern: '(('}], state);
		assert.equal(bad.filter.pattern, 'alter|other');
		assert.match(bad.filterError ?? '', /Invalid regular expression/);
		const slow = fold([{type: 'filter-set', pattern: ''}, {type: 'min-duration-cycled'}, {type: 'min-duration-cycled'}], state);
		assert.equal(slow.filter.minDurationMs, 5000);
		assert.deepEqual(listItems(slow).map(item => item.row?.pid), [12, 11]);
	});

	it('asks before cancelling, naming the query, and records the outcome', () => {
		const state = fold([{type: 'refreshed', snapshot: snapshot(rows)}, {type: 'selection-moved', by: 1}, {type: 'action-asked', kind: 'terminate'}]);
		assert.deepEqual(state.confirm, {kind: 'terminate', pid: 11, user: 'deploy', database: 'shop', query: 'ALTER TABLE meters ADD note text'});
		const done = fold([{type: 'action-finished', outcome: {kind: 'terminate', pid: 11, ok: true, detail: 'pg_terminate_backend(11) sent'}, at: 5}], state);
		assert.equal(done.confirm, null);
		assert.equal(done.actions[0]?.query, 'ALTER TABLE meters ADD note text');
	});

	it('changes the interval in steps and pauses', () => {
		const state = fold([{type: 'interval-changed', step: 1}, {type: 'interval-changed', step: 1}, {type: 'pause-toggled'}]);
		assert.equal(state.intervalMs, 5000);
		assert.equal(state.paused, true);
		assert.equal(fold(Array.from({length: 9}, () => ({type: 'interval-changed', step: -1}) as const)).intervalMs, 500);
	});
});

describe('lock sample and backoff', () => {
	it('keeps the longest waiters and counts the rest', () => {
		const rows = Array.from({length: 14}, (_, i) => waiting(100 + i, [1], {stateMs: i * 1000}));
		const sample = toLockSample([row(1), ...rows], 10);
		assert.equal(sample.waiters.length, 10);
		assert.equal(sample.more, 4);
		assert.equal(sample.waiters[0]!.pid, 113);
		assert.deepEqual(sample.waiters[0]!.blockedBy, [1]);
	});

	it('backs off 1, 2, 4, 8 s, then every 15 s', () => {
		assert.deepEqual([1, 2, 3, 4, 5, 9].map(backoffMs), [1000, 2000, 4000, 8000, 15_000, 15_000]);
	});
});
