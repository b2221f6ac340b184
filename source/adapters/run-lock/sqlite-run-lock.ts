import {statSync} from 'node:fs';
import os from 'node:os';
import {CutoverError, describeHolder, RunLockedError, TargetError} from '../../errors/index.js';
import type {RunLock, RunLockHandle, RunLockHolder, RunLockLoss} from '../../ports/run-lock.js';
import type {Target} from '../../target.js';
import {createLockFile, readLockFile, removeIfUnchanged, type LockFileContent} from './lock-file.js';
import {lossNotifier, PROBE_EVERY_MS} from './loss-notifier.js';

type SqliteTarget = Extract<Target, {engine: 'sqlite'}>;

/** The lock file beside a SQLite database. */
export function lockFileFor(databasePath: string): string {
	return `${databasePath}.cutover-lock`;
}

/** Whether a process is alive here; EPERM means it is, only not ours to signal. */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as {code?: unknown}).code === 'EPERM';
	}
}

/** A holder on this host whose process is gone left the file behind; one on another host cannot be checked from here. */
function abandoned(holder: RunLockHolder): boolean {
	return holder.host === os.hostname() && holder.pid > 0 && !alive(holder.pid);
}

/**
 * A lock file next to the database, holding the holder as JSON. A file whose process has died
 * on this host is taken over (and the handle says whose it was); the file is removed on
 * release and when the process exits.
 */
export function createSqliteRunLock(target: SqliteTarget): RunLock {
	const file = lockFileFor(target.path);
	const unreadable = (content: LockFileContent) => new CutoverError(`the run lock file ${file} does not name a run: ${JSON.stringify(content.text.slice(0, 80))}`, {
		hint: `no cutover run writes a file like that; if no run is going on against ${target.path}, delete ${file} and start again`,
	});

	return {
		async acquire(holder) {
			let replaced: RunLockHolder | null = null;
			// A lost race (a file created or removed between the steps) goes round again, a bounded number of times.
			for (let round = 0; round < 5; round++) {
				if (create(file, holder, target)) {
					return handle(file, holder, replaced);
				}

				const content = readLockFile(file);
				if (content === null) {
					continue;
				}

				if (content.holder === null) {
					throw unreadable(content);
				}

				if (!abandoned(content.holder)) {
					throw new RunLockedError(target.display, content.holder, {hint: lockedHint(content.holder, file, target)});
				}

				if (removeIfUnchanged(file, content.text)) {
					replaced = content.holder;
				}
			}

			throw new CutoverError(`could not take the run lock ${file}: other processes keep creating and removing it`, {
				hint: `see who is running cutover against ${target.path} (cutover status --db ${target.display}) and try again`,
			});
		},
		async inspect() {
			const content = readLockFile(file);
			if (content === null) {
				return null;
			}

			if (content.holder === null) {
				throw unreadable(content);
			}

			return abandoned(content.holder) ? null : content.holder;
		},
	};
}

function create(file: string, holder: RunLockHolder, target: SqliteTarget): boolean {
	try {
		return createLockFile(file, holder);
	} catch (error) {
		throw new TargetError(`cannot create the run lock file ${file}: ${error instanceof Error ? error.message : String(error)}`, {
			target: target.display,
			hint: 'cutover keeps its run lock beside the database: the directory must be writable by this user',
			cause: error,
		});
	}
}

function lockedHint(holder: RunLockHolder, file: string, target: SqliteTarget): string {
	const wait = `wait for that run to finish, or look at it with: cutover status --db ${target.display}`;
	return holder.host === os.hostname()
		? `${wait}; process ${holder.pid} is still alive here (if it is not cutover, the pid was reused: delete ${file})`
		: `${wait}; cutover cannot check a process on ${holder.host} from here: if that run is gone for good, delete ${file}`;
}

function handle(file: string, holder: RunLockHolder, replaced: RunLockHolder | null): RunLockHandle {
	const text = `${JSON.stringify(holder)}\n`;
	const watch = watchLockFile(file, text);
	let released = false;
	const release = () => {
		if (released) {
			return;
		}

		released = true;
		watch.stop();
		process.off('exit', release);
		// Only our own file: never a lock another run took over after ours was declared abandoned.
		if (readLockFile(file)?.text === text) {
			removeIfUnchanged(file, text);
		}
	};

	// A normal exit, process.exit() included; a kill -9 leaves the file, and the dead pid marks it abandoned.
	process.on('exit', release);
	return {
		replaced,
		// The lock file is beside the database, not in it: it describes the holder from the start.
		async windowConfirmed() {},
		onLost: listener => watch.onLost(listener),
		async release() {
			release();
		},
		// The file beside the database stays through a restore: the run keeps it.
		async stepAside() {},
		async retake() {},
	};
}

/** The lock is ours while the file at its path is the one we created: a removed or replaced file is a lost lock. */
function watchLockFile(file: string, text: string) {
	const notifier = lossNotifier();
	const inode = inodeOf(file);
	const check = () => {
		let content: LockFileContent | null;
		try {
			content = readLockFile(file);
		} catch (error) {
			notifier.lose(`the run lock file ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
			return;
		}

		if (content === null) {
			notifier.lose(`the run lock file ${file} was removed`);
		} else if (content.text !== text) {
			notifier.lose(`the run lock file ${file} was replaced: it now names ${content.holder === null ? 'no run' : describeHolder(content.holder)}`);
		} else if (inodeOf(file) !== inode) {
			notifier.lose(`the run lock file ${file} was replaced by another file with the same content`);
		}
	};

	const interval = setInterval(check, PROBE_EVERY_MS);
	interval.unref();
	return {
		onLost: (listener: (loss: RunLockLoss) => void) => notifier.onLost(listener),
		stop() {
			clearInterval(interval);
			notifier.stop();
		},
	};
}

function inodeOf(file: string): bigint | null {
	try {
		return statSync(file, {bigint: true}).ino;
	} catch {
		return null;
	}
}
