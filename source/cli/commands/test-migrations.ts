import {existsSync, statSync} from 'node:fs';
import {removeOnSignal} from '../remove-on-signal.js';
import {openDatabase, openTargetMigrator} from '../../adapters/open-target.js';
import {systemClock} from '../../adapters/system-clock.js';
import {loadChecklist} from '../../checklist/index.js';
import {failuresOf, exitCodeOf, type RoundTripReport} from '../../engine/round-trip.js';
import {CutoverError, UsageError} from '../../errors/index.js';
import type {Database} from '../../ports/database.js';
import type {Migrator} from '../../ports/migrator.js';
import type {ScratchCopy, ScratchMode} from '../../ports/scratch-copy.js';
import {formatRoundTrip, roundTripJson} from '../../round-trip/format-round-trip.js';
import {runRoundTrip} from '../../round-trip/run-round-trip.js';
import {runbookChecks} from '../../round-trip/runbook-checks.js';
import {parseTarget, type Target} from '../../target.js';
import {resolveMigrations} from '../defaults.js';
import {parseCommand} from '../parse.js';
import {parseFormat} from '../run-flags.js';

/**
 * `cutover test-migrations --db <source>`: every pending migration up, down and up again on a
 * throwaway copy of the source, comparing the schema after each down with the one before its up.
 * Exit 0 all passed, 1 any failure; every error (bad usage, no copy could be made) is 3, set by
 * the entry point.
 */
export async function testMigrationsCommand(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {
		db: {type: 'string'},
		migrations: {type: 'string'},
		format: {type: 'string'},
		checklist: {type: 'string'},
		'schema-only': {type: 'boolean', default: false},
		empty: {type: 'boolean', default: false},
		plain: {type: 'boolean', default: false},
		json: {type: 'boolean', default: false},
	}, 'test-migrations');
	try {
		return await roundTrip(values);
	} catch (error) {
		// CI reading --json gets an answer it can parse for "could not run" too (exit 3, set by the entry point).
		if (values.json) {
			const hint = error instanceof CutoverError ? error.hint : null;
			process.stdout.write(`${JSON.stringify({status: 'could-not-run', exitCode: 3, error: error instanceof Error ? error.message : String(error), hint})}\n`);
		}

		throw error;
	}
}

type Values = {db?: string; migrations?: string; format?: string; checklist?: string; 'schema-only': boolean; empty: boolean; plain: boolean; json: boolean};

async function roundTrip(values: Values): Promise<number> {
	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass the database whose migrations to test: --db postgres://user@host/dbname or --db sqlite:path/to/file.db (it is copied, never changed)'});
	}

	if (values['schema-only'] && values.empty) {
		throw new UsageError('--schema-only and --empty exclude each other', {hint: 'pass one: --schema-only copies the schema without rows, --empty starts from an empty database'});
	}

	const source = parseTarget(values.db);
	const directory = resolveMigrations(values.migrations);
	if (!existsSync(directory) || !statSync(directory).isDirectory()) {
		throw new UsageError(`the migrations directory ${directory} does not exist`, {hint: 'pass --migrations <directory> holding the migration files'});
	}

	const format = parseFormat(values.format);
	const checklist = values.checklist === undefined ? null : await loadChecklist(values.checklist);
	const mode: ScratchMode = values.empty ? 'empty' : values['schema-only'] ? 'schema-only' : 'full';
	const stop = new AbortController();
	const progress = !values.plain && !values.json && process.stderr.isTTY === true;
	let scratch: ScratchCopy | null = null;
	let migrator: Migrator | null = null;
	let database: Database | null = null;
	let removal: Promise<string | null> | null = null;
	// Once, whichever comes first: the end, an error, or a signal.
	const remove = async () => {
		removal ??= (async () => {
			await migrator?.close().catch(() => undefined);
			await database?.close().catch(() => undefined);
			return scratch === null ? null : scratch.remove();
		})();
		return removal;
	};

	const stopListening = removeOnSignal(stop, remove);
	try {
		scratch = await makeCopy(source, mode, stop.signal);
		if (stop.signal.aborted) {
			return 130;
		}

		migrator = await openTargetMigrator(scratch.target, directory, undefined, format);
		database = checklist === null ? null : await openDatabase(scratch.target);
		const run = await runRoundTrip({
			migrator,
			readCatalog: scratch.readCatalog,
			checks: checklist === null || database === null ? null : runbookChecks(checklist, database, systemClock),
			context: {runId: `round-trip-${process.pid}-${Date.now()}`, appliedBy: 'cutover test-migrations'},
			signal: stop.signal,
			...(progress ? {onStep: (line: string) => process.stderr.write(`\r\u001B[K${line}`)} : {}),
		});
		if (progress) {
			process.stderr.write('\r\u001B[K');
		}

		const notes = checklist === null ? [...run.notes, 'no --checklist: no post checks were run'] : run.notes;
		const failures = failuresOf(run.migrations, run.checks);
		const report: RoundTripReport = {
			source: source.display,
			scratch: scratch.description,
			migrationsDirectory: directory,
			appliedBefore: run.appliedBefore,
			migrations: run.migrations,
			checks: run.checks,
			notes,
			failures,
			passed: failures.length === 0,
		};
		const left = await remove();
		process.stdout.write(values.json ? roundTripJson(report) : formatRoundTrip(report));
		if (left !== null) {
			// The round trip finished; its copy did not go: that is for the operator to clear, and for CI to notice.
			process.stderr.write(`cutover: ${left}\n`);
			return 3;
		}

		return exitCodeOf(report);
	} catch (error) {
		const left = await remove();
		if (left !== null) {
			process.stderr.write(`cutover: ${left}\n`);
		}

		throw error;
	} finally {
		stopListening();
	}
}

async function makeCopy(source: Target, mode: ScratchMode, signal: AbortSignal): Promise<ScratchCopy> {
	if (source.engine === 'postgres') {
		const {createScratchDatabase} = await import('../../adapters/postgres/scratch-database.js');
		return createScratchDatabase(source, {mode, name: `cutover_rt_${process.pid}_${Date.now()}`, signal});
	}

	return (await import('../../adapters/sqlite/scratch-file.js')).createScratchFile(source.path, mode, signal);
}
