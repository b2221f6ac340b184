import {existsSync, readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {listRecords} from './record-list.js';

/**
 * The record a new run in `recordsDir` chains to: the one whose run started last (its
 * run.started time, then its file name), and its chain head now, the sha256 of its last
 * complete line. Call it before the new journal exists. A run that was interrupted and is
 * later resumed keeps growing after this: the head named here is then one of its lines, not
 * its last, and verify accepts that (the record's own checkpoints cover what came after).
 */
export function findPreviousRecord(recordsDir: string): {file: string; head: string} | null {
	if (!existsSync(recordsDir)) {
		return null;
	}

	const candidates = listRecords(recordsDir).filter(r => r.startedAt !== null);
	const last = candidates.at(-1);
	if (last === undefined) {
		return null;
	}

	const bytes = readFileSync(last.path);
	const end = bytes.lastIndexOf(0x0A);
	const start = end <= 0 ? 0 : bytes.lastIndexOf(0x0A, end - 1) + 1;
	return {file: last.name, head: createHash('sha256').update(bytes.subarray(start, end)).digest('hex')};
}
