import {fork, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import type {RowCounts} from '../../engine/model.js';
import type {DatabaseSnapshot} from '../../engine/snapshot.js';
import {CutoverError, QueryStoppedError} from '../../errors/index.js';
import type {QueryOptions, QueryOutcome} from '../../ports/index.js';
import type {QueryReady, QueryRequest, QueryResponse, QueryWork} from './query-messages.js';

export type QueryProcess = {
	query(sql: string, options: {timeoutMs: number; signal?: AbortSignal}): Promise<QueryOutcome>;
	rowCounts(options: Pick<QueryOptions, 'signal'>): Promise<RowCounts>;
	/** The file's snapshot; `database` is the name it goes by (the fingerprint's). */
	snapshot(database: string, options: Pick<QueryOptions, 'signal'>): Promise<DatabaseSnapshot>;
	/** PRAGMA integrity_check's lines ("ok" alone when the file is sound). */
	integrityCheck(): Promise<string[]>;
	close(): Promise<void>;
};

type Pending = {child: ChildProcess; resolve: (response: QueryResponse) => void; reject: (error: unknown) => void};

const childPath = fileURLToPath(new URL('query-child.js', import.meta.url));
const live = new Set<ChildProcess>();
let exitHook = false;

/** A child stuck in a statement would outlive us: it goes when we go, however we go. */
function killOnExit(child: ChildProcess): void {
	live.add(child);
	child.once('exit', () => live.delete(child));
	if (!exitHook) {
		exitHook = true;
		process.on('exit', () => {
			for (const each of live) {
				each.kill('SIGKILL');
			}
		});
	}
}

/**
 * The statements of a SQLite target that may run long (checks, row counts), in a child process
 * started on first use and kept for the next one. The event loop stays free meanwhile; a
 * timeout or a cancel kills the child, and the next statement starts a fresh one.
 */
export function startQueryProcess(file: string, options: {readonly?: boolean} = {}): QueryProcess {
	let child: ChildProcess | null = null;
	let ready: Promise<void> | null = null;
	let nextId = 1;
	const pending = new Map<number, Pending>();
	let queue: Promise<unknown> = Promise.resolve();
	let closed = false;

	const stop = () => {
		if (child !== null) {
			child.kill('SIGKILL');
			child = null;
			ready = null;
		}
	};

	const spawn = (): Promise<void> => {
		const started = fork(childPath, [file, ...(options.readonly === true ? ['--readonly'] : [])], {serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc']});
		killOnExit(started);
		child = started;
		return new Promise<void>((resolve, reject) => {
			started.once('message', (message: QueryReady) => {
				if (message.ready) {
					resolve();
				} else {
					reject(new CutoverError(`cannot open ${file}: ${message.message}`, {hint: 'check that the file is there, readable, and a SQLite database'}));
				}
			});
			started.on('message', (message: QueryResponse | QueryReady) => {
				if ('id' in message) {
					pending.get(message.id)?.resolve(message);
					pending.delete(message.id);
				}
			});
			started.once('error', reject);
			started.once('exit', (code, signal) => {
				if (child === started) {
					child = null;
					ready = null;
				}

				const error = new CutoverError(`the process that runs queries on ${file} stopped (${signal ?? `exit code ${code}`})`, {hint: 'run again; if it keeps stopping, check that the file is readable'});
				reject(error);
				// Only what this child was asked: a child killed on a timeout dies after its successor started.
				for (const [id, waiting] of pending) {
					if (waiting.child === started) {
						pending.delete(id);
						waiting.reject(error);
					}
				}
			});
		});
	};

	const send = async (request: QueryWork, options: {timeoutMs?: number; signal?: AbortSignal}): Promise<QueryResponse> => {
		const started = Date.now();
		if (closed) {
			throw new CutoverError(`the connection to ${file} is closed`, {hint: 'this is a bug in cutover: a statement after the run closed its connections'});
		}

		if (options.signal?.aborted === true) {
			throw new QueryStoppedError('cancelled', 0);
		}

		ready ??= spawn();
		let timer: NodeJS.Timeout | undefined;
		let onAbort = () => {};
		const current = child!;
		current.ref();
		current.channel?.ref();
		try {
			return await new Promise<QueryResponse>((resolve, reject) => {
				const id = nextId++;
				const stopWith = (reason: 'timed-out' | 'cancelled') => {
					pending.delete(id);
					// The only way to stop a SQLite statement from outside it.
					stop();
					reject(new QueryStoppedError(reason, Date.now() - started));
				};

				pending.set(id, {child: current, resolve, reject});
				if (options.timeoutMs !== undefined) {
					timer = setTimeout(() => stopWith('timed-out'), options.timeoutMs);
				}

				onAbort = () => stopWith('cancelled');
				options.signal?.addEventListener('abort', onAbort, {once: true});
				ready!.then(() => {
					current.send({...request, id} satisfies QueryRequest, error => {
						if (error !== null) {
							reject(error);
						}
					});
				}).catch(reject);
			});
		} finally {
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', onAbort);
			// Idle, the child must not keep the process alive.
			current.unref();
			current.channel?.unref();
		}
	};

	/** One statement at a time, as on one connection. */
	const serial = async <T>(work: () => Promise<T>): Promise<T> => {
		const run = queue.then(work, work);
		queue = run.catch(() => undefined);
		return run;
	};

	return {
		async query(sql, options) {
			const response = await serial(async () => send({kind: 'query', sql}, options));
			if (!response.ok) {
				throw failure(file, response);
			}

			if (!('result' in response)) {
				throw new Error('the query process answered a query with counts');
			}

			return response.result;
		},
		async rowCounts(options) {
			const response = await serial(async () => send({kind: 'counts'}, options.signal === undefined ? {} : {signal: options.signal}));
			if (!response.ok) {
				throw new CutoverError(`cannot count the rows of ${file}: ${response.message}`, {hint: 'check that the file is readable and not damaged'});
			}

			if (!('counts' in response)) {
				throw new Error('the query process answered counts with rows');
			}

			const counts: RowCounts = {};
			for (const [name, count] of response.counts) {
				// defineProperty, because a table may well be called __proto__.
				Object.defineProperty(counts, name, {value: count, enumerable: true, writable: true, configurable: true});
			}

			return counts;
		},
		async snapshot(database, options) {
			const response = await serial(async () => send({kind: 'snapshot', database}, options.signal === undefined ? {} : {signal: options.signal}));
			if (!response.ok) {
				throw new CutoverError(`cannot take a snapshot of ${file}: ${response.message}`, {hint: 'check that the file is readable and not damaged'});
			}

			if (!('snapshot' in response)) {
				throw new Error('the query process answered a snapshot with something else');
			}

			return response.snapshot;
		},
		async integrityCheck() {
			const response = await serial(async () => send({kind: 'integrity'}, {}));
			if (!response.ok) {
				throw new CutoverError(response.message, {hint: 'the file may be damaged'});
			}

			if (!('integrity' in response)) {
				throw new Error('the query process answered an integrity check with something else');
			}

			return response.integrity;
		},
		async close() {
			// Not after the queue: a statement still running is ended, not waited for.
			closed = true;
			stop();
		},
	};
}

function failure(file: string, response: Extract<QueryResponse, {ok: false}>): CutoverError {
	if (response.refused) {
		return new CutoverError(`refused to run a statement that returns no rows or writes on ${file}: ${response.message}`, {
			hint: 'checks must be read-only SELECT statements; move changes into a migration',
		});
	}

	return new CutoverError(`query failed on ${file}: ${response.message}`, {hint: 'fix the SQL of this check and run again'});
}
