import type {Entry, RunEvent} from '../engine/events.js';
import {reduce} from '../engine/reduce.js';
import {initialState, type RunState} from '../engine/state.js';
import type {Clock} from '../ports/clock.js';
import type {Journal} from '../ports/journal.js';

type Listener = (state: RunState, entry: Entry) => void;

/**
 * The one place events enter a run: each is stamped, journaled (durably) and only then
 * folded into the state the screens see. What is not journaled did not happen.
 */
export type Session = {
	readonly state: RunState;
	readonly entries: readonly Entry[];
	emit(event: RunEvent): Entry;
	subscribe(listener: Listener): () => void;
	/** Resolves with the next event that matches, emitted after this call. */
	next<T extends RunEvent>(match: (event: RunEvent) => event is T): Promise<T>;
};

/** `prior`: the entries of a journal being resumed, folded before anything new is emitted; seq continues after them. */
export function createSession(journal: Journal, clock: Clock, prior: readonly Entry[] = []): Session {
	let state = prior.reduce(reduce, initialState());
	const entries: Entry[] = [...prior];
	const listeners = new Set<Listener>();
	return {
		get state() {
			return state;
		},
		get entries() {
			return entries;
		},
		emit(event) {
			const entry: Entry = {seq: entries.length, at: clock.now(), event};
			journal.append(entry);
			entries.push(entry);
			state = reduce(state, entry);
			for (const listener of listeners) {
				listener(state, entry);
			}

			return entry;
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		next(match) {
			return new Promise(resolve => {
				const off = this.subscribe((_, entry) => {
					if (match(entry.event)) {
						off();
						resolve(entry.event);
					}
				});
			});
		},
	};
}
