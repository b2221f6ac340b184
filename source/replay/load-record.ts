import path from 'node:path';
import type {Entry} from '../engine/events.js';
import {CutoverError} from '../errors/index.js';
import {checkEntries, type CheckedEntries} from '../journal/check-entries.js';
import {isJournalLine, readRecordText} from '../journal/read-journal.js';

/** A change record as far as it can be replayed. */
export type ReplayRecord = {
	/** Absolute path: the summary names the record the way the live run did. */
	path: string;
	entries: Entry[];
	/** Where and why reading stopped early, in words; null when every line was read. */
	damage: string | null;
	/** Events of kinds this cutover does not know (a newer version wrote them): replayed as such, and reported. */
	unknown: CheckedEntries['unknown'];
	/** describeEvent of each entry, when reading the record made them already. */
	descriptions?: readonly string[];
};

/**
 * Reads a record for replay. Checking a record's integrity is `cutover verify`'s job; replay
 * only needs the events, so a damaged record still replays up to the first line it cannot use.
 */
export function loadRecord(file: string): ReplayRecord {
	const absolute = path.resolve(file);
	// A directory, a missing or unreadable file: a RecordError that says which.
	const text = readRecordText(absolute);
	const read = readTolerantly(text);
	const checked = checkEntries(read.entries);
	const damage = checked.problem ?? read.damage;
	if (checked.entries.length === 0) {
		throw new CutoverError(`${absolute} holds no event to replay${damage ? `: ${damage}` : text === '' ? ': the file is empty' : ''}`, {hint: 'check the file with cutover verify, or pick another record'});
	}

	return {path: absolute, entries: checked.entries, damage, unknown: checked.unknown, descriptions: checked.descriptions};
}

/** The lines before the first one that is not JSON, or not a journal line. */
function readTolerantly(text: string): {entries: Entry[]; damage: string | null} {
	const parts = text.split('\n');
	const tail = parts.pop() ?? '';
	const entries: Entry[] = [];
	// An index, not entries(): a pair made per line is what a long record's loop spent most on before its code was optimized.
	for (let i = 0; i < parts.length; i++) {
		const line = parts[i]!;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			return {entries, damage: `line ${i + 1} is not JSON`};
		}

		if (!isJournalLine(value)) {
			return {entries, damage: `line ${i + 1} is not a journal event`};
		}

		entries.push({seq: value.seq, at: value.at, event: value.event});
	}

	return {entries, damage: tail === '' ? null : `line ${parts.length + 1} is cut short (a torn last line)`};
}
