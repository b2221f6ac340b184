import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {buildBlockingTree, type TreeLine} from '../../source/watch/blocking-tree.js';
import {row, waiting} from './rows.js';

const shape = (lines: TreeLine[]) => lines.map(line => ({pid: line.pid, level: line.level, also: line.alsoWaitsFor, kind: line.kind, cycle: line.inCycle, workers: line.workers}));
const plain = {kind: 'session', cycle: false, workers: 0} as const;

describe('blocking tree', () => {
	it('is empty when nobody waits', () => {
		assert.deepEqual(buildBlockingTree([row(1), row(2, {state: 'idle'})]), []);
	});

	it('draws readers queued behind a waiting DDL under the DDL, and the DDL under the deepest of its blockers', () => {
		const rows = [
			row(10, {state: 'idle in transaction'}),
			waiting(11, [10], {waitEvent: 'transactionid'}),
			waiting(12, [10, 11], {query: 'ALTER TABLE meters ADD COLUMN note text', stateMs: 5000}),
			waiting(13, [12], {stateMs: 3000}),
			waiting(14, [12], {stateMs: 4000}),
			row(15),
		];
		assert.deepEqual(shape(buildBlockingTree(rows)), [
			{pid: 10, level: 0, also: [], ...plain},
			{pid: 11, level: 1, also: [], ...plain},
			{pid: 12, level: 2, also: [10], ...plain},
			// Longest waiter first.
			{pid: 14, level: 3, also: [], ...plain},
			{pid: 13, level: 3, also: [], ...plain},
		]);
		assert.equal(buildBlockingTree(rows)[0]!.blocking, 4);
	});

	it('shows a prepared transaction (pid 0) and a pid it cannot see as their own lines', () => {
		const lines = buildBlockingTree([waiting(20, [0]), waiting(21, [777])]);
		assert.deepEqual(lines.map(line => [line.pid, line.level, line.kind, line.row === null]), [
			[0, 0, 'prepared', true],
			[20, 1, 'session', false],
			[777, 0, 'unseen', true],
			[21, 1, 'session', false],
		]);
	});

	it('folds parallel workers into their leader, on both ends of a wait', () => {
		const rows = [
			row(30, {state: 'idle in transaction'}),
			row(31, {waitEventType: 'IPC', waitEvent: 'ExecuteGather'}),
			waiting(32, [30], {leaderPid: 31, backendType: 'parallel worker'}),
			waiting(33, [30], {leaderPid: 31, backendType: 'parallel worker'}),
			// Someone waiting for a worker's lock is shown waiting for the leader.
			waiting(34, [32]),
		];
		assert.deepEqual(shape(buildBlockingTree(rows)), [
			{pid: 30, level: 0, also: [], ...plain},
			{pid: 31, level: 1, also: [], kind: 'session', cycle: false, workers: 2},
			{pid: 34, level: 2, also: [], ...plain},
		]);
	});

	it('draws a wait cycle once, from its lowest pid, marked, with what waits behind it', () => {
		const rows = [waiting(42, [41]), waiting(41, [43]), waiting(43, [42]), waiting(44, [43]), waiting(45, [44])];
		const lines = buildBlockingTree(rows);
		assert.deepEqual(lines.map(line => [line.pid, line.level, line.inCycle]), [
			[41, 0, true],
			[42, 1, true],
			[43, 2, true],
			[44, 3, false],
			[45, 4, false],
		]);
		assert.equal(new Set(lines.map(line => line.pid)).size, lines.length, 'a session drawn twice');
	});

	it('survives a self-reference and duplicate pids from parallel queries', () => {
		const lines = buildBlockingTree([waiting(50, [50, 51, 51]), row(51)]);
		assert.deepEqual(lines.map(line => [line.pid, line.level, line.alsoWaitsFor]), [[51, 0, []], [50, 1, []]]);
	});

	it('handles a chain far deeper than the call stack would allow', () => {
		const rows = Array.from({length: 20_000}, (_, i) => waiting(i + 1, i === 0 ? [] : [i]));
		rows[0] = row(1);
		const lines = buildBlockingTree(rows);
		assert.equal(lines.length, 20_000);
		assert.equal(lines.at(-1)!.level, 19_999);
	});
});
