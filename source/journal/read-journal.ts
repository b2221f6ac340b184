import {readFileSync} from 'node:fs';
import type {Entry} from '../engine/events.js';
import type {JournalLine} from './line.js';

export type ReadJournal = {
	path: string;
	/** Each line's exact text, without its newline: what the chain hashes. */
	raw: string[];
	lines: JournalLine[];
	entries: Entry[];
	/** A last line cut short by a crash, kept apart from the lines above it. */
	torn: string | null;
};

/** Reads a journal as written. A line that does not parse is an error naming its number, except a torn last line. */
export function readJournal(file: string): ReadJournal {
	const text = readFileSync(file, 'utf8');
	const parts = text.split('\n');
	// A complete journal ends with a newline, so the last part is empty; anything else was cut mid-write.
	const tail = parts.pop() ?? '';
	const raw = parts;
	const lines = raw.map((line, i) => {
		try {
			return JSON.parse(line) as JournalLine;
		} catch {
			throw new Error(`${file}: line ${i + 1} is not JSON`);
		}
	});
	return {
		path: file,
		raw,
		lines,
		entries: lines.map(l => ({seq: l.seq, at: l.at, event: l.event})),
		torn: tail === '' ? null : tail,
	};
}
