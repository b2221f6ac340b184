import {openTargetMigrator} from '../adapters/open-target.js';
import {removeOnSignal} from '../cli/remove-on-signal.js';
import {judgeTrace, relationsOnTarget, type LockTraceReport} from '../engine/lock-trace.js';
import {CutoverError, TraceCopyLeftError, UsageError} from '../errors/index.js';
import type {Migrator} from '../ports/migrator.js';
import type {ScratchCopy} from '../ports/scratch-copy.js';
import {parseTarget} from '../target.js';
import type {PostgresTarget} from '../adapters/postgres/postgres-target.js';
import type {FormatName} from '../adapters/migrator/migration-files.js';

export type LockTraceValues = {db?: string | undefined; directory: string; format: FormatName | null; empty: boolean; plain: boolean; json: boolean};

/** What keeps a trace from running at all, found before anything is read or copied. */
export function refuseTrace(values: Pick<LockTraceValues, 'db'>): void {
	if (values.db === undefined) {
		throw new UsageError('--trace needs --db', {hint: 'pass the PostgreSQL database the migrations are for: cutover lint --trace --db postgres://user@host/dbname (its schema is copied to a throwaway database and its sizes read; it is never changed)'});
	}

	if (parseTarget(values.db).engine !== 'postgres') {
		throw new UsageError('the lock trace is for PostgreSQL: SQLite has no table locks to measure', {hint: 'pass --db postgres://…, or lint the SQLite folder without --trace'});
	}
}

/**
 * `cutover lint --trace`: the locks each pending migration takes, measured on a throwaway copy
 * of the target's schema (or an empty database), scaled by the target's sizes. Returns the
 * report, and what is left to drop by hand when the copy could not be dropped (null when it is
 * gone). A signal drops the copy and exits 130 or 143.
 */
export async function measureLocks(values: LockTraceValues): Promise<{report: LockTraceReport; left: string | null}> {
	refuseTrace(values);
	const target = parseTarget(values.db!);
	if (target.engine !== 'postgres') {
		throw new Error('refuseTrace lets only PostgreSQL through');
	}

	const stop = new AbortController();
	const progress = !values.plain && !values.json && process.stderr.isTTY === true;
	const copy: {remove: (() => Promise<string | null>) | null} = {remove: null};
	const stopListening = removeOnSignal(stop, async () => copy.remove?.() ?? null);
	try {
		return await traceOnCopy(target, {
			directory: values.directory,
			format: values.format,
			empty: values.empty,
			signal: stop.signal,
			application: 'cutover lint --trace',
			onStart(removal) {
				copy.remove = removal;
			},
			...(progress ? {onStep: (line: string) => process.stderr.write(`\r\u001B[K${line}`)} : {}),
		}).finally(() => {
			if (progress) {
				process.stderr.write('\r\u001B[K');
			}
		});
	} catch (error) {
		const left = await (copy.remove?.() ?? Promise.resolve(null));
		// Said once: a copy the trace could not drop is named in its error already.
		if (left !== null && !(error instanceof Error && error.message.includes(left))) {
			process.stderr.write(`cutover: ${left}\n`);
		}

		throw error;
	} finally {
		stopListening();
	}
}

export type TraceOnCopyOptions = {
	directory: string;
	format: FormatName | null;
	empty: boolean;
	signal: AbortSignal;
	application: string;
	onStep?: (line: string) => void;
	/** Given what drops the copy (once, whoever calls it first): a signal handler drops it at once. */
	onStart?: (remove: () => Promise<string | null>) => void;
};

/**
 * The trace itself: the copy made, each pending migration traced on it, the copy dropped
 * (whatever happens, also when `signal` stops it), then the target's sizes read and the
 * trace judged. `left`: what is left to drop by hand when the copy could not be dropped.
 */
export async function traceOnCopy(target: PostgresTarget, options: TraceOnCopyOptions): Promise<{report: LockTraceReport; left: string | null}> {
	const {directory, format, signal} = options;
	const [{createScratchDatabase}, {traceMigrations}, {readRelationSizes}] = await Promise.all([
		import('../adapters/postgres/scratch-database.js'),
		import('../adapters/postgres/lock-trace.js'),
		import('../adapters/postgres/relation-sizes.js'),
	]);
	let scratch: ScratchCopy | null = null;
	let migrator: Migrator | null = null;
	let removal: Promise<string | null> | null = null;
	let closed = false;
	// Once, whichever comes first: the end, an error, or a signal.
	const remove = async () => {
		removal ??= (async () => {
			closed = migrator !== null;
			await migrator?.close().catch(() => undefined);
			return scratch === null ? null : scratch.remove();
		})();
		return removal;
	};

	options.onStart?.(remove);
	// Stopped while a statement runs on the copy: the copy goes at once (its forced drop ends that
	// session), not once the statement is done. While the copy is made, its maker drops it itself.
	const onAbort = () => {
		if (scratch !== null) {
			void remove();
		}
	};

	signal.addEventListener('abort', onAbort, {once: true});
	try {
		scratch = await createScratchDatabase(target, {mode: options.empty ? 'empty' : 'schema-only', name: `cutover_lt_${process.pid}_${stamp()}`, signal, application: options.application});
		if (signal.aborted) {
			throw new CutoverError('the trace was stopped', {hint: 'nothing was changed on the target; run it again'});
		}

		if (scratch.target.engine !== 'postgres') {
			throw new Error('a PostgreSQL target was copied to something else');
		}

		migrator = await openTargetMigrator(scratch.target, directory, undefined, format);
		const traced = await traceMigrations({
			scratch: scratch.target,
			migrator,
			directory,
			format,
			signal,
			...(options.onStep === undefined ? {} : {onStep: options.onStep}),
		});
		if (signal.aborted) {
			// Stopped during its last statement: what it measured is not a whole trace.
			throw new CutoverError('the trace was stopped', {hint: 'nothing was changed on the target; run it again'});
		}

		const description = scratch.description;
		const left = await remove();
		const sizes = await readRelationSizes(target, relationsOnTarget(traced));
		return {report: judgeTrace(traced, sizes, {target: target.display, scratch: description, migrationsDirectory: directory}), left};
	} catch (error) {
		// Ended early (a failure, a stop): what could not be dropped goes with the reason, never silently.
		const left = await remove();
		throw left === null || error instanceof TraceCopyLeftError || (error instanceof Error && error.message.includes(left)) ? error : new TraceCopyLeftError(error, left);
	} finally {
		signal.removeEventListener('abort', onAbort);
		await remove();
		// A migrator opened after a stop had already dropped the copy: its session ended with it, but the client is closed too.
		if (!closed) {
			await migrator?.close().catch(() => undefined);
		}
	}
}

let lastStamp = 0;

/** The copy's time in its name, never the same twice in one process: a run over several databases traces two at once, maybe on one server. */
function stamp(): number {
	lastStamp = Math.max(Date.now(), lastStamp + 1);
	return lastStamp;
}
