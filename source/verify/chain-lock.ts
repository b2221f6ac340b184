import {closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {CutoverError} from '../errors/index.js';

/** Beside the records; not a `.jsonl`, so no listing of records ever takes it for one. */
export const CHAIN_LOCK_FILE = '.cutover-chain.lock';
const WAIT_MS = 15_000;
/** Nobody holds it this long (a run holds it from naming the record before it to its first line). */
const STALE_MS = 30_000;

export type ChainLock = {release(): void};

/**
 * Runs started into one directory at the same moment take their places in the chain one at a
 * time: a run holds this from naming the record before it until its own run.started line is
 * written, so the next run names it, and the order of run.started times is the order of links.
 */
export async function lockChain(recordsDir: string): Promise<ChainLock> {
	const file = path.join(recordsDir, CHAIN_LOCK_FILE);
	const deadline = Date.now() + WAIT_MS;
	for (;;) {
		if (tryCreate(recordsDir, file)) {
			let held = true;
			return {
				release() {
					if (held) {
						held = false;
						rmSync(file, {force: true});
					}
				},
			};
		}

		if (holderGone(file)) {
			rmSync(file, {force: true});
			continue;
		}

		if (Date.now() > deadline) {
			throw new CutoverError(`another run has been starting in ${recordsDir} for ${WAIT_MS / 1000} s (${file} is held by pid ${readPid(file) ?? 'unknown'})`, {
				hint: `try again in a moment; if no cutover is starting there, remove ${file}`,
			});
		}

		// eslint-disable-next-line no-await-in-loop -- waiting for the holder, briefly
		await sleep(10);
	}
}

function tryCreate(recordsDir: string, file: string): boolean {
	let fd: number;
	try {
		mkdirSync(recordsDir, {recursive: true});
		fd = openSync(file, 'wx', 0o600);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
			return false;
		}

		throw new CutoverError(`cannot write in the records directory ${recordsDir}: ${error instanceof Error ? error.message : String(error)}`, {
			hint: 'point --records (or cutover config recordsDir) at a directory this user can write; nothing was changed',
			cause: error,
		});
	}

	try {
		writeSync(fd, `${process.pid}\n`);
	} finally {
		closeSync(fd);
	}

	return true;
}

function readPid(file: string): number | null {
	try {
		const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
		return Number.isInteger(pid) && pid > 0 ? pid : null;
	} catch {
		return null;
	}
}

/** The holder's process is gone (or the lock is far older than any start takes): it will never be released. */
function holderGone(file: string): boolean {
	let age: number;
	try {
		age = Date.now() - statSync(file).mtimeMs;
	} catch {
		// Released meanwhile: try again.
		return false;
	}

	if (age > STALE_MS) {
		return true;
	}

	const pid = readPid(file);
	if (pid === null) {
		// Created, its pid not written yet.
		return false;
	}

	try {
		process.kill(pid, 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}
