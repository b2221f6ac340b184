import {randomBytes} from 'node:crypto';
import {closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync} from 'node:fs';
import type {RunLockHolder} from '../../ports/run-lock.js';

/** What a lock file holds: its text, to compare by, and the holder it names (null when it does not parse). */
export type LockFileContent = {text: string; holder: RunLockHolder | null};

const errorCode = (error: unknown) => (typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '');

/**
 * Creates the lock file holding `holder`, or returns false when it exists. The JSON is written
 * to a file of its own first and then linked into place, so the lock file is never seen half
 * written; where links are not supported, an O_EXCL create does the same job less tidily.
 */
export function createLockFile(file: string, holder: RunLockHolder): boolean {
	const text = `${JSON.stringify(holder)}\n`;
	const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
	try {
		writeFileSync(temporary, text, {flag: 'wx', mode: 0o644});
		linkSync(temporary, file);
		return true;
	} catch (error) {
		if (errorCode(error) === 'EEXIST') {
			return false;
		}

		if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errorCode(error))) {
			throw error;
		}

		return createExclusive(file, text);
	} finally {
		try {
			unlinkSync(temporary);
		} catch {}
	}
}

function createExclusive(file: string, text: string): boolean {
	let fd: number;
	try {
		fd = openSync(file, 'wx', 0o644);
	} catch (error) {
		if (errorCode(error) === 'EEXIST') {
			return false;
		}

		throw error;
	}

	try {
		writeSync(fd, text);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}

	return true;
}

/** null when there is no lock file. */
export function readLockFile(file: string): LockFileContent | null {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		if (errorCode(error) === 'ENOENT') {
			return null;
		}

		throw error;
	}

	return {text, holder: parseHolder(text)};
}

function parseHolder(text: string): RunLockHolder | null {
	try {
		const value = JSON.parse(text) as Record<string, unknown>;
		const {runId, operator, host, pid, since} = value;
		if (typeof runId === 'string' && typeof operator === 'string' && typeof host === 'string' && Number.isInteger(pid) && typeof since === 'number') {
			return {runId, operator, host, pid: pid as number, since};
		}
	} catch {}

	return null;
}

/**
 * Removes the lock file if it still holds exactly `expected`. Two processes may find the same
 * stale file: the file is first renamed aside (only one rename wins), then checked; a live lock
 * moved aside by mistake is linked back.
 */
export function removeIfUnchanged(file: string, expected: string): boolean {
	const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.old`;
	try {
		renameSync(file, aside);
	} catch (error) {
		if (errorCode(error) === 'ENOENT') {
			return false;
		}

		throw error;
	}

	try {
		if (readFileSync(aside, 'utf8') === expected) {
			return true;
		}

		try {
			linkSync(aside, file);
		} catch {}

		return false;
	} finally {
		try {
			unlinkSync(aside);
		} catch {}
	}
}
