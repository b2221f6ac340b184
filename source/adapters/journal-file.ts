import {closeSync, fsyncSync, mkdirSync, openSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {Entry} from '../engine/events.js';
import {encodeLine, GENESIS, sha256} from '../journal/line.js';
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
	const fd = openSync(options.path, 'wx', 0o640);
	const secrets = (options.secrets ?? []).filter(s => s.length > 0);
	let prev = GENESIS;
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
