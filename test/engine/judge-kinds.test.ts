import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {judge, judgeRows, toEvidence, type Expectation} from '../../source/engine/judge.js';
import type {Cell, CheckResult} from '../../source/engine/model.js';
import {check} from '../support/run-events.js';

const counted = (id: string, cells: Cell[][], verdict: CheckResult['verdict'] = 'passed') => check({id, verdict, evidence: toEvidence(['row_count'], cells)});
const earlier = [counted('meters', [['200']]), counted('empty', [[0]]), counted('broken', [], 'error'), {...counted('new', []), verdict: 'not-applicable' as const, detail: 'table t does not exist yet'}];

describe('judging the check kinds', () => {
	const table: Array<[string, Expectation, string[], Cell[][], CheckResult['verdict'], string]> = [
		['a table the upgrade created: no count before it, nothing to keep', {kind: 'count-within', what: 'rows in t', check: 'pre.new', percent: 0}, ['row_count'], [[0]], 'not-applicable', 'pre.new was not applicable before the upgrade (table t does not exist yet): no count to keep; 0 now'],
		['a count within its tolerance', {kind: 'count-within', what: 'rows in meters', check: 'pre.meters', percent: 10}, ['row_count'], [[190]], 'passed', 'rows in meters: 190, 200 before (-10, 5%), within 10%'],
		['a count past it', {kind: 'count-within', what: 'rows in meters', check: 'pre.meters', percent: 10}, ['row_count'], [[260]], 'failed', 'rows in meters: 260, 200 before (+60, 30%), more than 10%'],
		['rows where there were none', {kind: 'count-within', what: 'rows in t', check: 'pre.empty', percent: 50}, ['row_count'], [[3]], 'failed', 'rows in t: 3, 0 before (from none), more than 50%'],
		['a baseline that did not run to its end', {kind: 'count-within', what: 'rows in t', check: 'pre.broken', percent: 5}, ['row_count'], [[3]], 'error', 'pre.broken ended error: no baseline to compare 3 with'],
		['a baseline that never ran', {kind: 'count-within', what: 'rows in t', check: 'pre.nope', percent: 5}, ['row_count'], [[3]], 'error', 'pre.nope has not run: no baseline to compare 3 with'],
		['a scalar PostgreSQL sent as text', {kind: 'scalar', op: '<', value: 10}, ['n'], [['9']], 'passed', '9 < 10'],
		['a scalar that is text', {kind: 'scalar', op: '=', value: 1}, ['n'], [['one']], 'error', 'expected a number, the query returned "one"'],
		['a scalar of two rows', {kind: 'scalar', op: '=', value: 1}, ['n'], [[1], [1]], 'error', 'expected one row of one column, the query returned 2 rows of 1 column'],
		['a newest value that is no timestamp', {kind: 'recent', what: 't.at', withinSeconds: 60, within: '1m'}, ['newest', 'age_seconds'], [['soon', null]], 'error', 'the newest t.at, "soon", is not a timestamp the database can read'],
		['a stale table', {kind: 'recent', what: 't.at', withinSeconds: 3600, within: '1h'}, ['newest', 'age_seconds'], [['2026-01-01T00:00:00Z', 90_000]], 'failed', 'newest 2026-01-01T00:00:00Z is 25 h old, older than 1h'],
		['a version query of the wrong shape', {kind: 'version'}, ['name'], [['0001']], 'error', 'the version query returned 1 row of 1 column, expected one row (applied, expected)'],
		['no migration applied', {kind: 'version'}, ['applied', 'expected'], [[null, '0001_a']], 'failed', 'no migration applied, expected 0001_a'],
		['columns equal as numbers, whatever the driver sent', {kind: 'columns-equal', columns: ['total', 'uniq']}, ['kind', 'total', 'uniq'], [['a', '3', 3], ['b', 2, 2]], 'passed', 'total = uniq in every row'],
		['an object that must be gone and is there', {kind: 'schema', want: 'absent', object: 'index uq_x'}, ['name'], [['uq_x']], 'failed', 'index uq_x exists'],
	];
	for (const [name, expect, columns, rows, verdict, detail] of table) {
		it(name, () => {
			const result = judgeRows(expect, columns, rows, earlier);
			assert.equal(result.detail, detail);
			assert.equal(result.verdict, verdict);
		});
	}

	it('columns-equal keeps only the offending rows as evidence, up to the check\'s limit, and knows their true number', () => {
		const rows: Cell[][] = Array.from({length: 30}, (_, i) => [i, i, i % 3 === 0 ? i : i + 1]);
		const result = judgeRows({kind: 'columns-equal', columns: ['total', 'uniq']}, ['id', 'total', 'uniq'], rows, [], 5);
		assert.equal(result.verdict, 'failed');
		assert.equal(result.detail, '20 rows where total ≠ uniq');
		assert.deepEqual(result.evidence.rows.map(r => r[0]), [1, 2, 4, 5, 7]);
		assert.equal(result.evidence.total, 20);
		assert.equal(result.evidence.truncated, true);
	});

	it('same-rows-as past a check\'s own evidence limit names that limit', () => {
		const reference = check({id: 'dups', evidence: toEvidence(['id'], [[1], [2], [3]], 2)});
		const result = judge({kind: 'same-rows-as', check: 'pre.dups'}, toEvidence(['id'], [[1]]), [reference]);
		assert.equal(result.verdict, 'error');
		assert.equal(result.detail, 'more than 2 rows: too many to compare from the record');
	});
});
