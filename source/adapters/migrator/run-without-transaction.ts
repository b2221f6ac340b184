import path from 'node:path';
import {CutoverError, MigrationError, MigrationStoppedError} from '../../errors/index.js';
import type {InvalidIndex, LockPolicy, MigrationContext} from '../../ports/migrator.js';
import {concurrentIndexName} from '../../sql/non-transactional.js';
import {backfill} from './backfill.js';
import {externalError} from './external-migration.js';
import {forgetStatement, positionTableExists} from './backfill-position.js';
import {invalidIndexes} from './invalid-indexes.js';
import type {MigrationSource, Script} from './migration-files.js';
import type {ToolHistory} from './tool-history.js';
import {createLogTable, deleteLogRow, findLogRow, insertLogRow, logTableExists, MIGRATIONS_TABLE} from './migration-log.js';
import {lockFailure} from './lock-failure.js';
import {retryLockTimeouts} from './lock-retries.js';
import {describeBlockers} from './postgres-blockers.js';
import type {Blocker, Session} from './session.js';
import {messageOf} from './session.js';

type Direction = 'up' | 'down';

/**
 * Runs a migration that cannot run in a transaction (`-- cutover: no-transaction`): statement
 * by statement, each committing on its own, under the same lock timeout and retries as any
 * migration — a lock timeout retries that statement alone, never those already committed.
 * The log row is written (or removed) after the last statement, so a migration stopped half way
 * is not logged, and `skipStatements` (from the journal) lets a resume go on where it stopped.
 * A failure says which statements took effect: nothing rolls them back.
 */
export async function runWithoutTransaction(session: Session, source: MigrationSource, direction: Direction, script: Script, context: MigrationContext & {appliedAt: string}, policy: LockPolicy, tool: ToolHistory | null = null): Promise<void> {
	const lockTimeoutMs = script.lockTimeoutMs ?? policy.lockTimeoutMs;
	const total = script.kind === 'sql' ? script.statements.length : null;
	// A module cannot be entered half way: it runs whole again.
	const skip = script.kind === 'sql' ? Math.min(context.skipStatements ?? 0, script.statements.length) : 0;
	let done = skip;
	let current: {statement: string; index: number} | null = null;
	const tookEffect = () => ({statements: done, total});
	// Here every statement commits on its own: the migration's start is on disk before the first thing it does.
	context.beforeEffect?.('statements');

	// Two migrators on one database queue on the same key the transactional ones take, held for the whole migration.
	const locked = session.engine === 'postgres';
	if (locked) {
		await session.run(`SELECT pg_advisory_lock(hashtext('${MIGRATIONS_TABLE}'))`);
	}

	try {
		await checkLog(session, source.name, direction, context.partlyApplied === true);
		const one = async (statement: string, params: readonly unknown[] = []) => {
			const index = done + 1;
			if (index > skip + 1 && context.stopBetweenStatements?.() === true) {
				throw new MigrationStoppedError({migration: source.name, direction, tookEffect: tookEffect()});
			}

			current = {statement, index};
			let blockers: Blocker[] = [];
			let rows: Array<Record<string, unknown>> = [];
			const outcome = await retryLockTimeouts({
				policy,
				onRetry: context.onRetry,
				signal: context.signal,
				isLockTimeout: error => !(error instanceof CutoverError) && session.isLockTimeout(error),
				describe: error => `statement ${index}: ${messageOf(error)}${blockers.length > 0 ? `; held by ${describeBlockers(blockers)}` : ''}`,
				async attempt() {
					const watch = await session.watchBlockers(Math.min(250, Math.max(20, Math.floor(lockTimeoutMs / 4))));
					try {
						// A statement whose start is not on the record (the journal takes no more lines) does not run: it would commit unrecorded.
						if (context.onStatement?.({phase: 'started', index, total, statement}) === false) {
							throw new MigrationStoppedError({migration: source.name, direction, tookEffect: tookEffect()});
						}

						rows = await session.autocommit(async () => session.run(statement, params), {lockTimeoutMs});
						await refuseInvalidResult(session, statement);
					} finally {
						blockers = await watch.stop();
					}
				},
			});
			if (!outcome.ok) {
				throw outcome.lockTimedOut && !(outcome.error instanceof CutoverError)
					? withTookEffect(lockFailure({
						name: source.name, direction, file: script.file, engine: session.engine, where: session.where, lockTimeoutMs,
						attempts: outcome.attempts, maxAttempts: policy.maxAttempts, stopped: outcome.stopped,
						at: at(index, total), statement, blockers, error: outcome.error,
					}), source.name, direction, tookEffect())
					: outcome.error;
			}

			done = index;
			current = null;
			context.onStatement?.({phase: 'finished', index, total, statement});
			return rows;
		};

		if (script.kind === 'external') {
			throw externalError(source.name, script.file);
		}

		if (script.kind === 'sql') {
			for (const statement of script.statements.slice(skip)) {
				// eslint-disable-next-line no-await-in-loop -- statements run in order
				await one(statement);
			}
		} else {
			await script.run({
				engine: session.engine,
				name: source.name,
				query: one,
				backfill: async options => backfill({
					session, migration: source.name, direction, policy, lockTimeoutMs, signal: context.signal, onRetry: context.onRetry,
					onProgress: context.onBackfill,
					// Every committed batch is a safe point, as every committed statement is.
					stopHere: context.stopBetweenStatements,
					stopped: () => new MigrationStoppedError({migration: source.name, direction, tookEffect: tookEffect()}),
				}, options),
			});
		}

		current = null;
		const writeLog = async () => {
			if (direction === 'up') {
				await insertLogRow(session, {name: source.name, checksum: source.checksum, appliedAt: context.appliedAt, appliedBy: context.appliedBy, runId: context.runId});
			} else {
				await deleteLogRow(session, source.name);
			}
		};

		// The log row, the tool's own history and (kept, a later run of this migration would skip
		// its rows) the backfill positions go together, in one transaction after the last statement.
		const forget = await positionTableExists(session) ? [forgetStatement(session, source.name)] : [];
		const together = [...tool?.before ?? [], ...tool?.after ?? [], ...forget];
		if (together.length > 0) {
			await session.transaction(async () => {
				await writeLog();
				for (const statement of together) {
					// eslint-disable-next-line no-await-in-loop -- in order
					await session.run(statement.sql, statement.params);
				}
			}, {lockTimeoutMs});
		} else {
			await writeLog();
		}
	} catch (error) {
		if ((error instanceof MigrationError && error.tookEffect !== null) || error instanceof MigrationStoppedError) {
			throw error;
		}

		if (error instanceof CutoverError && current === null && done === skip) {
			throw error;
		}

		// A CREATE INDEX CONCURRENTLY that failed leaves its index behind, INVALID: say so now, not only at the next attempt.
		const failed = current as {statement: string; index: number} | null;
		const left = failed === null ? [] : await invalidIndexes(session, [failed.statement]).catch(() => []);
		throw failure(source.name, direction, script, failed, tookEffect(), error, left);
	} finally {
		if (locked) {
			await session.run(`SELECT pg_advisory_unlock(hashtext('${MIGRATIONS_TABLE}'))`).catch(() => undefined);
		}
	}
}

/**
 * CREATE INDEX CONCURRENTLY IF NOT EXISTS over the INVALID index an earlier attempt left (a lock
 * timeout of this one, a stop) does nothing and reports success: the index would stay unusable
 * behind a logged migration. Checked after each such statement.
 */
async function refuseInvalidResult(session: Session, statement: string): Promise<void> {
	if (session.engine !== 'postgres' || concurrentIndexName(statement) === null) {
		return;
	}

	const left = await invalidIndexes(session, [statement]);
	if (left.length > 0) {
		throw new Error(`the statement returned, but the index ${left.map(i => i.qualified).join(', ')} is INVALID (left by an earlier attempt; IF NOT EXISTS kept it instead of building it)`);
	}
}

/** The log must agree with what is about to run; a resume (skip > 0) finds the row still absent, as it left it. */
async function checkLog(session: Session, name: string, direction: Direction, partlyApplied: boolean): Promise<void> {
	if (direction === 'up') {
		await createLogTable(session);
	}

	const row = await logTableExists(session) ? await findLogRow(session, name) : null;
	if (direction === 'up' && row) {
		throw new MigrationError(`${name} is already applied (by ${row.appliedBy} at ${row.appliedAt}, run ${row.runId})`, {
			migration: name, direction, statement: null, hint: 'someone else may be migrating this database: plan again before going on',
		});
	}

	if (direction === 'down' && !row && !partlyApplied) {
		throw new MigrationError(`${name} is not applied, there is nothing to revert`, {migration: name, direction, statement: null, hint: 'plan again to see what is applied'});
	}
}

/** What took effect, in words: "statements 1..2 of 3 took effect" or "no statement took effect". */
export function describeTookEffect(took: {statements: number; total: number | null}): string {
	const of = took.total === null ? '' : ` of ${took.total}`;
	if (took.statements === 0) {
		return `no statement${of === '' ? '' : ` (of ${took.total})`} took effect`;
	}

	return took.statements === 1 ? `statement 1${of} took effect` : `statements 1..${took.statements}${of} took effect`;
}

function failure(name: string, direction: Direction, script: Script, current: {statement: string; index: number} | null, took: {statements: number; total: number | null}, error: unknown, left: readonly InvalidIndex[]): MigrationError {
	const file = path.basename(script.file);
	const where = current === null ? (took.statements === took.total ? ' writing its log row' : '') : at(current.index, took.total);
	const detail = typeof error === 'object' && error !== null && 'detail' in error && typeof error.detail === 'string' && error.detail !== '' ? ` (${error.detail})` : '';
	const invalid = left.length === 0 ? '' : `; it left the INVALID index ${left.map(i => `${i.qualified} on ${i.table}`).join(', ')}, to drop before it runs again (cutover asks first; --drop-invalid-index in plain mode)`;
	return new MigrationError(`${name} (${direction}) failed${where} in ${file}: ${messageOf(error)}${detail}; it runs outside a transaction: ${describeTookEffect(took)} and stays, nothing was rolled back${invalid}`, {
		migration: name,
		direction,
		statement: current?.statement ?? null,
		tookEffect: took,
		// A failed run is not resumed: the next run starts this migration again at statement 1.
		hint: took.statements === 0
			? `${name} is not logged as ${direction === 'up' ? 'applied' : 'reverted'}; fix the cause, then start a new cutover run`
			: `${describeTookEffect(took)} and ${took.statements === 1 ? 'was' : 'were'} not rolled back, and ${name} is not logged as ${direction === 'up' ? 'applied' : 'reverted'}; once this run ends (downgrade or restore at the rollback prompt undo ${took.statements === 1 ? 'it' : 'them'}; keep leaves ${took.statements === 1 ? 'it' : 'them'} committed), a new cutover run starts ${name} again at statement 1: make ${took.statements === 1 ? 'statement 1' : `statements 1..${took.statements}`} idempotent (IF NOT EXISTS, ON CONFLICT DO NOTHING) or revert ${took.statements === 1 ? 'it' : 'them'} by hand, fix the cause, then start a new run`,
		cause: error,
	});
}

function withTookEffect(error: MigrationError, name: string, direction: Direction, took: {statements: number; total: number | null}): MigrationError {
	return new MigrationError(`${error.message}; it runs outside a transaction: ${describeTookEffect(took)} and stays`, {
		migration: name,
		direction,
		statement: error.statement,
		tookEffect: took,
		hint: `only the statement that waited was rolled back: ${describeTookEffect(took)}; ${error.hint}`,
		cause: error.cause,
	});
}

function at(index: number, total: number | null): string {
	return ` at statement ${index}${total === null ? '' : ` of ${total}`}`;
}
