import {existsSync, statSync} from 'node:fs';
import type pg from 'pg';
import {openTargetMigrator} from '../../adapters/open-target.js';
import {judgeTrace, relationsOnTarget, traceExitCode, type LockTraceReport} from '../../engine/lock-trace.js';
import {CutoverError, UsageError} from '../../errors/index.js';
import type {Migrator} from '../../ports/migrator.js';
import type {ScratchCopy} from '../../ports/scratch-copy.js';
import {formatLockTrace, lockTraceJson} from '../../lock-trace/format-lock-trace.js';
import {parseTarget} from '../../target.js';
import {resolveMigrations} from '../defaults.js';
import {parseCommand} from '../parse.js';
import {parseFormat} from '../run-flags.js';

/**
 * `cutover lint-trace --db <target> [<migrations-dir>]`: the locks each pending migration takes,
 * measured on a throwaway copy of the target's schema, scaled by the target's sizes.
 * Exit 0 nothing blocks beyond small tables, 1 caution, 2 danger or a failed migration; every
 * error is 3, set by the entry point.
 */
export async function lintTraceCommand(args: string[]): Promise<number> {
	const {values, positionals} = parseCommand(args, {
		db: {type: 'string'},
		migrations: {type: 'string'},
		format: {type: 'string'},
		empty: {type: 'boolean', default: false},
		plain: {type: 'boolean', default: false},
		json: {type: 'boolean', default: false},
	}, 'lint-trace');
	if (positionals.length > 1 || (positionals.length === 1 && values.migrations !== undefined)) {
		throw new UsageError(`the trace takes one migrations directory, got ${[...positionals, ...(values.migrations === undefined ? [] : [values.migrations])].join(', ')}`, {hint: 'cutover lint-trace --db <target> [<migrations-dir>] [--json]'});
	}

	return runLockTrace({...values, directory: positionals[0] ?? values.migrations});
}

export type LockTraceValues = {db?: string | undefined; directory?: string | undefined; format?: string | undefined; empty: boolean; plain: boolean; json: boolean};

/** The trace, printed: the table or JSON on stdout, a copy that could not be dropped on stderr (exit 3). */
export async function runLockTrace(values: LockTraceValues): Promise<number> {
	try {
		const {report, left} = await measureLocks(values);
		process.stdout.write(values.json ? lockTraceJson(report) : formatLockTrace(report));
		if (left !== null) {
			// The trace finished; its copy did not go: that is for the operator to clear, and for CI to notice.
			process.stderr.write(`cutover: ${left}\n`);
			return 3;
		}

		return traceExitCode(report);
	} catch (error) {
		// CI reading --json gets an answer it can parse for "could not trace" too (exit 3, set by the entry point).
		if (values.json) {
			const hint = error instanceof CutoverError ? error.hint : null;
			process.stdout.write(`${JSON.stringify({status: 'could-not-trace', exitCode: 3, error: error instanceof Error ? error.message : String(error), hint})}\n`);
		}

		throw error;
	}
}

/**
 * The trace, not printed (for a command that prints it with more): its report, and what is left
 * to drop by hand when the copy could not be dropped (null when it is gone).
 */
export async function measureLocks(values: Omit<LockTraceValues, 'json'> & {json?: boolean}): Promise<{report: LockTraceReport; left: string | null}> {
	if (values.db === undefined) {
		throw new UsageError('the trace needs --db', {hint: 'pass the PostgreSQL database the migrations are for: --db postgres://user@host/dbname (its schema is copied to a throwaway database and its sizes read; it is never changed)'});
	}

	const target = parseTarget(values.db);
	if (target.engine !== 'postgres') {
		throw new UsageError('the lock trace is for PostgreSQL: SQLite has no table locks to measure', {hint: 'pass --db postgres://…, or lint the SQLite folder without the trace'});
	}

	const directory = resolveMigrations(values.directory);
	if (!existsSync(directory) || !statSync(directory).isDirectory()) {
		throw new UsageError(`the migrations directory ${directory} does not exist`, {hint: 'name the folder that holds the migrations: cutover lint-trace --db <target> path/to/migrations'});
	}

	const format = parseFormat(values.format);
	const stop = new AbortController();
	const progress = !values.plain && !values.json && process.stderr.isTTY === true;
	const [{createScratchDatabase}, {connectPostgres}, {traceMigrations}, {readRelationSizes}] = await Promise.all([
		import('../../adapters/postgres/scratch-database.js'),
		import('../../adapters/postgres/connect.js'),
		import('../../adapters/postgres/lock-trace.js'),
		import('../../adapters/postgres/relation-sizes.js'),
	]);
	let scratch: ScratchCopy | null = null;
	let migrator: Migrator | null = null;
	let client: pg.Client | null = null;
	let removal: Promise<string | null> | null = null;
	// Once, whichever comes first: the end, an error, or a signal.
	const remove = async () => {
		removal ??= (async () => {
			await client?.end().catch(() => undefined);
			await migrator?.close().catch(() => undefined);
			return scratch === null ? null : scratch.remove();
		})();
		return removal;
	};

	const onSignal = (signal: NodeJS.Signals) => {
		stop.abort();
		process.stderr.write(`\ncutover: ${signal}: removing the scratch copy and stopping\n`);
		void remove().then(left => {
			if (left !== null) {
				process.stderr.write(`cutover: ${left}\n`);
			}

			process.exit(signal === 'SIGINT' ? 130 : 143);
		});
	};

	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	try {
		scratch = await createScratchDatabase(target, {mode: values.empty ? 'empty' : 'schema-only', name: `cutover_lt_${process.pid}_${Date.now()}`, signal: stop.signal, application: 'cutover lint --trace'});
		if (stop.signal.aborted) {
			// The signal handler drops the copy and exits.
			throw new CutoverError('the trace was stopped', {hint: 'nothing was changed on the target; run it again'});
		}

		if (scratch.target.engine !== 'postgres') {
			throw new Error('a PostgreSQL target was copied to something else');
		}

		migrator = await openTargetMigrator(scratch.target, directory, undefined, format);
		client = await connectPostgres(scratch.target, {application_name: 'cutover lint --trace'});
		// Only the migrator shares the copy, and it is idle while a statement is traced: a wait means something is wrong.
		await client.query('SET lock_timeout = \'30s\'');
		const traced = await traceMigrations({
			client,
			migrator,
			directory,
			format,
			signal: stop.signal,
			...(progress ? {onStep: (line: string) => process.stderr.write(`\r\u001B[K${line}`)} : {}),
		});
		if (progress) {
			process.stderr.write('\r\u001B[K');
		}

		const description = scratch.description;
		const left = await remove();
		const sizes = await readRelationSizes(target, relationsOnTarget(traced));
		return {report: judgeTrace(traced, sizes, {target: target.display, scratch: description, migrationsDirectory: directory}), left};
	} catch (error) {
		const left = await remove();
		if (left !== null) {
			process.stderr.write(`cutover: ${left}\n`);
		}

		throw error;
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}
}
