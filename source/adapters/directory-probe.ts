import {randomBytes} from 'node:crypto';
import {closeSync, fsyncSync, mkdirSync, openSync, rmSync, statfsSync, statSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {Directories, DirectoryStatus} from '../ports/directories.js';

/** Room and write access of a local directory: a probe file is written, fsynced and removed. */
export const localDirectories: Directories = {
	async probe(directory) {
		return probeDirectory(directory);
	},
};

function probeDirectory(directory: string): DirectoryStatus {
	const probe = path.join(directory, `.cutover-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
	try {
		mkdirSync(directory, {recursive: true});
		// Root passes access(W_OK) on a read-only mount or a full disk; only a real write says.
		const fd = openSync(probe, 'wx', 0o600);
		try {
			writeSync(fd, 'cutover\n');
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}

		const fs = statfsSync(directory);
		return {writable: true, freeBytes: fs.bavail * fs.bsize, device: statSync(directory).dev};
	} catch (error) {
		const code = (error as {code?: unknown}).code;
		return {writable: false, problem: `${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`};
	} finally {
		try {
			rmSync(probe, {force: true});
		} catch {
			// No probe was made (the path is not a directory); nothing to remove.
		}
	}
}
