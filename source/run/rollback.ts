import {downgradeLeftovers, extensionsLeft} from '../engine/downgrade-check.js';
import {downgradeOrder, partlyApplied} from '../engine/gates.js';
import {diffSnapshots, summarizeDiff} from '../engine/snapshot-diff.js';
import type {RollbackChoice} from '../engine/model.js';
import {MigrationError, MigrationStoppedError, RecordWriteError} from '../errors/index.js';
import {groupDurable} from './session.js';
import type {BackfillProgress, StatementProgress} from '../ports/migrator.js';
import type {RunDeps} from './run-deps.js';

/** Carries out the operator's choice at the rollback prompt and journals the outcome. */
export async function executeRollback(deps: RunDeps, choice: RollbackChoice): Promise<boolean> {
	const {session, clock} = deps;
	const started = clock.now();
	const done = (ok: boolean, detail: string) => {
		session.emit({type: 'rollback.finished', choice, ok, detail, durationMs: clock.now() - started});
		return ok;
	};

	// A choice the prompt offered as unavailable is not attempted: the record says it could not be done.
	const offered = session.state.rollback?.options.find(o => o.choice === choice);
	if (choice !== 'keep' && offered !== undefined && !offered.available) {
		return done(false, `${choice} is not available: ${offered.action} (${offered.cost}); nothing was undone and the database is as the upgrade left it`);
	}

	switch (choice) {
		case 'keep': {
			return done(true, 'the database was left as it is');
		}

		case 'downgrade': {
			const context = {runId: deps.runId, appliedBy: deps.appliedBy};
			// An up outside a transaction that failed part way is undone first: its statements took effect, without a log row.
			const partly = partlyApplied(session.state);
			// In a transaction, a down's lines are synced with its group, as an up's are: after a crash the resume reads
			// from the log rows which of the next downs committed (reconcile.ts). Outside one, before its first statement.
			const beforeEffect = groupDurable(session, clock);
			for (const row of downgradeOrder(session.state)) {
				const at = clock.now();
				if (session.emit({type: 'migration.started', name: row.name, direction: 'down'}, 'with-next') === null) {
					return false;
				}

				try {
					const statementStarted = new Map<number, number>();
					// A down outside a transaction journals each statement too, so the record says how far it got.
					// A start that could not be recorded stops the down before that statement runs.
					const onStatement = (p: StatementProgress) => {
						if (p.phase === 'started') {
							statementStarted.set(p.index, clock.now());
							return session.emit({type: 'migration.statement-started', name: row.name, direction: 'down', index: p.index, total: p.total, statement: p.statement}) !== null;
						}

						return session.emit({type: 'migration.statement-finished', name: row.name, direction: 'down', index: p.index, total: p.total, durationMs: clock.now() - (statementStarted.get(p.index) ?? at)}) !== null;
					};
					// Only a record that takes no more lines stops a down between statements: nothing after could be recorded.
					const stopBetweenStatements = () => session.fault !== null;

					const onBackfill = (progress: BackfillProgress) => session.emit({type: 'migration.backfill-progress', name: row.name, direction: 'down', ...progress}) !== null;
					// eslint-disable-next-line no-await-in-loop -- in order, one at a time
					await deps.connections.migrator.down(row.name, {...context, onStatement, onBackfill, stopBetweenStatements, beforeEffect, ...(row === partly ? {partlyApplied: true} : {})});
					// On disk with the next down's start, or with rollback.finished: nothing acts on it in between.
					session.emit({type: 'migration.finished', name: row.name, direction: 'down', durationMs: clock.now() - at}, 'with-next');
				} catch (error) {
					if (error instanceof MigrationStoppedError || error instanceof RecordWriteError) {
						// Stopped for the record (it takes no more lines): not failed, and nothing more is done.
						return false;
					}

					const message = error instanceof Error ? error.message : String(error);
					const statement = error instanceof MigrationError ? error.statement : null;
					const took = error instanceof MigrationError && error.tookEffect !== null ? {tookEffect: error.tookEffect} : {};
					session.emit({type: 'migration.failed', name: row.name, direction: 'down', error: message, statement, durationMs: clock.now() - at, ...took});
					return done(false, `down of ${row.name} failed: ${message}; the backup is still there to restore`);
				}
			}

			// Downs that ran without error may still leave objects behind: the schema is compared with the one before the upgrade.
			const checked = await checkDowngrade(deps);
			if (checked.left !== null) {
				return done(false, checked.left);
			}

			const undone = partly
				? `every migration of this run was undone: ${partly.name}, whose statements 1..${partly.noTransaction?.tookEffect ?? 0} took effect outside a transaction, by its down`
				: 'every migration of this run was undone';
			return done(true, checked.note === null ? undone : `${undone}; ${checked.note}`);
		}

		case 'restore': {
			const artifact = session.state.verification?.ok ? session.state.backup?.artifact : undefined;
			if (!artifact) {
				return done(false, 'restore is not available: there is no verified backup to restore; nothing was undone');
			}

			if (session.fault !== null) {
				return false;
			}

			// Our own sessions would hold the very locks a restore needs, and block a rename of the database.
			await deps.connections.close();
			let result: {ok: boolean; detail: string};
			try {
				const outcome = await deps.backupTool.restore(artifact);
				if (outcome.replaced !== undefined) {
					session.emit({type: 'database.replaced', ...outcome.replaced});
				}

				result = {ok: true, detail: outcome.detail};
			} catch (error) {
				result = {ok: false, detail: `restore failed: ${messageOf(error)}`};
			}

			// Reopened on whatever now has the target's name; a failure here does not undo the restore, and is said.
			const reopened = await deps.connections.reopen().then(() => '', (error: unknown) => `; the run could not connect again afterwards: ${messageOf(error)}`);
			return done(result.ok, `${result.detail}${reopened}`);
		}
	}
}

/**
 * `left`: null when the schema after the downs is the one before the upgrade (or there is no
 * snapshot before to compare with), else what differs and what to do, which fails the rollback;
 * `note`: what a rollback that succeeds says besides (extensions left installed).
 */
async function checkDowngrade(deps: RunDeps): Promise<{left: string | null; note: string | null}> {
	const {session} = deps;
	const before = session.state.snapshots.before;
	if (before === null) {
		return {left: null, note: null};
	}

	const artifact = session.state.verification?.ok ? session.state.backup?.artifact : undefined;
	const advice = artifact ? `restore from the verified backup ${artifact.path}` : 'restore from a backup';
	let snapshot;
	try {
		snapshot = await deps.connections.database.snapshot({signal: deps.signal});
	} catch (error) {
		return {left: `every down ran, but the schema could not be read to check them: ${messageOf(error)}; compare it with the one before the upgrade, or ${advice}`, note: null};
	}

	const compared = summarizeDiff(diffSnapshots(before, snapshot));
	session.emit({type: 'snapshot.taken', phase: 'downgraded', snapshot, compared});
	const history = session.state.plan?.history;
	const left = downgradeLeftovers(before, snapshot, history?.kept === true ? [history.table] : []);
	const note = extensionsLeft(before, snapshot);
	return left === null
		? {left: null, note}
		: {left: `every down ran, but the schema is not the one before the upgrade: ${left}; ${advice}${note === null ? '' : `; also, ${note}`}`, note: null};
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
