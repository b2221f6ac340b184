import {readdirSync} from 'node:fs';
import path from 'node:path';
import {reduce} from '../engine/reduce.js';
import {initialState, type RunState} from '../engine/state.js';
import {readJournal} from '../journal/read-journal.js';

export type UnfinishedRun = {
	file: string;
	state: RunState;
	/** Where it stopped, in words. */
	stoppedAt: string;
};

/** Journals in a records directory that have no run.finished: runs `cutover resume` can continue. Unreadable files are skipped. */
export function listUnfinishedRuns(recordsDir: string): UnfinishedRun[] {
	let names: string[];
	try {
		names = readdirSync(recordsDir).filter(name => name.endsWith('.jsonl')).sort();
	} catch {
		return [];
	}

	const runs: UnfinishedRun[] = [];
	for (const name of names) {
		const file = path.join(recordsDir, name);
		let state: RunState;
		try {
			state = readJournal(file).entries.reduce(reduce, initialState());
		} catch {
			continue;
		}

		// An import or baseline that stopped wrote all its rows or none (one transaction): there is nothing to continue.
		if (state.outcome === null && state.runId !== null && state.adoption === null && !isAdoptionRecord(file)) {
			runs.push({file, state, stoppedAt: describeStop(state)});
		}
	}

	return runs;
}

export function describeStop(state: RunState): string {
	const when = new Date(state.now).toISOString();
	return state.interrupted
		? `${state.interrupted.step}, stopped by ${state.interrupted.signal} at ${when}`
		: `${state.step}, last event #${state.lastSeq} at ${when} (no stop recorded: killed?)`;
}

/** Whether a record was made by cutover import or baseline (its run.started says so). */
export function isAdoptionRecord(file: string): boolean {
	try {
		const first = readJournal(file).entries[0]?.event;
		return first?.type === 'run.started' && first.adoption !== undefined;
	} catch {
		return false;
	}
}
