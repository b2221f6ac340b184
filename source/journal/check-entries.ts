import {isKnownKind} from '../engine/event-kinds.js';
import type {Entry} from '../engine/events.js';
import {reduce} from '../engine/reduce.js';
import {initialState} from '../engine/state.js';
import {describeEvent} from './describe-event.js';

export type CheckedEntries = {
	/** The entries up to the first one that cannot be used. */
	entries: Entry[];
	/** Why reading stopped early, naming the line; null when every entry could be used. */
	problem: string | null;
	/** Entries of kinds this cutover does not know, by line. */
	unknown: Array<{line: number; kind: string}>;
	/** describeEvent of each of `entries`, in order: already made, so a replay need not describe them again. */
	descriptions: string[];
};

/**
 * Folds the entries and describes each, as replay and resume will: a known kind that lacks
 * what it should hold (a record edited, or written by something else) stops the reading at
 * its line instead of failing later in a screen. Entries are lines 1… of their record.
 */
export function checkEntries(entries: readonly Entry[]): CheckedEntries {
	let state = initialState();
	const unknown: CheckedEntries['unknown'] = [];
	const descriptions: string[] = [];
	// An index, not entries(): no pair made per entry, which a long record's replay paid for before its code was optimized.
	for (let i = 0; i < entries.length; i++) {
		const entry = entries[i]!;
		const kind = entry.event.type;
		try {
			state = reduce(state, entry);
			descriptions.push(describeEvent(entry.event));
		} catch (error) {
			return {entries: entries.slice(0, i), problem: `line ${i + 1} (${kind}) does not hold what a ${kind} event holds (${error instanceof Error ? error.message : String(error)})`, unknown, descriptions};
		}

		if (!isKnownKind(kind)) {
			unknown.push({line: i + 1, kind});
		}
	}

	return {entries: [...entries], problem: null, unknown, descriptions};
}

/** "line 7 (x.new), line 9 (x.newer)" */
export function describeUnknown(unknown: CheckedEntries['unknown']): string {
	return unknown.map(u => `line ${u.line} (${u.kind})`).join(', ');
}
