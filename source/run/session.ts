import type {Entry, RunEvent} from '../engine/events.js';
import {reduce} from '../engine/reduce.js';
import {initialState, type RunState} from '../engine/state.js';
import type {Clock} from '../ports/clock.js';
import type {Durability, Journal} from '../ports/journal.js';
import {RecordWriteError} from '../errors/index.js';

type Listener = (state: RunState, entry: Entry) => void;

/**
 * The one place events enter a run: each is stamped, journaled (durably) and only then
 * folded into the state the screens see. What is not journaled did not happen: when the
 * journal cannot take a line (the disk is full), that event and every one after it are
 * dropped, neither recorded nor folded, and `fault` says why; the run must stop.
 */
export type Session = {
	readonly state: RunState;
	readonly entries: readonly Entry[];
	/** The write that failed, once the journal has stopped taking lines. */
	readonly fault: RecordWriteError | null;
	/**
	 * Returns the entry as recorded, or null when it was not (see fault). `with-next` shares the
	 * next event's fsync: for an event after which nothing is done that depends on it being on
	 * disk before the next event is emitted (a migration's end, right before the next one's start).
	 */
	emit(event: RunEvent, durability?: Durability): Entry | null;
	/**
	 * Puts the events emitted 'with-next' on disk now: for an event emitted so, whose first
	 * dependent side effect comes a little later (a migration's start, synced while its
	 * transaction opens). False when the journal cannot (see fault): nothing depending on them may be done.
	 */
	sync(): boolean;
	/** Called once, when the journal stops taking lines. */
	onFault(listener: (fault: RecordWriteError) => void): () => void;
	subscribe(listener: Listener): () => void;
	/** Resolves with the next event that matches, emitted after this call. */
	next<T extends RunEvent>(match: (event: RunEvent) => event is T): Promise<T>;
};

/** `prior`: the entries of a journal being resumed, folded before anything new is emitted; seq continues after them. */
export function createSession(journal: Journal, clock: Clock, prior: readonly Entry[] = []): Session {
	let state = prior.reduce(reduce, initialState());
	const entries: Entry[] = [...prior];
	const listeners = new Set<Listener>();
	const faultListeners = new Set<(fault: RecordWriteError) => void>();
	let fault: RecordWriteError | null = null;
	/** Whether the journal took the write; its first failure becomes the session's fault. */
	const recorded = (write: () => void): boolean => {
		try {
			write();
			return true;
		} catch (error) {
			if (!(error instanceof RecordWriteError)) {
				throw error;
			}

			fault = error;
			for (const listener of faultListeners) {
				listener(error);
			}

			return false;
		}
	};

	return {
		get state() {
			return state;
		},
		get entries() {
			return entries;
		},
		get fault() {
			return fault;
		},
		emit(event, durability = 'now') {
			if (fault !== null) {
				return null;
			}

			const entry: Entry = {seq: entries.length, at: clock.now(), event};
			if (!recorded(() => journal.append(entry, durability))) {
				return null;
			}

			entries.push(entry);
			state = reduce(state, entry);
			for (const listener of listeners) {
				listener(state, entry);
			}

			return entry;
		},
		sync() {
			return fault === null && recorded(() => journal.sync?.());
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		onFault(listener) {
			faultListeners.add(listener);
			return () => faultListeners.delete(listener);
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

/** Events emitted 'with-next' on disk before the effect that depends on them; when the journal cannot take them, the effect must not happen. */
export function durable(session: Session): void {
	if (!session.sync()) {
		throw session.fault ?? new Error('the record could not be written');
	}
}

/**
 * How long a transactional migration's journal lines may wait for their fsync (group commit).
 * Its log row, written or removed in its own transaction, is its durable proof: a machine crash
 * that loses the lines loses nothing a resume cannot read back from the database (reconcile.ts).
 */
export const GROUP_SYNC_MS = 250;

/**
 * A migration's beforeEffect: one outside a transaction has its lines on disk before its first
 * statement; one in a transaction syncs with its group, the first at once (it carries what came
 * before it: the gate, the choice) and then at most every GROUP_SYNC_MS.
 */
export function groupDurable(session: Session, clock: Clock): (within: 'transaction' | 'statements') => void {
	let syncedAt = Number.NEGATIVE_INFINITY;
	return within => {
		const now = clock.now();
		if (within === 'statements' || now - syncedAt >= GROUP_SYNC_MS) {
			durable(session);
			syncedAt = now;
		}
	};
}
