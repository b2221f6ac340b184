import {createHash} from 'node:crypto';
import {closeSync, openSync, readSync} from 'node:fs';

/** The journal up to its last newline, hashed as it grows: no checkpoint re-reads what an earlier one read. */
export type JournalPrefix = {
	/** Reads what was appended since the last call; returns the complete prefix's length, digests and last line. */
	advance(): {bytes: number; sha256: string; sha512: Buffer; lastLine: Buffer | null};
};

export function followJournal(file: string): JournalPrefix {
	const sha256 = createHash('sha256');
	const sha512 = createHash('sha512');
	let offset = 0;
	let hashed = 0;
	// Bytes after the last newline read so far (a line being written), and the last complete line.
	let carry = Buffer.alloc(0);
	let lastLine: Buffer | null = null;
	return {
		advance() {
			const fd = openSync(file, 'r');
			const chunks: Buffer[] = [carry];
			try {
				const buffer = Buffer.alloc(64 * 1024);
				for (let n = readSync(fd, buffer, 0, buffer.length, offset); n > 0; n = readSync(fd, buffer, 0, buffer.length, offset)) {
					chunks.push(Buffer.from(buffer.subarray(0, n)));
					offset += n;
				}
			} finally {
				closeSync(fd);
			}

			const data = Buffer.concat(chunks);
			const end = data.lastIndexOf(0x0A);
			if (end >= 0) {
				const complete = data.subarray(0, end + 1);
				sha256.update(complete);
				sha512.update(complete);
				hashed += complete.length;
				const start = end === 0 ? 0 : data.lastIndexOf(0x0A, end - 1) + 1;
				lastLine = Buffer.from(data.subarray(start, end));
				carry = Buffer.from(data.subarray(end + 1));
			} else {
				carry = data;
			}

			return {bytes: hashed, sha256: sha256.copy().digest('hex'), sha512: sha512.copy().digest(), lastLine};
		},
	};
}
