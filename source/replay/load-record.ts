import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {Entry} from '../engine/events.js';
import {CutoverError} from '../errors/index.js';
import {readJournal} from '../journal/read-journal.js';

/** A change record as far as it can be replayed. */
export type ReplayRecord = {
	/** Absolute path: the summary names the record the way the live run did. */
	path: string;
	entries: Entry[];
	/** Where and why reading stopped early, in words; null when every line was read. */
	damage: string | null;
};

/**
 * Reads a record for replay. Checking a record's integrity is `cutover verify`'s job; replay
 * only needs the events, so a damaged record still replays up to the first line it cannot use.
 */
export function loadRecord(file: string): ReplayRecord {
	const absolute = path.resolve(file);
	let text: string;
	try {
		text = readFileSync(absolute, 'utf8');
	} catch (error) {
		throw new CutoverError(`cannot read the change record ${absolute}: ${error instanceof Error ? error.message : String(error)}`, {
			hint: 'pass the path of a .jsonl file from the records directory (cutover config recordsDir)',
			cause: error,
		});
	}

	let read: {entries: Entry[]; damage: string | null};
	try {
		const journal = readJournal(absolute);
		read = usable(journal.entries, journal.torn === null ? null : `line ${journal.entries.length + 1} is cut short (a torn last line)`);
	} catch {
		// readJournal refuses a record with a line that is not JSON; replay keeps what comes before it.
		read = readTolerantly(text);
	}

	if (read.entries.length === 0) {
		throw new CutoverError(`${absolute} holds no event to replay${read.damage ? `: ${read.damage}` : ''}`, {hint: 'check the file with cutover verify, or pick another record'});
	}

	return {path: absolute, ...read};
}

/** The lines before the first one that is not JSON. */
function readTolerantly(text: string): {entries: Entry[]; damage: string | null} {
	const parts = text.split('\n');
	const tail = parts.pop() ?? '';
	const parsed: unknown[] = [];
	for (const [i, line] of parts.entries()) {
		try {
			parsed.push(JSON.parse(line));
		} catch {
			return usable(parsed, `line ${i + 1} is not JSON`);
		}
	}

	return usable(parsed, tail === '' ? null : `line ${parts.length + 1} is cut short (a torn last line)`);
}

/** Keeps lines up to the first that is not a journal entry (a seq, a time and a typed event). */
function usable(lines: readonly unknown[], damage: string | null): {entries: Entry[]; damage: string | null} {
	const entries: Entry[] = [];
	for (const [i, line] of lines.entries()) {
		if (!isEntry(line)) {
			return {entries, damage: `line ${i + 1} is not a journal event`};
		}

		entries.push({seq: line.seq, at: line.at, event: line.event});
	}

	return {entries, damage};
}

function isEntry(value: unknown): value is Entry {
	if (typeof value !== 'object' || value === null) {
		return false;
	}

	const {seq, at, event} = value as Record<string, unknown>;
	return typeof seq === 'number' && typeof at === 'number' && Number.isFinite(at)
		&& typeof event === 'object' && event !== null && typeof (event as Record<string, unknown>)['type'] === 'string';
}
