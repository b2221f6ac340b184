import {existsSync, readFileSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {setTimeout as sleep} from 'node:timers/promises';
import {lockChain} from './chain-lock.js';
import {listRecords} from './record-list.js';

export type PreviousRecord = {file: string; head: string};

/**
 * The record a new run in `recordsDir` chains to: the one whose run started last (its
 * run.started time, then its file name), and its chain head now, the sha256 of its last
 * complete line. Call it before the new journal exists. A run that was interrupted and is
 * later resumed keeps growing after this: the head named here is then one of its lines, not
 * its last, and verify accepts that (the record's own checkpoints cover what came after).
 */
export function findPreviousRecord(recordsDir: string): PreviousRecord | null {
	return findLast(recordsDir)?.record ?? null;
}

function findLast(recordsDir: string): {record: PreviousRecord; startedAt: number} | null {
	if (!existsSync(recordsDir)) {
		return null;
	}

	const candidates = listRecords(recordsDir).filter(r => r.startedAt !== null);
	const last = candidates.at(-1);
	if (last?.startedAt === undefined || last.startedAt === null) {
		return null;
	}

	const bytes = readFileSync(last.path);
	const end = bytes.lastIndexOf(0x0A);
	const start = end <= 0 ? 0 : bytes.lastIndexOf(0x0A, end - 1) + 1;
	return {record: {file: last.name, head: createHash('sha256').update(bytes.subarray(start, end)).digest('hex')}, startedAt: last.startedAt};
}

/** How long a start waits for the clock to pass the previous run's start (a clock stepped back further is not waited out). */
const MAX_CLOCK_WAIT_MS = 1000;

/**
 * A new run's place in the chain: the record before it, found while holding the directory's
 * chain lock, which the caller releases once its run.started line is written. Runs started at
 * the same moment so line up one after the other, each naming the one before, and each starts
 * strictly after the one it names (same millisecond: it waits), so verify's order by run.started
 * time is the order of the links.
 */
export async function takeChainPlace(recordsDir: string): Promise<{previousRecord: PreviousRecord | null; release(): void}> {
	const lock = await lockChain(recordsDir);
	try {
		const last = findLast(recordsDir);
		const waitUntil = Math.min((last?.startedAt ?? 0) + 1, Date.now() + MAX_CLOCK_WAIT_MS);
		while (Date.now() < waitUntil) {
			// eslint-disable-next-line no-await-in-loop -- a millisecond or so
			await sleep(1);
		}

		return {previousRecord: last?.record ?? null, release: lock.release};
	} catch (error) {
		lock.release();
		throw error;
	}
}
