import type {RunState} from './state.js';

/**
 * Whether a run (a resumed one in particular) still has its locks to measure: its upgrade has not
 * begun, and some migration it applies is not in a trace on the record. A trace already recorded
 * for the same migrations stands: a resume runs only the files as planned (their checksums are
 * reconciled before it goes on), so the statements and the locks they take are the same.
 */
export function lockTraceDue(state: RunState): boolean {
	if (state.steps.upgrade.startedAt !== null) {
		return false;
	}

	const pending = state.migrations.filter(m => m.direction === 'up' && m.status === 'pending').map(m => m.name);
	if (pending.length === 0) {
		return false;
	}

	const impact = state.lockImpact;
	if (impact?.status !== 'traced') {
		return true;
	}

	const traced = new Set(impact.report.migrations.map(m => m.name));
	return pending.some(name => !traced.has(name));
}
