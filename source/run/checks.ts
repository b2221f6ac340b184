import {sqlFor} from '../checklist/index.js';
import {describeExpectation, judgeMissing, judgeRows, toEvidence} from '../engine/judge.js';
import type {CheckPhase, CheckResult} from '../engine/model.js';
import {bindTarget, mentionsTarget, TARGET_TOKEN, targetMigration} from '../engine/target-migration.js';
import {QueryStoppedError} from '../errors/index.js';
import type {Clock} from '../ports/clock.js';
import {DEFAULT_CHECK_TIMEOUT_MS, type Database} from '../ports/database.js';
import type {Probes} from '../ports/probes.js';
import {whenLeaving} from './interruption.js';
import type {RunbookCheck} from './plan-types.js';
import {runProbeCheck} from './probe-checks.js';
import type {Session} from './session.js';

export type CheckControl = {
	/** Aborting stops the statement: the check ends `cancelled`, with `reason` as its detail. */
	signal?: AbortSignal;
	/** Why the signal fired, read when it does (the operator's Esc, or leaving the run). */
	reason?: () => string;
	/** Where HTTP and command probes go; a probe check without them is an error verdict. */
	probes?: Probes;
};

/** Runs one check's SQL and judges it (a health check's is recorded with phase post). A check that cannot run, runs too long or is cancelled is a verdict, not an exception. */
export async function runCheck(
	database: Database,
	check: RunbookCheck,
	section: CheckPhase | 'health',
	earlier: readonly CheckResult[],
	clock: Clock,
	id = check.id,
	control: CheckControl = {},
): Promise<CheckResult> {
	// A health check (cutover health) is judged as after an upgrade: nothing of it is still to come.
	const phase: CheckPhase = section === 'health' ? 'post' : section;
	if (check.probe !== undefined) {
		return runProbeCheck(control.probes, check, phase, clock, id, control);
	}

	const sql = sqlFor(check, database.engine);
	const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
	const base = {id, phase, title: check.title, sql: sql ?? '', blocking: check.blocking, expectation: describeExpectation(check.expect), timeoutMs};
	const started = clock.now();
	if (sql === null) {
		return {...base, verdict: 'error', detail: `the checklist gives no SQL for ${database.engine}`, evidence: toEvidence([], []), durationMs: 0};
	}

	try {
		const result = await database.query(sql, {timeoutMs, ...(control.signal === undefined ? {} : {signal: control.signal})});
		if (result.kind === 'missing-relation') {
			// Not applicable before the upgrade only when the table is truly not there yet: a name the
			// catalog has in another case would otherwise let a blocking check pass without running.
			const spelt = section === 'pre' ? await otherCase(database, result.relation, timeoutMs) : null;
			if (spelt !== null) {
				return {...base, verdict: 'error', detail: `table ${result.relation.name ?? ''} does not exist, but ${spelt} does: PostgreSQL keeps a quoted name's case; write it as the catalog has it`, evidence: toEvidence([], []), durationMs: clock.now() - started};
			}

			return {...base, ...judgeMissing(section, result.relation), evidence: toEvidence([], []), durationMs: clock.now() - started};
		}

		return {...base, ...judgeRows(check.expect, result.columns, result.rows, earlier, check.evidenceLimit), durationMs: clock.now() - started};
	} catch (error) {
		const durationMs = clock.now() - started;
		if (error instanceof QueryStoppedError) {
			const detail = error.reason === 'timed-out'
				? `stopped at its timeout of ${seconds(timeoutMs)}`
				: `${control.reason?.() ?? 'cancelled'} after ${seconds(durationMs)}`;
			return {...base, verdict: error.reason, detail, evidence: toEvidence([], []), durationMs};
		}

		return {...base, verdict: 'error', detail: error instanceof Error ? error.message : String(error), evidence: toEvidence([], []), durationMs};
	}
}

/** What a recorded check needs; `probes` only for HTTP and command probes. */
export type RecordedCheckDeps = {session: Session; clock: Clock; signal: AbortSignal; connections: {database: Database}; probes?: Probes};

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
	control: CheckControl = {},
): Promise<CheckResult> {
	return notApplicableAgain(database, check, earlier) ?? runCheck(database, again(check), 'post', earlier, clock, againId(check), control);
}

/** runAgain on the record: a check not applicable before is recorded as such, without running a statement. */
export async function runRecordedAgain(
	deps: RecordedCheckDeps,
	check: RunbookCheck,
): Promise<CheckResult> {
	const skipped = notApplicableAgain(deps.connections.database, check, deps.session.state.checks);
	if (skipped !== null) {
		deps.session.emit({type: 'check.finished', result: skipped});
		return skipped;
	}

	return runRecordedCheck(deps, again(check), 'post', againId(check));
}

const again = (check: RunbookCheck): RunbookCheck => ({...check, title: `again: ${check.title}`});
const againId = (check: RunbookCheck): string => `again.${check.id}`;

function notApplicableAgain(database: Database, check: RunbookCheck, earlier: readonly CheckResult[]): CheckResult | null {
	const before = [...earlier].reverse().find(c => c.phase === 'pre' && c.id === check.id);
	if (before?.verdict !== 'not-applicable') {
		return null;
	}

	return {
		id: againId(check), phase: 'post', title: again(check).title, sql: sqlFor(check, database.engine) ?? '', blocking: check.blocking, expectation: describeExpectation(check.expect),
		timeoutMs: check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
		verdict: 'not-applicable', detail: `not applicable before the upgrade (${before.detail}): nothing held to check again`, evidence: toEvidence([], []), durationMs: 0,
	};
}

/**
 * Runs a check on the record: check.started, then check.finished with its verdict. The
 * operator's Esc (operator.check-cancelled) stops it, and so does leaving the run; a hang-up
 * lets it finish (within its timeout), as every step finishes what it is doing.
 */
export async function runRecordedCheck(
	deps: RecordedCheckDeps,
	check: RunbookCheck,
	phase: CheckPhase,
	id = check.id,
): Promise<CheckResult> {
	const {session} = deps;
	const database = deps.connections.database;
	const bound = withTarget(check, targetMigration(session.state));
	if ('problem' in bound) {
		const result: CheckResult = {
			id, phase, title: check.title, sql: sqlFor(check, database.engine) ?? '', blocking: check.blocking, expectation: describeExpectation(check.expect),
			timeoutMs: check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS, verdict: 'error', detail: bound.problem, evidence: toEvidence([], []), durationMs: 0,
		};
		session.emit({type: 'check.started', id, phase, title: check.title, sql: result.sql, timeoutMs: check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS});
		session.emit({type: 'check.finished', result});
		return result;
	}

	check = bound.check;
	const stop = new AbortController();
	let reason = 'cancelled';
	const cancel = (why: string) => {
		if (!stop.signal.aborted) {
			reason = why;
			stop.abort();
		}
	};

	const off = session.subscribe((_, entry) => {
		const {event} = entry;
		if (event.type === 'operator.check-cancelled' && event.id === id && event.phase === phase) {
			cancel('stopped with Esc');
		}
	});
	const {signal: leaving, release} = whenLeaving(deps.signal);
	const onLeave = () => cancel('stopped on leaving the run');
	leaving.addEventListener('abort', onLeave, {once: true});
	if (leaving.aborted) {
		onLeave();
	}

	try {
		session.emit({type: 'check.started', id, phase, title: check.title, sql: sqlFor(check, database.engine) ?? '', timeoutMs: check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS});
		const result = await runCheck(database, check, phase, session.state.checks, deps.clock, id, {
			signal: stop.signal, reason: () => reason, ...(deps.probes === undefined ? {} : {probes: deps.probes}),
		});
		session.emit({type: 'check.finished', result});
		return result;
	} finally {
		off();
		leaving.removeEventListener('abort', onLeave);
		release();
	}
}

function seconds(ms: number): string {
	return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** The check with :target_migration bound to this run's target, so the record shows the SQL that ran. */
function withTarget(check: RunbookCheck, target: string | null): {check: RunbookCheck} | {problem: string} {
	// A probe's text is a request or a command line, not SQL: nothing in it is bound.
	if (check.probe !== undefined) {
		return {check};
	}

	const engines = Object.entries(check.sql).filter(([, sql]) => sql !== undefined && mentionsTarget(sql));
	if (engines.length === 0) {
		return {check};
	}

	if (target === null) {
		return {problem: `the check names ${TARGET_TOKEN}, and this run has no migration to name: none applied, none pending`};
	}

	return {check: {...check, sql: Object.fromEntries(Object.entries(check.sql).map(([engine, sql]) => [engine, sql === undefined ? sql : bindTarget(sql, target)])) as RunbookCheck['sql']}};
}

/** PostgreSQL: the table's name as the catalog has it, when it differs from the missing one only in case. */
async function otherCase(database: Database, relation: {kind: 'table' | 'schema'; name: string | null}, timeoutMs: number): Promise<string | null> {
	if (database.engine !== 'postgres' || relation.kind !== 'table' || relation.name === null) {
		return null;
	}

	const name = relation.name.split('.').at(-1)!.replaceAll('\'', '\'\'');
	try {
		const found = await database.query(`SELECT c.relname FROM pg_catalog.pg_class c WHERE lower(c.relname) = lower('${name}') AND c.relname <> '${name}' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname LIMIT 1`, {timeoutMs});
		return found.kind === 'rows' && found.rows.length > 0 ? String(found.rows[0]![0]) : null;
	} catch {
		// The look is a courtesy: the verdict stays what the check's own answer said.
		return null;
	}
}
