import {describeDifferences, type CatalogDifference} from './catalog.js';

// The round trip's results: per migration, its up, its down with the catalog compared after it,
// and its re-up with the catalog compared again. Plain data, judged here.

export type StepStatus = 'passed' | 'failed' | 'not-run';

export type RoundTripStep = {
	status: StepStatus;
	/** Why it failed: the migrator's message, or the catalog's differences in words. Null when it passed or did not run. */
	error: string | null;
	/** The catalog after this step against the one it should equal (down: before the up; re-up: after the first up). */
	differences: CatalogDifference[];
	/** Differences the step before it left, still there and not this step's doing (a function a later down left stays after the earlier downs). */
	carried?: CatalogDifference[];
};

export type MigrationRoundTrip = {
	name: string;
	up: RoundTripStep;
	/** False when it has no down: the round trip cannot revert it, which is a failure of its own. */
	reversible: boolean;
	down: RoundTripStep;
	reUp: RoundTripStep;
};

/** A post check of the runbook, run on the copy after the first upgrade. */
export type RoundTripCheck = {
	id: string;
	title: string;
	/** passed, failed, error… as the checks screen says; `skipped` for a probe of the application, which a copy has none of. */
	verdict: string;
	blocking: boolean;
	detail: string;
};

export type RoundTripReport = {
	source: string;
	/** Which copy it ran on: the database or the file, and how it was made. */
	scratch: string;
	migrationsDirectory: string;
	/** Migrations applied on the source already: the copy starts after them. */
	appliedBefore: number;
	migrations: MigrationRoundTrip[];
	checks: RoundTripCheck[];
	/** Said, not judged: checks not run, nothing pending. */
	notes: string[];
	/** One line per failure, each naming its migration; empty when all passed. */
	failures: string[];
	passed: boolean;
};

export const notRun: RoundTripStep = {status: 'not-run', error: null, differences: []};

export function passedStep(): RoundTripStep {
	return {status: 'passed', error: null, differences: []};
}

export function failedStep(error: string, differences: CatalogDifference[] = []): RoundTripStep {
	return {status: 'failed', error, differences};
}

/**
 * A step whose catalog should equal the one expected: passed when no object differs but those
 * the step before left (`prior`, found as they were then), else failed, naming the others.
 */
export function comparedStep(differences: CatalogDifference[], prior: readonly CatalogDifference[], after: 'down' | 'up'): RoundTripStep {
	const same = (a: CatalogDifference, b: CatalogDifference) => a.kind === b.kind && a.name === b.name && a.change === b.change && a.found === b.found;
	const carried = differences.filter(d => prior.some(p => same(p, d)));
	const own = differences.filter(d => !carried.includes(d));
	const step = own.length === 0 ? passedStep() : failedStep(describeDifferences(own, after), own);
	return carried.length === 0 ? step : {...step, carried};
}

/** All a step's differences, its own and those carried: what the next step is compared against. */
export function allDifferences(step: RoundTripStep): CatalogDifference[] {
	return [...step.differences, ...step.carried ?? []];
}

/** Every failure in words, migration first: "0005_add_report down left behind: function report_total(integer), index idx_report_day". */
export function failuresOf(migrations: readonly MigrationRoundTrip[], checks: readonly RoundTripCheck[]): string[] {
	const lines: string[] = [];
	for (const m of migrations) {
		if (m.up.status === 'failed') {
			lines.push(`${m.name} up failed: ${m.up.error ?? ''}`);
		}

		if (!m.reversible && m.up.status === 'passed') {
			lines.push(`${m.name} has no down: cannot be reverted`);
		} else if (m.down.status === 'failed') {
			lines.push(m.down.differences.length > 0 ? `${m.name} down ${m.down.error ?? ''}` : `${m.name} down failed: ${m.down.error ?? ''}`);
		}

		if (m.reUp.status === 'failed') {
			lines.push(m.reUp.differences.length > 0 ? `${m.name} re-up left the schema unlike the first up: ${m.reUp.error ?? ''}` : `${m.name} re-up failed: ${m.reUp.error ?? ''}`);
		}
	}

	for (const check of checks) {
		if (check.blocking && check.verdict !== 'passed' && check.verdict !== 'not-applicable' && check.verdict !== 'skipped') {
			lines.push(`post check ${check.id} ${check.verdict}: ${check.detail}`);
		}
	}

	return lines;
}

/** 0 every migration went up, down to the same catalog and up again; 1 any failure. (3, could not run, is the entry point's.) */
export function exitCodeOf(report: Pick<RoundTripReport, 'passed'>): 0 | 1 {
	return report.passed ? 0 : 1;
}
