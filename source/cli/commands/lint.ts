import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {openDatabase, openTargetMigrator} from '../../adapters/open-target.js';
import type {Engine} from '../../engine/model.js';
import {CutoverError, UsageError} from '../../errors/index.js';
import {formatLint, lintExitCode, lintJson} from '../../lint/format-lint.js';
import {lintFolder, type FolderLintOptions} from '../../lint/lint-folder.js';
import {parseTarget} from '../../target.js';
import {resolveMigrations} from '../defaults.js';
import {parseCommand} from '../parse.js';
import {parseFormat} from '../run-flags.js';

/**
 * `cutover lint [<migrations-dir>] [--db <target>] [--engine postgres|sqlite] [--format <fmt>] [--trace [--empty] [--plain]] [--json]`.
 * Exit 0 clean, 1 warnings only, 2 errors (with --trace, the higher of that and the trace's);
 * every error (a folder that cannot be read, a statement that does not parse, bad usage) is 3,
 * set by the entry point.
 */
export async function lintCommand(args: string[]): Promise<number> {
	const {values, positionals} = parseCommand(args, {
		db: {type: 'string'},
		engine: {type: 'string'},
		format: {type: 'string'},
		migrations: {type: 'string'},
		json: {type: 'boolean', default: false},
		trace: {type: 'boolean', default: false},
		empty: {type: 'boolean', default: false},
		plain: {type: 'boolean', default: false},
	}, 'lint');
	try {
		return await lint(values, positionals);
	} catch (error) {
		// CI reading --json gets an answer it can parse for "could not lint" too.
		if (values.json) {
			const hint = error instanceof CutoverError ? error.hint : null;
			process.stdout.write(`${JSON.stringify({status: 'could-not-lint', exitCode: 3, error: error instanceof Error ? error.message : String(error), hint})}\n`);
		}

		throw error;
	}
}

type Values = {db?: string; engine?: string; format?: string; migrations?: string; json: boolean; trace: boolean; empty: boolean; plain: boolean};

async function lint(values: Values, positionals: string[]): Promise<number> {
	if (positionals.length > 1 || (positionals.length === 1 && values.migrations !== undefined)) {
		throw new UsageError(`lint takes one migrations directory, got ${[...positionals, ...(values.migrations === undefined ? [] : [values.migrations])].join(', ')}`, {hint: 'cutover lint [<migrations-dir>] [--db <target>] [--json]'});
	}

	if (!values.trace && (values.empty || values.plain)) {
		throw new UsageError(`--${values.empty ? 'empty' : 'plain'} is an option of the trace`, {hint: 'add --trace --db <target> to measure the locks, or leave the option out'});
	}

	// Only --trace loads the trace's code; its refusals (no --db, SQLite) come before any lint.
	const tracing = values.trace ? await import('../../lock-trace/measure-locks.js') : null;
	tracing?.refuseTrace(values);
	const directory = resolveMigrations(positionals[0] ?? values.migrations);
	if (!existsSync(directory) || !statSync(directory).isDirectory()) {
		throw new UsageError(`${directory} is no directory`, {hint: 'name the folder that holds the migrations: cutover lint path/to/migrations'});
	}

	const format = parseFormat(values.format);
	const target = values.db === undefined ? null : parseTarget(values.db);
	const engine = chooseEngine(values.engine, target?.engine ?? null);
	const options: FolderLintOptions = {format};
	if (target !== null) {
		// Against a live database: its pending migrations, judged against the tables it has now.
		const database = await openDatabase(target);
		try {
			options.liveTables = new Set(await database.tables());
		} finally {
			await database.close();
		}

		const migrator = await openTargetMigrator(target, directory, undefined, format);
		try {
			options.only = new Set((await migrator.plan()).pending.map(m => m.name));
		} finally {
			await migrator.close();
		}
	}

	const report = await lintFolder(directory, engine, options);
	if ('failure' in report) {
		const {failure} = report;
		throw new CutoverError(`${path.join(directory, failure.file)}:${failure.line}: ${failure.problem}`, {hint: 'fix the statement (cutover lint reads it with PostgreSQL\'s own parser, as the server would); for a SQLite folder pass --engine sqlite'});
	}

	// An empty folder is more likely a wrong path than a clean one; with --db, nothing pending is a real answer.
	if (report.linted.length + report.modules.length === 0 && target === null) {
		throw new CutoverError(`${directory} holds no migration for ${engine === 'postgres' ? 'PostgreSQL' : 'SQLite'}`, {hint: 'name the folder that holds the migrations (NNNN_name.up.sql and the layouts cutover run reads); for a folder of SQLite migrations pass --engine sqlite'});
	}

	if (tracing === null) {
		process.stdout.write(values.json ? lintJson(report) : formatLint(report));
		return lintExitCode(report);
	}

	const [{report: traced, left}, {formatLockTrace, lockTraceObject}, {traceExitCode}] = await Promise.all([
		tracing.measureLocks({db: values.db, directory, format, empty: values.empty, plain: values.plain, json: values.json}),
		import('../../lock-trace/format-lock-trace.js'),
		import('../../engine/lock-trace.js'),
	]);
	// A copy that could not be dropped is for the operator to clear, and for CI to notice.
	const exitCode = left === null ? Math.max(lintExitCode(report), traceExitCode(traced)) : 3;
	process.stdout.write(values.json
		? `${JSON.stringify({lint: JSON.parse(lintJson(report)) as unknown, trace: lockTraceObject(traced), exitCode}, null, 2)}\n`
		: `${formatLint(report)}\n${formatLockTrace(traced)}`);
	if (left !== null) {
		process.stderr.write(`cutover: ${left}\n`);
	}

	return exitCode;
}

function chooseEngine(flag: string | undefined, fromTarget: Engine | null): Engine {
	if (flag !== undefined && flag !== 'postgres' && flag !== 'sqlite') {
		throw new UsageError(`--engine ${flag} is not an engine cutover lints`, {hint: 'use --engine postgres or --engine sqlite'});
	}

	if (flag !== undefined && fromTarget !== null && flag !== fromTarget) {
		throw new UsageError(`--engine ${flag} contradicts --db, a ${fromTarget} database`, {hint: 'leave out --engine: the database says which engine it is'});
	}

	return fromTarget ?? (flag as Engine | undefined) ?? 'postgres';
}
