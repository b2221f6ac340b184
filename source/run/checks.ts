import {sqlFor} from '../checklist/index.js';
import {describeExpectation, judge, judgeMissing, toEvidence} from '../engine/judge.js';
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
		if (result.kind === 'missing-relation') {
			return {...base, ...judgeMissing(phase, result.relation), evidence: toEvidence([], []), durationMs: clock.now() - started};
		}

		const evidence = toEvidence(result.columns, result.rows);
		return {...base, ...judge(check.expect, evidence, earlier), evidence, durationMs: clock.now() - started};
	} catch (error) {
		return {...base, verdict: 'error', detail: error instanceof Error ? error.message : String(error), evidence: toEvidence([], []), durationMs: clock.now() - started};
	}
}

/**
 * A pre-check asked again after the upgrade, to catch a migration that broke what held before.
 * When it was not applicable before (its table did not exist yet), nothing held that the
 * upgrade could break: it is not applicable again, and says why, rather than judging a table
 * the upgrade has just created as if it were the one checked before.
 */
export async function runAgain(
	database: Database,
	check: RunbookCheck,
	earlier: readonly CheckResult[],
	clock: Clock,
): Promise<CheckResult> {
	const again = {...check, title: `again: ${check.title}`};
	const id = `again.${check.id}`;
	const before = [...earlier].reverse().find(c => c.phase === 'pre' && c.id === check.id);
	if (before?.verdict === 'not-applicable') {
		return {
			id, phase: 'post', title: again.title, sql: sqlFor(check, database.engine) ?? '', blocking: check.blocking, expectation: describeExpectation(check.expect),
			verdict: 'not-applicable', detail: `not applicable before the upgrade (${before.detail}): nothing held to check again`, evidence: toEvidence([], []), durationMs: 0,
		};
	}

	return runCheck(database, again, 'post', earlier, clock, id);
}
