import path from 'node:path';
import {CutoverError, IrreversibleMigrationError, MigrationError} from '../../errors/index.js';
import type {LockPolicy, MigrationContext} from '../../ports/migrator.js';
import type {MigrationSource, Script} from './migration-files.js';
import {forgetStatement, positionTableExists} from './backfill-position.js';
import {createLogTable, deleteLogRowStatement, findLogRow, findLogRowStatement, firstLogRow, insertLogRowStatement, logTableExists, MIGRATIONS_TABLE, type LogRow, type LogTable} from './migration-log.js';
import {lockFailure} from './lock-failure.js';
import {retryLockTimeouts} from './lock-retries.js';
import {runWithoutTransaction} from './run-without-transaction.js';
import {externalError} from './external-migration.js';
import type {ToolHistory} from './tool-history.js';
import {foreignKeyGuard} from './sqlite-foreign-keys.js';
import {describeBlockers} from './postgres-blockers.js';
import type {Blocker, Session, Statement} from './session.js';
import {errorCode, failedStatementOf, messageOf} from './session.js';

type Direction = 'up' | 'down';

/** Where the work stood when the driver threw, so the error can name the statement. */
type Progress = {statement: string | null; index: number; total: number | null};

/**
 * Runs one migration and writes (or removes) its log row in ONE transaction: either both
 * happen or neither does, so the log never disagrees with the schema. A failure rolls back
 * and becomes a MigrationError naming the statement. A lock timeout rolls back too and is
 * tried again after a backoff, up to policy.maxAttempts times in all.
 */
export async function runMigration(session: Session, source: MigrationSource, direction: Direction, context: MigrationContext & {appliedAt: string}, policy: LockPolicy, log: LogTable = {known: false}, tool: ToolHistory | null = null): Promise<void> {
	const script = direction === 'up' ? source.up : source.down;
	if (script === null) {
		throw new IrreversibleMigrationError(source.name);
	}

	if (!script.transaction || script.kind === 'module') {
		// What these do to foreign keys (or a backfill's table) is not read here: the next SQL migration looks at the catalog again.
		delete log.foreignKeys;
		delete log.positions;
	}

	if (!script.transaction) {
		await runWithoutTransaction(session, source, direction, script, context, policy, tool);
		return;
	}

	const lockTimeoutMs = script.lockTimeoutMs ?? policy.lockTimeoutMs;
	// A revert of an up that backfilled part way: its positions go with the down, or a later up would skip rows.
	if (direction === 'down') {
		log.positions ??= await positionTableExists(session);
	}

	const forget = direction === 'down' && log.positions === true ? [forgetStatement(session, source.name)] : [];
	let progress: Progress = {statement: null, index: 0, total: null};
	let blockers: Blocker[] = [];
	const outcome = await retryLockTimeouts({
		policy,
		onRetry: context.onRetry,
		signal: context.signal,
		isLockTimeout: error => !(error instanceof CutoverError) && session.isLockTimeout(error),
		describe: error => `${messageOf(error)}${blockers.length > 0 ? `; held by ${describeBlockers(blockers)}` : ''}`,
		async attempt() {
			progress = {statement: null, index: 0, total: null};
			// PostgreSQL, once the log table is known: a SQL migration's statements travel with its log row, in one message.
			const body = log.known && session.engine === 'postgres' && script.kind === 'sql' && sendsWhole(script.statements) ? script.statements : null;
			const watch = await session.watchBlockers(lookInterval(lockTimeoutMs));
			try {
				// Once a commit has shown the table is there, the guard's look travels with BEGIN (one
				// round trip on PostgreSQL, a statement prepared once on SQLite); the log row always travels with COMMIT.
				const known = log.known;
				let tableThere = known;

				const logRow = direction === 'up'
					? insertLogRowStatement(session, {name: source.name, checksum: source.checksum, appliedAt: context.appliedAt, appliedBy: context.appliedBy, runId: context.runId})
					: deleteLogRowStatement(session, source.name);
				await session.transaction(async opened => {
					if (known) {
						judge(source.name, direction, context.partlyApplied === true, firstLogRow(opened));
					} else {
						tableThere = await guard(session, source.name, direction, context.partlyApplied === true, log);
					}

					// With a body they went with BEGIN, before the migration's statements, as here.
					for (const statement of body === null ? tool?.before ?? [] : []) {
						// eslint-disable-next-line no-await-in-loop -- in order, one at a time
						await session.run(statement.sql, statement.params);
					}

					// SQLite runs a SQL migration with foreign key enforcement off, as sqlite3 and SQLite's table-rebuild
					// procedure expect; what enforcement would catch is checked before COMMIT. Modules keep it on.
					const keys = session.engine === 'sqlite' && script.kind === 'sql' ? foreignKeyGuard(session, source.name, direction, script.statements, log) : null;
					await keys?.before();
					if (body === null) {
						await runScript(session, source.name, script, progress);
					} else {
						progress.total = body.length;
					}

					// From here a failure (the key check, the log row, COMMIT) is the migration's, at no statement of its own.
					progress.statement = null;
					await keys?.after();
				}, {lockTimeoutMs, open: known ? opening(guardStatements(session, source.name), body === null ? [] : tool?.before ?? []) : [], close: [logRow, ...forget, ...tool?.after ?? []], foreignKeysOff: session.engine === 'sqlite' && script.kind === 'sql', ...(body === null ? {} : {body}), ...(context.beforeEffect ? {whileOpening: () => context.beforeEffect?.('transaction')} : {})});
				// Committed: the table is there from now on.
				log.known ||= tableThere;
			} catch (error) {
				const index = body === null ? undefined : failedStatementOf(error);
				if (body !== null && index !== undefined) {
					progress = {statement: body[index - 1] ?? null, index, total: body.length};
				}

				throw error;
			} finally {
				blockers = await watch.stop();
			}
		},
	});
	if (outcome.ok) {
		return;
	}

	const {error} = outcome;
	if (error instanceof CutoverError) {
		throw error;
	}

	if (outcome.lockTimedOut) {
		throw lockFailure({
			name: source.name,
			direction,
			file: script.file,
			engine: session.engine,
			where: session.where,
			lockTimeoutMs,
			attempts: outcome.attempts,
			maxAttempts: policy.maxAttempts,
			stopped: outcome.stopped,
			at: where(progress),
			statement: progress.statement,
			blockers,
			error,
		});
	}

	throw failure(source.name, direction, script, progress, error);
}

/**
 * The server parses a whole message before it runs any of it, so statements go as one message only
 * where that is the same as one by one: a small script (the parse of a large one holds memory in
 * the backend in proportion), and none that changes how the server reads the text that follows.
 */
const WHOLE_MESSAGE_CHARS = 1024 * 1024;
const changesReading = /\b(standard_conforming_strings|backslash_quote|client_encoding|escape_string_warning)\b/i;

function sendsWhole(statements: readonly string[]): boolean {
	let chars = 0;
	for (const statement of statements) {
		chars += statement.length;
		if (chars > WHOLE_MESSAGE_CHARS || changesReading.test(statement)) {
			return false;
		}
	}

	return true;
}

/** Often enough to catch the holders within a short timeout, rarely enough to cost nothing over a long one. */
function lookInterval(lockTimeoutMs: number): number {
	return Math.min(250, Math.max(20, Math.floor(lockTimeoutMs / 4)));
}

const advisoryLock = `SELECT pg_advisory_xact_lock(hashtext('${MIGRATIONS_TABLE}'))`;

/**
 * Inside the transaction, look up this migration's log row: another operator may have applied
 * or reverted it since the plan was made. Returns whether the log table is there. PostgreSQL takes an advisory lock first so two
 * migrators queue instead of racing; SQLite's BEGIN IMMEDIATE already holds the write lock.
 */
async function guard(session: Session, name: string, direction: Direction, partlyApplied: boolean, log: LogTable): Promise<boolean> {
	if (session.engine === 'postgres') {
		await session.run(advisoryLock);
	}

	if (direction === 'up' && !log.known) {
		await createLogTable(session);
	}

	const there = log.known || direction === 'up' || await logTableExists(session);
	judge(name, direction, partlyApplied, there ? await findLogRow(session, name) : null);
	return there;
}

/** The guard's statements when the table is known to be there, to run right after BEGIN: the same lock and look. */
function guardStatements(session: Session, name: string): Statement[] {
	return session.engine === 'postgres' ? [{sql: advisoryLock}, findLogRowStatement(session, name)] : [findLogRowStatement(session, name)];
}

/** The guard's statements with `before` ahead of its look, which must stay last: its rows are the ones judged. */
function opening(guards: Statement[], before: readonly Statement[]): Statement[] {
	const look = guards.at(-1);
	return look === undefined ? [...before] : [...guards.slice(0, -1), ...before, look];
}

/** Refuses an up whose row is there, and a down whose row is not (unless partly applied). */
function judge(name: string, direction: Direction, partlyApplied: boolean, row: LogRow | null): void {
	if (direction === 'up' && row) {
		throw new MigrationError(`${name} is already applied (by ${row.appliedBy} at ${row.appliedAt}, run ${row.runId})`, {
			migration: name,
			direction,
			statement: null,
			hint: 'someone else may be migrating this database: plan again before going on',
		});
	}

	if (direction === 'down' && !row && !partlyApplied) {
		throw new MigrationError(`${name} is not applied, there is nothing to revert`, {
			migration: name,
			direction,
			statement: null,
			hint: 'plan again to see what is applied',
		});
	}
}

async function runScript(session: Session, name: string, script: Script, progress: Progress): Promise<void> {
	if (script.kind === 'external') {
		throw externalError(name, script.file);
	}

	if (script.kind === 'module') {
		await script.run({
			engine: session.engine,
			name,
			async query(sql, params = []) {
				progress.statement = sql;
				progress.index++;
				return session.run(sql, params);
			},
			async backfill() {
				// Its batches commit one by one: inside this migration's transaction they would be one long UPDATE.
				throw new MigrationError(`${name} calls backfill inside its transaction`, {
					migration: name,
					direction: 'up',
					statement: null,
					hint: `add export const transaction = false; to ${path.basename(script.file)}: a backfill commits batch by batch, outside the migration's transaction`,
				});
			},
		});
		return;
	}

	const {statements} = script;
	progress.total = statements.length;
	for (const statement of statements) {
		progress.statement = statement;
		progress.index++;
		// eslint-disable-next-line no-await-in-loop -- in order, one at a time
		await session.run(statement);
	}
}

function failure(name: string, direction: Direction, script: Script, progress: Progress, error: unknown): MigrationError {
	const file = path.basename(script.file);
	const at = where(progress);
	const detail = driverDetail(error);
	return new MigrationError(`${name} (${direction}) failed${at} in ${file}: ${messageOf(error)}${detail}`, {
		migration: name,
		direction,
		statement: progress.statement,
		hint: `the transaction was rolled back, so the database is as it was before this ${direction === 'up' ? 'migration' : 'revert'}; ${errorCode(error) === '25001'
			// PostgreSQL's "cannot run inside a transaction block": a module's statements are only known when it runs.
			? `${file} runs a statement that cannot run in a transaction: ${script.kind === 'module' ? 'export const transaction = false;' : 'add "-- cutover: no-transaction" above its first statement'} to run it statement by statement`
			: `fix ${file}`} and run again`,
		cause: error,
	});
}

function where(progress: Progress): string {
	return progress.statement === null ? '' : ` at statement ${progress.index}${progress.total === null ? '' : ` of ${progress.total}`}`;
}

/** PostgreSQL errors carry the offending key or column in `detail`; it is often the useful half. */
function driverDetail(error: unknown): string {
	if (typeof error === 'object' && error !== null && 'detail' in error && typeof error.detail === 'string' && error.detail !== '') {
		return ` (${error.detail})`;
	}

	return '';
}
