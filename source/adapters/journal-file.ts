import {closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync} from 'node:fs';
import path from 'node:path';
import type {Entry} from '../engine/events.js';
import {errnoCode, RecordWriteError} from '../errors/index.js';
import {encodeLine, GENESIS, sha256} from '../journal/line.js';
import {readJournal} from '../journal/read-journal.js';
import {nodeAppendFs, writeWhole, type AppendFs} from '../journal/write-whole.js';
import type {Durability, Journal} from '../ports/journal.js';

export type FileJournalOptions = {
	path: string;
	runId: string;
	/** Strings that must never reach the disk (a password given in the URL); replaced by ***. */
	secrets?: readonly string[];
	/** How lines reach the disk; node:fs unless a test hands in one that writes short or fails. */
	fs?: AppendFs;
};

/**
 * JSON lines, one event per line, each written whole and fsynced before append returns (a
 * 'with-next' line with the append after it): a crash loses at most the event being written,
 * and the 'with-next' ones before it, which nothing had acted on that the database does not prove
 * (a transactional migration's log row). Lines are chained by the sha256 of the line
 * before. An append that cannot be written whole (the disk is full) throws RecordWriteError
 * after cutting the file back to its last complete line; the journal then takes no more.
 */
export function openFileJournal(options: FileJournalOptions): Journal {
	mkdirSync(path.dirname(options.path), {recursive: true});
	// 'wx': a run never appends to another run's journal.
	return journalOn(openSync(options.path, 'wx', 0o640), options, {prev: GENESIS, bytes: 0, lines: 0});
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

	const keep = read.raw.reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0);
	const fd = openSync(options.path, 'r+');
	if (read.torn !== null) {
		ftruncateSync(fd, keep);
		fsyncSync(fd);
	}

	return {
		journal: journalOn(fd, {...options, runId: first.runId}, {prev, bytes: keep, lines: read.lines.length}),
		entries: read.entries,
		runId: first.runId,
		cut: read.torn,
	};
}

type Tail = {prev: string; bytes: number; lines: number};

function journalOn(fd: number, options: FileJournalOptions, start: Tail): Journal {
	const secrets = (options.secrets ?? []).filter(s => s.length > 0);
	const fs = options.fs ?? nodeAppendFs;
	let {prev, bytes, lines} = start;
	let open = true;
	let failed: RecordWriteError | null = null;
	// Lines written since the last fsync ('with-next'); the next synced append or close covers them.
	let unsynced = false;
	return {
		path: options.path,
		append(entry: Entry, durability: Durability = 'now') {
			if (!open) {
				throw new Error(`journal ${options.path} is closed; event ${entry.event.type} was not recorded`);
			}

			// After a failed write the journal takes nothing more: a later line would skip the lost one.
			if (failed !== null) {
				throw failed;
			}

			let line = encodeLine(options.runId, entry, prev);
			for (const secret of secrets) {
				line = line.split(secret).join('***');
			}

			const buffer = Buffer.from(`${line}\n`, 'utf8');
			try {
				writeWhole(fs, fd, buffer, bytes, durability === 'now');
			} catch (error) {
				failed = new RecordWriteError(options.path, {code: errnoCode(error), lines, resume: options.path, cause: error});
				throw failed;
			}

			bytes += buffer.length;
			lines += 1;
			prev = sha256(line);
			unsynced = durability === 'with-next';
		},
		sync() {
			if (failed !== null) {
				throw failed;
			}

			if (!open || !unsynced) {
				return;
			}

			try {
				fs.fsync(fd);
			} catch (error) {
				failed = new RecordWriteError(options.path, {code: errnoCode(error), lines, resume: options.path, cause: error});
				throw failed;
			}

			unsynced = false;
		},
		close() {
			if (open) {
				open = false;
				try {
					if (unsynced && failed === null) {
						fs.fsync(fd);
					}
				} catch {
					// Only a last 'with-next' line is at stake (a run's last events are synced ones); it is written, and
					// only a machine crash could lose it. Closing must not throw: the run lock is released after it.
				} finally {
					closeSync(fd);
				}
			}
		},
	};
}
