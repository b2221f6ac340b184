import type {RunState} from './state.js';

/**
 * Whether a run (a resumed one in particular) still has its locks to measure: its upgrade has not
 * begun, some migration it applies is not in a trace on the record, and its downtime has not begun.
 * A trace already recorded for the same migrations stands: a resume runs only the files as planned
 * (their checksums are reconciled before it goes on), so the statements and the locks they take are
 * the same. `run`: the state that holds the maintenance commands (a run over several databases keeps
 * them in the run's own state, not in each database's).
 */
export function lockTraceDue(state: RunState, run: RunState = state): boolean {
	return lockTraceWanted(state) && downtimeBegun(state, run) === null;
}

/**
 * Why a resumed run that never measured its locks goes on without measuring them, or null: once
 * maintenance is on (or a backup has begun) a trace would lengthen the downtime it was meant to judge.
 */
export function lockTraceLeftOut(state: RunState, run: RunState = state): string | null {
	// Only where nothing stands on the record: an earlier failure's reason (a copy left to drop by
	// hand, say) stays what the window shows, and a second resume does not say it again.
	const begun = state.lockImpact === null && lockTraceWanted(state) ? downtimeBegun(state, run) : null;
	return begun === null ? null : `${begun} before the stop, and tracing on this resume would lengthen the downtime (cutover lint --trace measures the same locks outside a run)`;
}

function lockTraceWanted(state: RunState): boolean {
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

function downtimeBegun(state: RunState, run: RunState): string | null {
	if (run.commands.some(c => c.id === 'maintenance-on')) {
		return 'maintenance mode went on';
	}

	// Over several databases the backups follow the windows one after another: any of them begun is downtime.
	return state.backup !== null || (run.databases ?? []).some(d => d.state.backup !== null) ? 'the backup began' : null;
}
