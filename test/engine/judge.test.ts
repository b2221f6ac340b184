import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {judge, toEvidence, type Expectation} from '../../source/engine/judge.js';
import {diffRowCounts} from '../../source/engine/row-diff.js';
import type {Cell} from '../../source/engine/model.js';
import {check} from '../support/run-events.js';

const dups = check({id: 'duplicate-meters', evidence: toEvidence(['id', 'unit_id'], [[5, 1], [9, 2]])});

describe('judge', () => {
	const table: Array<[string, Expectation, Cell[][], 'passed' | 'failed' | 'error', RegExp]> = [
		['no-rows with none', {kind: 'no-rows'}, [], 'passed', /no offending/],
		['no-rows with two', {kind: 'no-rows'}, [[1], [2]], 'failed', /2 offending rows/],
		['some-rows with one', {kind: 'some-rows'}, [[1]], 'passed', /1 row found/],
		['some-rows with none', {kind: 'some-rows'}, [], 'failed', /at least one expected/],
		['same rows, any order, text or number ids', {kind: 'same-rows-as', check: 'pre.duplicate-meters'}, [['9', '2'], ['5', '1']], 'passed', /same 2 rows/],
		['one missing', {kind: 'same-rows-as', check: 'pre.duplicate-meters'}, [[5, 1]], 'failed', /1 row of pre.duplicate-meters missing, 0 unexpected/],
		['one extra', {kind: 'same-rows-as', check: 'pre.duplicate-meters'}, [[5, 1], [9, 2], [11, 3]], 'failed', /0 rows .* missing, 1 unexpected/],
		['unknown reference', {kind: 'same-rows-as', check: 'pre.nope'}, [], 'error', /has not run/],
	];
	for (const [name, expect, rows, verdict, detail] of table) {
		it(name, () => {
			const result = judge(expect, toEvidence(['id', 'unit_id'], rows), [dups]);
			assert.equal(result.verdict, verdict);
			assert.match(result.detail, detail);
		});
	}

	it('evidence keeps the first 50 rows and the true total', () => {
		const evidence = toEvidence(['n'], Array.from({length: 120}, (_, i) => [i]));
		assert.equal(evidence.rows.length, 50);
		assert.equal(evidence.total, 120);
		assert.equal(evidence.truncated, true);
		assert.equal(judge({kind: 'no-rows'}, evidence, []).detail, '120 offending rows');
	});
});

describe('diffRowCounts', () => {
	it('covers tables on either side', () => {
		assert.deepEqual(diffRowCounts({meters: 40, users: 8}, {meters: 36, meters_archive: 4, users: 8}), [
			{table: 'meters', before: 40, after: 36, delta: -4},
			{table: 'meters_archive', before: null, after: 4, delta: 4},
			{table: 'users', before: 8, after: 8, delta: 0},
		]);
	});
});
