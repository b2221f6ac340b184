// Runs one online backup off the main thread: the last step of a large copy holds its thread for
// a noticeable moment, and the console must keep drawing while it does.
import {statSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {parentPort, workerData} from 'node:worker_threads';
import {CutoverError} from '../../errors/index.js';
import type {BackupJob, FromWorker, ToWorker} from './backup-messages.js';
import {BUSY_TIMEOUT_MS, isBusy, lockedError, messageOf, openSqliteFile} from './open-file.js';
import {countRows} from './user-tables.js';

/** Pages per step: 1 MB at the default page size, small enough to notice an abort quickly. */
const PAGES_PER_STEP = 256;
const PROGRESS_INTERVAL_MS = 100;
/** Each native wait on a lock; the whole wait is still the usual busy timeout. */
const LOCK_POLL_MS = 100;

const port = parentPort;
if (port === null) {
	throw new Error('backup-worker must run as a worker thread');
}

const job = workerData as BackupJob;
let aborted = false;
port.on('message', (message: ToWorker) => {
	if (message.type === 'abort') {
		aborted = true;
	}
});
// Listening must not keep the thread alive once the copy is done.
port.unref();

function send(message: FromWorker): void {
	port!.postMessage(message);
}

class Aborted extends Error {}

/**
 * A wait on another connection's lock, in short native waits with the abort looked at between them:
 * a thread stopped from outside while inside a driver call that then fails takes the whole process down.
 */
async function untilUnlocked<T>(work: () => T, deadline: number): Promise<T> {
	for (;;) {
		try {
			return work();
		} catch (error) {
			if (!isBusy(error) || Date.now() >= deadline) {
				throw isBusy(error) ? lockedError(job.source, BUSY_TIMEOUT_MS, error) : error;
			}
		}

		// eslint-disable-next-line no-await-in-loop -- a retry; the pause lets the abort message in
		await sleep(LOCK_POLL_MS);
		if (aborted) {
			throw new Aborted('backup aborted');
		}
	}
}

async function run(): Promise<void> {
	// One wait in all, however the lock comes and goes between the open and the first read.
	const deadline = Date.now() + BUSY_TIMEOUT_MS;
	const db = await untilUnlocked(() => openSqliteFile(job.source, {busyTimeoutMs: LOCK_POLL_MS}), deadline);
	try {
		db.pragma('query_only = ON');
		// Copying and counting inside one read transaction makes the counts describe exactly the copied
		// snapshot. The counts come after the copy, so the copy's checksum (on the main thread) and the
		// counts (here) run at the same time instead of one after the other.
		db.exec('BEGIN');
		// The read lock is taken here, where a locked file waits out the busy timeout and then fails
		// plainly: the backup API given a locked source reports a finished copy of zero pages instead.
		await untilUnlocked(() => db.prepare('SELECT count(*) FROM sqlite_schema').get(), deadline);
		const pageSize = db.pragma('page_size', {simple: true}) as number;
		let lastSent = 0;
		const metadata = await db.backup(job.destination, {
			progress({totalPages, remainingPages}) {
				if (aborted) {
					throw new Aborted('backup aborted');
				}

				const now = Date.now();
				if (now - lastSent >= PROGRESS_INTERVAL_MS) {
					lastSent = now;
					send({type: 'progress', pagesDone: totalPages - remainingPages, pagesTotal: totalPages, pageSize});
				}

				return PAGES_PER_STEP;
			},
		});
		if (metadata.totalPages === 0) {
			// Every SQLite file has at least one page; none copied means the source was never read.
			throw Object.assign(new Error(`the backup copied no pages from ${job.source}: the file stayed locked`), {code: 'SQLITE_BUSY'});
		}

		send({type: 'progress', pagesDone: metadata.totalPages, pagesTotal: metadata.totalPages, pageSize});
		const bytes = statSync(job.destination).size;
		send({type: 'copied', bytes});
		const sourceCounts = countRows(db);
		db.exec('COMMIT');
		send({type: 'done', bytes, sourceCounts, pagesTotal: metadata.totalPages, pageSize});
	} finally {
		db.close();
	}
}

try {
	await run();
} catch (error) {
	const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
	const hint = error instanceof CutoverError ? error.hint : null;
	send({type: 'failed', message: messageOf(error), code, hint, aborted: aborted || error instanceof Aborted});
}
