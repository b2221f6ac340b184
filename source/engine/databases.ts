import type {RunOutcome} from './events.js';
import {appliedThisRun, partlyApplied} from './gates.js';
import type {DatabaseRun, RunState} from './state.js';

/** Where the database a screen shows stands among the run's databases (absent in a run over one). */
export type LegView = {
	name: string;
	/** 1-based, in the runbook's order. */
	index: number;
	count: number;
	/** Every database of the run, this one included, as far as each has come. */
	all: Array<{name: string; step: RunState['step']; outcome: RunOutcome | null; version: string | null}>;
	/** The whole run's outcome, once every database is done. */
	runOutcome: RunOutcome | null;
	versions: RunState['versions'];
};

/**
 * What the screens draw: the run itself, or in a run over several databases the state of the one
 * whose event came last (the one being worked on), with where it stands among the others. Screens
 * then draw it as they draw a run over one database; decisions go back to that database.
 */
export function activeView(state: RunState): {state: RunState; leg: LegView | null} {
	const databases = state.databases;
	if (databases === null || databases.length === 0) {
		return {state, leg: null};
	}

	const active = databases.find(d => d.name === state.activeDatabase) ?? databases[0]!;
	const leg: LegView = {
		name: active.name,
		index: databases.indexOf(active) + 1,
		count: databases.length,
		all: databases.map(d => ({name: d.name, step: d.state.step, outcome: d.state.outcome, version: d.state.versionAfter ?? d.state.versionBefore})),
		runOutcome: state.outcome,
		versions: state.versions,
	};
	// The clock of the whole run: a database that waits while another works still shows the time passing.
	return {state: {...active.state, now: Math.max(active.state.now, state.now)}, leg};
}

/**
 * The whole run's outcome from every database's: upgraded only when all are (and with failures
 * when one kept a failing post check), rolled back only when every database that changed was
 * brought back, abandoned when nothing was changed; anything else failed.
 */
export function combinedOutcome(databases: readonly DatabaseRun[], versionsConsistent: boolean | null): RunOutcome {
	// Stopped after some of its migrations applied is not untouched: it is changed and not brought back.
	const outcomes = databases.map(d => d.state.outcome === 'abandoned' && (appliedThisRun(d.state).length > 0 || partlyApplied(d.state) !== undefined) ? 'failed' : d.state.outcome);
	if (outcomes.some(o => o === null)) {
		return 'failed';
	}

	const all = (...kinds: RunOutcome[]) => outcomes.every(o => kinds.includes(o!));
	if (all('nothing-to-do')) {
		return 'nothing-to-do';
	}

	if (all('upgraded', 'nothing-to-do')) {
		return versionsConsistent === false ? 'upgraded-with-failures' : 'upgraded';
	}

	if (all('upgraded', 'upgraded-with-failures', 'nothing-to-do')) {
		return 'upgraded-with-failures';
	}

	if (all('abandoned', 'nothing-to-do')) {
		return 'abandoned';
	}

	// Rolled back where it changed, untouched elsewhere: the databases are where they started.
	if (all('rolled-back', 'nothing-to-do', 'abandoned') && outcomes.includes('rolled-back')) {
		return 'rolled-back';
	}

	return 'failed';
}
