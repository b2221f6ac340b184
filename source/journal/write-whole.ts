import {fsyncSync, ftruncateSync, writeSync} from 'node:fs';

/** The three calls a durable append makes; a test hands in one that writes short or runs out of room. */
export type AppendFs = {
	/** Like fs.writeSync with a position: returns how many bytes it wrote, possibly fewer than asked. */
	write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
	fsync(fd: number): void;
	truncate(fd: number, length: number): void;
};

export const nodeAppendFs: AppendFs = {
	write: (fd, buffer, offset, length, position) => writeSync(fd, buffer, offset, length, position),
	fsync: fd => fsyncSync(fd),
	truncate: (fd, length) => ftruncateSync(fd, length),
};

/**
 * Writes all of `bytes` at offset `at` (the file's known good length) and fsyncs. A write may
 * take fewer bytes than asked, so it loops. On any failure the file is cut back to `at` and
 * fsynced, so no part of the line is left on disk looking written, and the error is rethrown.
 * Positions are explicit: after a cut, the next line goes where the cut one began.
 * `sync: false` leaves the fsync to the next call that syncs (a group commit of both lines).
 */
export function writeWhole(fs: AppendFs, fd: number, bytes: Uint8Array, at: number, sync = true): void {
	let done = 0;
	try {
		while (done < bytes.length) {
			const wrote = fs.write(fd, bytes, done, bytes.length - done, at + done);
			if (wrote <= 0) {
				throw Object.assign(new Error(`write took no bytes at offset ${at + done}`), {code: 'EIO'});
			}

			done += wrote;
		}

		if (sync) {
			fs.fsync(fd);
		}
	} catch (error) {
		try {
			fs.truncate(fd, at);
			fs.fsync(fd);
		} catch {
			// A part line without its newline is still never read as a line: readers cut a torn tail.
		}

		throw error;
	}
}
