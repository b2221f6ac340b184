import {sqlFor} from '../checklist/index.js';
import {describeExpectation, judge, toEvidence} from '../engine/judge.js';
import type {CheckPhase, CheckResult} from '../engine/model.js';
import type {Clock} from '../ports/clock.js';
import type {Database} from '../ports/database.js';
import type {RunbookCheck} from './plan-types.js';

/** Runs one check's SQL and judges it. A check that cannot run is an error verdict, not an exception. */
export async function runCheck(
	database: Database,
	check: RunbookCheck,
	phase: CheckPhase,
	earlier: readonly CheckResult[],
	clock: Clock,
	id = check.id,
): Promise<CheckResult> {
	const sql = sqlFor(check, database.engine);
	const base = {id, phase, title: check.title, sql: sql ?? '', blocking: check.blocking, expectation: describeExpectation(check.expect)};
	const started = clock.now();
	if (sql === null) {
		return {...base, verdict: 'error', detail: `the checklist gives no SQL for ${database.engine}`, evidence: toEvidence([], []), durationMs: 0};
	}

	try {
		const result = await database.query(sql);
		const evidence = toEvidence(result.columns, result.rows);
		return {...base, ...judge(check.expect, evidence, earlier), evidence, durationMs: clock.now() - started};
	} catch (error) {
		return {...base, verdict: 'error', detail: error instanceof Error ? error.message : String(error), evidence: toEvidence([], []), durationMs: clock.now() - started};
	}
}
