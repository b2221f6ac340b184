import {readFileSync, statSync} from 'node:fs';
import type {Entry} from '../engine/events.js';
import {RecordError} from '../errors/index.js';
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

const hint = 'pass a .jsonl change record from the records directory; cutover verify <file> says what is wrong with one';

/**
 * Reads a journal as written. A line that is not a journal line (JSON with a seq, a time and a
 * typed event) is a RecordError naming its number, except a torn last line.
 */
export function readJournal(file: string): ReadJournal {
	const text = readRecordText(file);
	const parts = text.split('\n');
	// A complete journal ends with a newline, so the last part is empty; anything else was cut mid-write.
	const tail = parts.pop() ?? '';
	const raw = parts;
	const lines = raw.map((line, i) => parseLine(file, line, i + 1));
	return {
		path: file,
		raw,
		lines,
		entries: lines.map(l => ({seq: l.seq, at: l.at, event: l.event})),
		torn: tail === '' ? null : tail,
	};
}

/** The record's text, or a RecordError saying why there is none (a directory, a missing or unreadable file). */
export function readRecordText(file: string): string {
	try {
		if (statSync(file).isDirectory()) {
			throw new RecordError(file, 'is a directory, not a change record', {hint: 'pass one .jsonl file of the directory (cutover verify takes a whole directory)'});
		}

		return readFileSync(file, 'utf8');
	} catch (error) {
		if (error instanceof RecordError) {
			throw error;
		}

		const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
		throw new RecordError(file, code === 'ENOENT' ? 'does not exist' : `cannot be read: ${error instanceof Error ? error.message : String(error)}`, {hint, cause: error});
	}
}

function parseLine(file: string, text: string, line: number): JournalLine {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new RecordError(file, 'is not JSON', {line, hint});
	}

	if (!isJournalLine(value)) {
		throw new RecordError(file, 'is JSON but not a journal line (a seq, a time and an event with a type)', {line, hint});
	}

	return value;
}

export function isJournalLine(value: unknown): value is JournalLine {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		return false;
	}

	const {seq, at, event} = value as Record<string, unknown>;
	return typeof seq === 'number' && typeof at === 'number' && Number.isFinite(at)
		&& typeof event === 'object' && event !== null && !Array.isArray(event) && typeof (event as Record<string, unknown>)['type'] === 'string';
}
