import {existsSync} from 'node:fs';
import {mkdir, open} from 'node:fs/promises';
import path from 'node:path';
import {Worker} from 'node:worker_threads';
import type {BackupArtifact, BackupProgress} from '../../engine/model.js';
import {BackupError, TargetError} from '../../errors/index.js';
import type {BackupRequest} from '../../ports/index.js';
import type {BackupJob, FromWorker, ToWorker} from './backup-messages.js';
import {sha256OfFile} from './file-hash.js';
import {messageOf} from './open-file.js';
import {removePartial} from './remove-partial.js';

/** The port promises progress at least twice a second; repeat the last figure when the copy is between reports. */
const HEARTBEAT_MS = 250;
/** A worker busy in one long statement reads its messages late; past this, it is stopped outright. */
const ABORT_GRACE_MS = 2000;

type Outcome = {done: Extract<FromWorker, {type: 'done'}>; sha256: string} | {failed: Extract<FromWorker, {type: 'failed'}>};

/** Copies `source` with SQLite's online backup in a worker thread. */
export async function runBackup(source: string, request: BackupRequest): Promise<BackupArtifact> {
	const destination = path.resolve(request.directory, request.fileName);
	if (!existsSync(source)) {
		const cause = new TargetError(`SQLite database ${source} does not exist`, {target: source, hint: 'check the path of --db'});
		throw new BackupError(`cannot back up ${source}: the file does not exist`, {path: destination, hint: cause.hint, cause});
	}

	if (request.signal?.aborted) {
		throw new BackupError(`backup of ${source} was cancelled before it started`, {path: destination, hint: 'start the backup again when ready'});
	}

	await reserve(destination);
	let outcome: Outcome;
	try {
		outcome = await copyInWorker({source, destination}, request);
	} catch (error) {
		await removePartial(destination);
		throw new BackupError(`backup of ${source} to ${destination} failed: ${messageOf(error)}`, {path: destination, hint: 'see the cause; the partial file was removed', cause: error});
	}

	if ('failed' in outcome) {
		await removePartial(destination);
		const {message, code, hint, aborted} = outcome.failed;
		if (aborted) {
			throw new BackupError(`backup of ${source} was cancelled; the partial file ${destination} was removed`, {path: destination, hint: 'start the backup again when ready'});
		}

		throw new BackupError(`backup of ${source} to ${destination} failed: ${message}`, {path: destination, hint: hint ?? hintFor(code, source, destination)});
	}

	const {done, sha256} = outcome;
	return {path: destination, format: 'sqlite-file', bytes: done.bytes, sha256, sourceCounts: done.sourceCounts};
}

/** Creates the directory and claims the file name, so an existing file is never overwritten, even by a race. */
async function reserve(destination: string): Promise<void> {
	try {
		await mkdir(path.dirname(destination), {recursive: true});
		const handle = await open(destination, 'wx');
		await handle.close();
	} catch (error) {
		const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
		throw new BackupError(exists ? `backup file ${destination} already exists` : `cannot create backup file ${destination}: ${messageOf(error)}`, {
			path: destination,
			hint: exists ? 'choose another file name or move the old backup away; cutover never overwrites a backup' : 'check that the backup directory is writable and has free space',
			cause: error,
		});
	}
}

async function copyInWorker(job: BackupJob, request: BackupRequest): Promise<Outcome> {
	const worker = new Worker(new URL('./backup-worker.js', import.meta.url), {workerData: job});
	let latest: BackupProgress = {bytes: 0};
	let lastEmitted = 0;
	let emitted: BackupProgress | undefined;
	let outcome: Outcome | undefined;
	// Started when the worker says the copy is complete; a copy never reported complete is never hashed.
	let hashing: Promise<string> | undefined;
	const emit = (): void => {
		lastEmitted = Date.now();
		emitted = latest;
		request.onProgress(latest);
	};

	const heartbeat = setInterval(() => {
		if (Date.now() - lastEmitted >= HEARTBEAT_MS) {
			emit();
		}
	}, HEARTBEAT_MS);
	let killTimer: NodeJS.Timeout | undefined;
	const onAbort = (): void => {
		worker.postMessage({type: 'abort'} satisfies ToWorker);
		killTimer = setTimeout(() => void worker.terminate(), ABORT_GRACE_MS);
	};

	request.signal?.addEventListener('abort', onAbort, {once: true});
	worker.on('message', (message: FromWorker) => {
		switch (message.type) {
			case 'progress': {
				latest = {
					bytes: message.pagesDone * message.pageSize,
					estimatedBytes: message.pagesTotal * message.pageSize,
					pagesDone: message.pagesDone,
					pagesTotal: message.pagesTotal,
				};
				emit();
				break;
			}

			case 'copied': {
				hashing = sha256OfFile(job.destination);
				// Read when the worker is done; until then a failure must not go unhandled.
				hashing.catch(() => undefined);
				break;
			}

			case 'done': {
				outcome = {done: message, sha256: ''};
				break;
			}

			case 'failed': {
				outcome = {failed: message};
				break;
			}
		}
	});

	try {
		const settled = await new Promise<Outcome>((resolve, reject) => {
			worker.once('error', reject);
			worker.once('exit', code => {
				if (outcome !== undefined) {
					resolve(outcome);
				} else if (request.signal?.aborted) {
					resolve({failed: {type: 'failed', message: 'backup aborted', code: null, hint: null, aborted: true}});
				} else {
					reject(new Error(`the backup worker stopped with exit code ${code} before it finished`));
				}
			});
		});
		if ('done' in settled) {
			if (hashing === undefined) {
				throw new Error('the backup worker finished without saying the copy was complete');
			}

			settled.sha256 = await hashing;
		}

		return settled;
	} finally {
		clearInterval(heartbeat);
		clearTimeout(killTimer);
		request.signal?.removeEventListener('abort', onAbort);
		if (outcome !== undefined && 'done' in outcome && emitted !== latest) {
			// The last word is always the finished figure, whatever the throttle swallowed.
			emit();
		}
	}
}

function hintFor(code: string | null, source: string, destination: string): string {
	switch (code) {
		case 'SQLITE_BUSY':
		case 'SQLITE_LOCKED': {
			return `another process holds a lock on ${source}; stop the application that writes to it and try again`;
		}

		case 'SQLITE_FULL':
		case 'ENOSPC': {
			return `free space in ${path.dirname(destination)} (the backup needs about the size of the database) and try again`;
		}

		case 'SQLITE_CORRUPT':
		case 'SQLITE_NOTADB': {
			return `${source} is damaged or not a SQLite database; do not migrate it, investigate first`;
		}

		default: {
			return `check that ${source} is readable and ${path.dirname(destination)} is writable, then try again`;
		}
	}
}
