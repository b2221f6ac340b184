import {activeView} from '../engine/databases.js';
import type {Entry} from '../engine/events.js';
import {reduce} from '../engine/reduce.js';
import {initialState, type RunState} from '../engine/state.js';

/**
 * A state kept every this many events; any other position is refolded from the one before it.
 * Folding is a few microseconds an event, so a jump costs at most this many reductions,
 * while memory stays a small fraction of keeping every state.
 */
export const SNAPSHOT_EVERY = 64;

/** A record's events and the run state after each of them, as the live run's screens saw it. */
export type Timeline = {
	readonly entries: readonly Entry[];
	readonly length: number;
	/** The step each position shows, for jumps by step. */
	/** The step at each event; in a run over several databases, `database:step` of the one worked on. */
	readonly stepAt: readonly string[];
	/** The fold of entries[0..position]. */
	stateAt(position: number): RunState;
};

export function buildTimeline(entries: readonly Entry[]): Timeline {
	const snapshots: RunState[] = [];
	const stepAt: string[] = [];
	let state = initialState();
	for (const [i, entry] of entries.entries()) {
		state = reduce(state, entry);
		const shown = activeView(state);
		stepAt.push(shown.leg === null ? shown.state.step : `${shown.leg.name}:${shown.state.step}`);
		if (i % SNAPSHOT_EVERY === 0) {
			snapshots.push(state);
		}
	}

	return {
		entries,
		length: entries.length,
		stepAt,
		stateAt(position) {
			const at = Math.max(0, Math.min(position, entries.length - 1));
			const base = Math.floor(at / SNAPSHOT_EVERY);
			let folded = snapshots[base] ?? initialState();
			for (let i = (base * SNAPSHOT_EVERY) + 1; i <= at; i++) {
				folded = reduce(folded, entries[i]!);
			}

			return folded;
		},
	};
}
