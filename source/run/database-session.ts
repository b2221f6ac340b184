import type {Entry, RunEvent} from '../engine/events.js';
import {initialState, type RunState} from '../engine/state.js';
import type {Session} from './session.js';

/**
 * One database's view of a run over several: what it emits goes into the run's one journal as a
 * `database.event` of its name, and it sees its own state and its own entries, unwrapped, with the
 * run's sequence numbers. Everything written for a run over one database (the flow, the deciders,
 * the lock watch, the screens) works on it unchanged.
 */
export function databaseSession(run: Session, name: string): Session {
	const own = (entry: Entry): Entry | null =>
		entry.event.type === 'database.event' && entry.event.database === name ? {seq: entry.seq, at: entry.at, event: entry.event.event} : null;
	let cache: {length: number; entries: Entry[]} = {length: 0, entries: []};
	const entries = () => {
		const all = run.entries;
		if (cache.length !== all.length) {
			// Appends only: unwrap what came since the last look.
			const added = all.slice(cache.length).map(own).filter(e => e !== null);
			cache = {length: all.length, entries: [...cache.entries, ...added]};
		}

		return cache.entries;
	};

	const stateOf = (state: RunState): RunState => state.databases?.find(d => d.name === name)?.state ?? initialState();
	return {
		get state() {
			return stateOf(run.state);
		},
		get entries() {
			return entries();
		},
		get fault() {
			return run.fault;
		},
		emit(event: RunEvent, durability) {
			const entry = run.emit({type: 'database.event', database: name, event}, durability);
			return entry === null ? null : own(entry);
		},
		sync() {
			return run.sync();
		},
		onFault(listener) {
			return run.onFault(listener);
		},
		subscribe(listener) {
			return run.subscribe((state, entry) => {
				const mine = own(entry);
				if (mine !== null) {
					listener(stateOf(state), mine);
				}
			});
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
