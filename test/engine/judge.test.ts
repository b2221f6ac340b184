import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {isSatisfied, judge, judgeMissing, toEvidence, type Expectation} from '../../source/engine/judge.js';
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

	it('same-rows-as a check that was not applicable compares with no rows, and says so', () => {
		const none = check({id: 'duplicate-meters', verdict: 'not-applicable', detail: 'table meters does not exist yet', evidence: toEvidence([], [])});
		const empty = judge({kind: 'same-rows-as', check: 'pre.duplicate-meters'}, toEvidence(['id'], []), [none]);
		assert.equal(empty.verdict, 'passed');
		assert.match(empty.detail, /same 0 rows as pre.duplicate-meters \(pre.duplicate-meters was not applicable: table meters does not exist yet\)/);
		// Rows where there were none before is a real finding.
		const some = judge({kind: 'same-rows-as', check: 'pre.duplicate-meters'}, toEvidence(['id'], [[7]]), [none]);
		assert.equal(some.verdict, 'failed');
		assert.match(some.detail, /0 rows of pre.duplicate-meters missing, 1 unexpected \(pre.duplicate-meters was not applicable/);
	});

	it('same-rows-as a check that could not run is an error, not a comparison with its empty evidence', () => {
		const broken = check({id: 'duplicate-meters', verdict: 'error', detail: 'syntax error', evidence: toEvidence([], [])});
		const result = judge({kind: 'same-rows-as', check: 'pre.duplicate-meters'}, toEvidence(['id'], []), [broken]);
		assert.equal(result.verdict, 'error');
		assert.match(result.detail, /pre.duplicate-meters did not run to the end \(error\)/);
	});

	it('a missing table is not applicable before the upgrade and an error after it', () => {
		assert.deepEqual(judgeMissing('pre', {kind: 'table', name: 'users'}), {verdict: 'not-applicable', detail: 'table users does not exist yet'});
		assert.deepEqual(judgeMissing('pre', {kind: 'schema', name: 'billing'}), {verdict: 'not-applicable', detail: 'schema billing does not exist yet'});
		assert.deepEqual(judgeMissing('post', {kind: 'table', name: 'users'}), {verdict: 'error', detail: 'table users does not exist after the upgrade'});
		assert.deepEqual(judgeMissing('pre', {kind: 'table', name: null}), {verdict: 'not-applicable', detail: 'a table does not exist yet'});
		assert.deepEqual((['passed', 'failed', 'error', 'not-applicable'] as const).map(v => isSatisfied(v)), [true, false, false, true]);
	});

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
