import {shortMode, type VerdictLevel} from './lock-impact.js';
import type {JudgedStatement, LockTraceReport} from './lock-trace.js';

/** Statements of the trace by verdict. */
export function verdictCounts(report: LockTraceReport): Record<VerdictLevel, number> {
	const counts: Record<VerdictLevel, number> = {ok: 0, caution: 0, danger: 0};
	for (const migration of report.migrations) {
		for (const statement of migration.statements) {
			counts[statement.verdict.level]++;
		}

		// A migration that did not run at all has no statement to count: it is a danger of its own.
		if (migration.problem !== null && migration.statements.length === 0) {
			counts.danger++;
		}
	}

	return counts;
}

/** "2 danger, 1 ok of 3 statements" (or "4 statements ok, nothing blocks beyond small tables"), as the record's describe line says it; `short`, as the window's line does ("2 danger, 1 ok", "all 4 statements ok"). */
export function describeCounts(report: LockTraceReport, options: {short?: boolean} = {}): string {
	const counts = verdictCounts(report);
	const parts = [...(counts.danger > 0 ? [`${counts.danger} danger`] : []), ...(counts.caution > 0 ? [`${counts.caution} caution`] : [])];
	const total = counts.danger + counts.caution + counts.ok;
	const statements = `statement${total === 1 ? '' : 's'}`;
	if (options.short === true) {
		return parts.length === 0 ? `all ${counts.ok} ${statements} ok` : `${parts.join(', ')}, ${counts.ok} ok`;
	}

	return parts.length === 0 ? `${counts.ok} ${statements} ok, nothing blocks beyond small tables` : `${parts.join(', ')}, ${counts.ok} ok of ${total} ${statements}`;
}

/** The statement's strongest lock in a few words: "AccessExclusive on meters, rewrite". */
export function describeStatementLock(statement: JudgedStatement): string {
	const lock = statement.judged[0];
	if (lock === undefined) {
		return statement.status === 'not-traced' && statement.mode !== null ? shortMode(statement.mode) : statement.status;
	}

	return `${shortMode(lock.mode)} on ${lock.relation}${lock.rewrite ? ', rewrite' : ''}`;
}

/** Each danger statement, as migration #n: its lock and verdict. */
export function dangerLines(report: LockTraceReport): string[] {
	return report.migrations.flatMap(migration => [
		...(migration.problem !== null && migration.statements.length === 0 ? [`${migration.name}: ${migration.problem}`] : []),
		...migration.statements.filter(s => s.verdict.level === 'danger').map(s => `${migration.name} #${s.index} ${describeStatementLock(s)}: ${s.verdict.text}`),
	]);
}
