import {closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {Entry} from '../engine/events.js';
import {encodeLine, GENESIS, sha256} from '../journal/line.js';
import {readJournal} from '../journal/read-journal.js';
import type {Journal} from '../ports/journal.js';

export type FileJournalOptions = {
	path: string;
	runId: string;
	/** Strings that must never reach the disk (a password given in the URL); replaced by ***. */
	secrets?: readonly string[];
};

/**
 * JSON lines, one event per line, each written and fsynced before append returns: a crash
 * loses at most the event being written. Lines are chained by the sha256 of the line before.
 */
export function openFileJournal(options: FileJournalOptions): Journal {
	mkdirSync(path.dirname(options.path), {recursive: true});
	// 'wx': a run never appends to another run's journal.
	return journalOn(openSync(options.path, 'wx', 0o640), options, GENESIS);
}

export type ReopenedJournal = {
	journal: Journal;
	/** The entries already recorded, in order: what the resumed session folds first. */
	entries: Entry[];
	runId: string;
	/** The text of a last line cut short by a crash and removed, or null. */
	cut: string | null;
};

/**
 * Opens an unfinished run's journal to append to it: the chain goes on from the last line's
 * hash, seq from the last seq + 1, with the same runId. A journal whose chain is broken is
 * refused. A torn last line (the process died mid-write) is cut off: append returns only after
 * the whole line and its newline are fsynced, so a line without its newline was never
 * acknowledged and no event in the state came from it.
 */
export function reopenFileJournal(options: Omit<FileJournalOptions, 'runId'>): ReopenedJournal {
	const read = readJournal(options.path);
	const first = read.lines[0];
	if (!first) {
		throw new Error(`${options.path} holds no complete line; there is no run to resume`);
	}

	let prev = GENESIS;
	for (const [i, line] of read.lines.entries()) {
		if (line.prev !== prev || line.seq !== i || line.runId !== first.runId) {
			throw new Error(`${options.path}: the chain is broken at line ${i + 1} (seq ${line.seq}); the record was changed after it was written`);
		}

		prev = sha256(read.raw[i] ?? '');
	}

	const fd = openSync(options.path, 'r+');
	if (read.torn !== null) {
		const keep = read.raw.reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0);
		ftruncateSync(fd, keep);
		fsyncSync(fd);
	}

	closeSync(fd);
	return {
		journal: journalOn(openSync(options.path, 'a', 0o640), {...options, runId: first.runId}, prev),
		entries: read.entries,
		runId: first.runId,
		cut: read.torn,
	};
}

function journalOn(fd: number, options: FileJournalOptions, start: string): Journal {
	const secrets = (options.secrets ?? []).filter(s => s.length > 0);
	let prev = start;
	let open = true;
	return {
		path: options.path,
		append(entry: Entry) {
			if (!open) {
				throw new Error(`journal ${options.path} is closed; event ${entry.event.type} was not recorded`);
			}

			let line = encodeLine(options.runId, entry, prev);
			for (const secret of secrets) {
				line = line.split(secret).join('***');
			}

			writeSync(fd, `${line}\n`);
			fsyncSync(fd);
			prev = sha256(line);
		},
		close() {
			if (open) {
				open = false;
				closeSync(fd);
			}
		},
	};
}
