import type {Cell, CheckResult, Evidence, Verdict} from './model.js';
import {EVIDENCE_LIMIT} from './model.js';

/**
 * What a check expects of its query's rows.
 * - no-rows: every returned row is an offender (duplicates, orphans)
 * - some-rows: at least one row must come back (an active admin)
 * - same-rows-as: the rows must equal the evidence of an earlier check (the archive holds exactly the duplicates)
 */
export type Expectation =
	| {kind: 'no-rows'}
	| {kind: 'some-rows'}
	| {kind: 'same-rows-as'; check: string};

export function describeExpectation(expect: Expectation): string {
	switch (expect.kind) {
		case 'no-rows': {
			return 'no rows';
		}

		case 'some-rows': {
			return 'at least one row';
		}

		case 'same-rows-as': {
			return `the same rows as ${expect.check}`;
		}
	}
}

export function toEvidence(columns: string[], rows: Cell[][]): Evidence {
	return {columns, rows: rows.slice(0, EVIDENCE_LIMIT), total: rows.length, truncated: rows.length > EVIDENCE_LIMIT};
}

/** Decides a verdict from rows already fetched; `earlier` holds the results of checks run before this one. */
export function judge(expect: Expectation, evidence: Evidence, earlier: readonly CheckResult[]): {verdict: Verdict; detail: string} {
	const n = evidence.total;
	switch (expect.kind) {
		case 'no-rows': {
			return n === 0
				? {verdict: 'passed', detail: 'no offending rows'}
				: {verdict: 'failed', detail: `${n} offending row${n === 1 ? '' : 's'}`};
		}

		case 'some-rows': {
			return n > 0
				? {verdict: 'passed', detail: `${n} row${n === 1 ? '' : 's'} found`}
				: {verdict: 'failed', detail: 'no rows found, at least one expected'};
		}

		case 'same-rows-as': {
			const reference = [...earlier].reverse().find(c => `${c.phase}.${c.id}` === expect.check || c.id === expect.check);
			if (!reference) {
				return {verdict: 'error', detail: `${expect.check} has not run, nothing to compare with`};
			}

			if (reference.evidence.truncated || evidence.truncated) {
				return {verdict: 'error', detail: `more than ${EVIDENCE_LIMIT} rows: too many to compare from the record`};
			}

			const key = (rows: Cell[][]) => rows.map(r => JSON.stringify(r.map(normalise))).sort();
			const expected = key(reference.evidence.rows);
			const actual = key(evidence.rows);
			const missing = expected.filter(r => !actual.includes(r)).length;
			const extra = actual.filter(r => !expected.includes(r)).length;
			return missing === 0 && extra === 0
				? {verdict: 'passed', detail: `the same ${n} row${n === 1 ? '' : 's'} as ${expect.check}`}
				: {verdict: 'failed', detail: `${missing} row${missing === 1 ? '' : 's'} of ${expect.check} missing, ${extra} unexpected`};
		}
	}
}

// PostgreSQL returns bigint as text and SQLite as number: compare by value.
function normalise(cell: Cell): Cell {
	return typeof cell === 'number' ? String(cell) : cell;
}
