import {columnsEqualOffenders, describeKind, judgeKind, type KindExpectation} from './judge-kinds.js';
import {describeProbe, type ProbeExpectation} from './judge-probes.js';
import type {Cell, CheckPhase, CheckResult, Evidence, Verdict} from './model.js';
import {EVIDENCE_LIMIT} from './model.js';

/**
 * What a check expects of its query's rows.
 * - no-rows: every returned row is an offender (duplicates, orphans)
 * - some-rows: at least one row must come back (an active admin)
 * - same-rows-as: the rows must equal the evidence of an earlier check (the archive holds exactly the duplicates)
 * and the kinds of judge-kinds.ts, and what an HTTP or command probe must answer (judge-probes.ts).
 */
export type Expectation =
	| {kind: 'no-rows'}
	| {kind: 'some-rows'}
	| {kind: 'same-rows-as'; check: string}
	| KindExpectation
	| ProbeExpectation;

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

		case 'http':
		case 'command': {
			return describeProbe(expect);
		}

		default: {
			return describeKind(expect);
		}
	}
}

/** The first `limit` rows (a check's `evidence:`, else EVIDENCE_LIMIT) and the true total. */
export function toEvidence(columns: string[], rows: Cell[][], limit = EVIDENCE_LIMIT): Evidence {
	return {columns, rows: rows.slice(0, limit), total: rows.length, truncated: rows.length > limit};
}

/**
 * Judges every row the query returned and keeps the evidence: the offending rows for
 * columns-equal (which rows offend is known only from all of them), else the rows returned.
 */
export function judgeRows(expect: Expectation, columns: string[], rows: Cell[][], earlier: readonly CheckResult[], limit = EVIDENCE_LIMIT): {verdict: Verdict; detail: string; evidence: Evidence} {
	if (expect.kind === 'columns-equal') {
		const offenders = columnsEqualOffenders(expect.columns, columns, rows);
		if (typeof offenders === 'string') {
			return {verdict: 'error', detail: offenders, evidence: toEvidence(columns, [], limit)};
		}

		const evidence = toEvidence(columns, offenders, limit);
		return {...judgeKind(expect, evidence, earlier), evidence};
	}

	const evidence = toEvidence(columns, rows, limit);
	return {...judge(expect, evidence, earlier), evidence};
}

/** A verdict that lets the run go on: passed, or nothing to judge because the check's table does not exist yet. */
export function isSatisfied(verdict: Verdict): boolean {
	return verdict === 'passed' || verdict === 'not-applicable';
}

/** "table users", "schema billing", or "a table" when the driver did not name it. */
export function describeMissing(relation: {kind: 'table' | 'schema'; name: string | null}): string {
	return relation.name === null ? `a ${relation.kind}` : `${relation.kind} ${relation.name}`;
}

/**
 * A check whose statement names a table that does not exist. Before the upgrade that is a first
 * deployment: nothing to judge yet. After the upgrade the migrations were to create it, so its
 * absence is a finding, and an error rather than a pass.
 */
export function judgeMissing(phase: CheckPhase | 'health', relation: {kind: 'table' | 'schema'; name: string | null}): {verdict: Verdict; detail: string} {
	const what = describeMissing(relation);
	if (phase === 'health') {
		// Outside a run nothing is still to be created: a table a health check reads must be there.
		return {verdict: 'error', detail: `${what} does not exist`};
	}

	return phase === 'pre'
		? {verdict: 'not-applicable', detail: `${what} does not exist yet`}
		: {verdict: 'error', detail: `${what} does not exist after the upgrade`};
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

			if (!(reference.verdict === 'passed' || reference.verdict === 'failed' || reference.verdict === 'not-applicable')) {
				return {verdict: 'error', detail: `${expect.check} did not run to the end (${reference.verdict}), nothing to compare with`};
			}

			if (reference.evidence.truncated || evidence.truncated) {
				const kept = reference.evidence.truncated ? reference.evidence.rows.length : evidence.rows.length;
				return {verdict: 'error', detail: `more than ${kept} rows: too many to compare from the record`};
			}

			const key = (rows: Cell[][]) => rows.map(r => JSON.stringify(r.map(normalise))).sort();
			const expected = key(reference.evidence.rows);
			const actual = key(evidence.rows);
			const missing = expected.filter(r => !actual.includes(r)).length;
			const extra = actual.filter(r => !expected.includes(r)).length;
			// Its table did not exist yet, so it found no rows: the later check must find none either.
			const against = reference.verdict === 'not-applicable' ? ` (${expect.check} was not applicable: ${reference.detail})` : '';
			return missing === 0 && extra === 0
				? {verdict: 'passed', detail: `the same ${n} row${n === 1 ? '' : 's'} as ${expect.check}${against}`}
				: {verdict: 'failed', detail: `${missing} row${missing === 1 ? '' : 's'} of ${expect.check} missing, ${extra} unexpected${against}`};
		}

		case 'columns-equal': {
			// Evidence already cut to its limit: judge the rows it kept (judgeRows sees them all).
			const offenders = columnsEqualOffenders(expect.columns, evidence.columns, evidence.rows);
			return typeof offenders === 'string'
				? {verdict: 'error', detail: offenders}
				: judgeKind(expect, {...evidence, rows: offenders, total: offenders.length, truncated: false}, earlier);
		}

		// A probe is judged from its whole answer (run/probe-checks.ts), which rows cannot hold.
		case 'http':
		case 'command': {
			return {verdict: 'error', detail: `a ${expect.kind} probe is judged from its answer, not from rows`};
		}

		default: {
			return judgeKind(expect, evidence, earlier);
		}
	}
}

// PostgreSQL returns bigint as text and SQLite as number: compare by value.
function normalise(cell: Cell): Cell {
	return typeof cell === 'number' ? String(cell) : cell;
}
