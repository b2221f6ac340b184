import {downgradeOrder, partlyApplied} from '../engine/gates.js';
import type {RunEvent} from '../engine/events.js';
import type {Fingerprint, MigrationPlan} from '../engine/model.js';
import type {RunState, StatementRun} from '../engine/state.js';
import {compareIdentity, describeIdentity} from './same-database.js';

/** What the database and the disk really look like now, read before a resume. */
export type RealState = {
	fingerprint: Fingerprint;
	plan: MigrationPlan;
	/** sha256 of the backup file named in the journal; null when there is no such file (or no backup yet). */
	backupSha256: string | null;
	/** A torn last line cut off the journal when it was reopened. */
	cut: string | null;
	/** The migrations folder read now, named in a refusal. */
	migrationsDir?: string;
};

export type Reconciliation = {
	/** One line each, shown to the operator and journaled in run.resumed. */
	lines: string[];
	/** Reasons not to resume at all: the database is not the one, or it changed under the run. */
	problems: string[];
	/** Facts the journal lacks, journaled right after run.resumed. */
	events: RunEvent[];
	/** A backup that was started and never finished: its partial file, to remove. */
	partialBackup: string | null;
	/** The upgrade started and did not finish: the operator chooses to continue it or go to the rollback prompt. */
	upgradeOpen: boolean;
};

/**
 * Compares the journal's state with the real one. Each migration commits or rolls back with
 * its log row in one transaction, so a migration journaled as started and never finished is
 * either fully there (its log row exists) or not at all (pending again). Pure: facts in, lines out.
 */
export function reconcile(state: RunState, real: RealState): Reconciliation {
	const lines: string[] = [];
	const problems: string[] = [];
	const events: RunEvent[] = [];
	let partialBackup: string | null = null;
	if (state.outcome !== null) {
		problems.push(`the run already finished (${state.outcome}); there is nothing to resume`);
	}

	lines.push(state.interrupted
		? `stopped by ${state.interrupted.signal} in ${state.interrupted.step}: ${state.interrupted.detail}`
		: `no stop was recorded: the process was killed or the machine went down after event #${state.lastSeq} (${state.step})`);
	if (real.cut !== null) {
		lines.push(`a torn last line (${Buffer.byteLength(real.cut)} bytes, never acknowledged) was cut off the journal`);
	}

	// A restore by swap put another database under the name: from then on that one is the run's database.
	const replaced = state.replacedDatabase;
	const known = state.fingerprint && replaced ? {...state.fingerprint, databaseOid: String(replaced.oid)} : state.fingerprint;
	if (replaced) {
		lines.push(`a restore replaced the database during the run: the restored one (OID ${replaced.oid}) is expected, the replaced one (OID ${replaced.previousOid}) is kept as "${replaced.keptAs}"`);
	}

	if (known) {
		const identity = compareIdentity(known, real.fingerprint);
		if (identity.differences.length === 0) {
			lines.push(`same database: ${describeIdentity(real.fingerprint)}`);
			if (identity.notRecorded.length > 0) {
				lines.push(`the record holds no ${identity.notRecorded.join(' or ')} (an older record): not compared`);
			}
		} else {
			problems.push(`this is not the database of the run: ${identity.differences.join('; ')}`);
		}
	}

	reconcileMigrations(state, real.plan, lines, problems, events);
	problems.push(...changedSincePlanned(state, real));

	const backup = state.backup;
	if (backup?.artifact) {
		if (real.backupSha256 === backup.artifact.sha256) {
			lines.push(`backup ${backup.artifact.path} is still there and its sha256 matches`);
		} else {
			const what = real.backupSha256 === null ? 'is gone' : 'has changed (sha256 differs)';
			lines.push(`backup ${backup.artifact.path} ${what}: restore is not available${upgradeStarted(state) ? '' : '; a new backup will be taken'}`);
			if (state.verification?.ok) {
				events.push({type: 'verify.finished', verification: {ok: false, items: [{name: 'backup file after the stop', ok: false, detail: `${backup.artifact.path} ${what}`}]}, durationMs: 0});
			}
		}
	} else if (backup && backup.error === null) {
		partialBackup = backup.path;
		lines.push(`the backup to ${backup.path} never finished: its partial file is removed and a new backup will be taken`);
		events.push({type: 'backup.failed', error: 'incomplete: the run stopped during the backup'});
	}

	const upgradeOpen = upgradeStarted(state) && state.steps.upgrade.finishedAt === null;
	lines.push(`next: ${nextStep(state, upgradeOpen)}`);
	return {lines, problems, events, partialBackup, upgradeOpen};
}

function reconcileMigrations(state: RunState, plan: MigrationPlan, lines: string[], problems: string[], events: RunEvent[]) {
	const applied = new Set(plan.applied.map(m => m.name));
	const expected = new Set(state.plan?.applied.map(m => m.name) ?? []);
	const lost = new Set(lostButCommitted(state, plan));
	const lostDowns = lostButReverted(state, plan);
	const partly = partlyApplied(state);
	for (const row of state.migrations) {
		const isApplied = applied.has(row.name);
		if (lost.has(row.name) && row.direction === 'up') {
			const logged = plan.applied.find(m => m.name === row.name);
			events.push({type: 'migration.started', name: row.name, direction: 'up'}, {type: 'migration.finished', name: row.name, direction: 'up', durationMs: 0});
			lines.push(`${row.name} (up) committed before the stop: its log row names this run (applied ${logged?.appliedAt ?? 'at an unknown time'}), and its journal lines, written and not yet synced, were lost when the machine went down; recorded as started and finished`);
			expected.add(row.name);
			continue;
		}

		if (row.status === 'running') {
			// Up: the log row is there iff it committed. Down: the log row is gone iff it committed; but an up that ran
			// partly outside a transaction has no log row at all, so nothing tells whether its down committed.
			const unknowable = row.direction === 'down' && row.name === partly?.name;
			const committed = !unknowable && (row.direction === 'up' ? isApplied : !isApplied);
			if (unknowable && !row.noTransaction) {
				lines.push(`${row.name} (down) was started and not recorded as finished: its up ran partly outside a transaction and left no log row, so nothing tells whether the down committed; it runs again when the downgrade goes on (a down that already ran may fail, and says so)`);
			} else if (committed) {
				events.push({type: 'migration.finished', name: row.name, direction: row.direction, durationMs: 0});
				lines.push(`${row.name} (${row.direction}) committed before the stop: its log row says so; recorded as finished`);
			} else if (row.noTransaction) {
				lines.push(statementsLine(row.name, row.direction, row.noTransaction));
			} else {
				lines.push(`${row.name} (${row.direction}) did not commit: its transaction was rolled back as a whole, so it is ${row.direction === 'up' ? 'pending' : 'applied'} again`);
			}
		}

		const finalUp = row.direction === 'up' && (row.status === 'done' || (row.status === 'running' && isApplied));
		// Reverted: recorded so, or in flight with its log row gone (it committed), or among the lost tail of the downgrade.
		const undone = lostDowns.includes(row.name) || state.migrations.some(m => m.name === row.name && m.direction === 'down' && (m.status === 'done' || (m.status === 'running' && !applied.has(m.name) && m.name !== partly?.name)));
		if (row.direction === 'up') {
			if (finalUp && !undone) {
				expected.add(row.name);
			}
		}
	}

	for (const name of lostDowns) {
		events.push({type: 'migration.started', name, direction: 'down'}, {type: 'migration.finished', name, direction: 'down', durationMs: 0});
		lines.push(`${name} (down) committed before the stop: the downgrade was running and its log row is gone, and its journal lines, written and not yet synced, were lost when the machine went down; recorded as started and finished`);
	}

	for (const name of expected) {
		if (!applied.has(name)) {
			problems.push(`${name} should be applied but is not: someone changed this database since the stop; run cutover status`);
		}
	}

	for (const m of plan.applied) {
		if (!expected.has(m.name)) {
			problems.push(`${m.name} is applied (by ${m.appliedBy}, run ${m.runId}) but this run did not apply it: someone else migrated this database`);
		}

		if (m.drift !== 'none') {
			problems.push(`applied migration ${m.name} ${m.drift === 'missing' ? 'is missing from the migrations directory' : 'was changed on disk'}`);
		}
	}

	const done = state.migrations.filter(m => m.direction === 'up' && (m.status === 'done' || lost.has(m.name) || (m.status === 'running' && applied.has(m.name))));
	if (state.migrations.length > 0) {
		lines.push(`migrations of this run applied: ${done.map(m => m.name).join(', ') || 'none'}; still pending: ${state.migrations.filter(m => m.direction === 'up' && !done.includes(m)).map(m => m.name).join(', ') || 'none'}`);
	}
}

/**
 * The migrations in a transaction that committed after the journal's last line on disk: a run
 * syncs their started/finished lines as a group (flow.ts), so a machine crash can lose the lines
 * of the last ones while their log rows, written in their own transactions with this run's id,
 * stayed. They can only be the next ones of the upgrade, in its order, after the last one the
 * journal knows of: a log row of this run anywhere else is not explained by a lost tail, and stays a problem.
 */
function lostButCommitted(state: RunState, plan: MigrationPlan): string[] {
	if (state.runId === null || state.steps.upgrade.startedAt === null || state.steps.upgrade.finishedAt !== null) {
		return [];
	}

	const ours = new Set(plan.applied.filter(m => m.runId === state.runId).map(m => m.name));
	const lost: string[] = [];
	for (const row of state.migrations.filter(m => m.direction === 'up' && m.status !== 'done')) {
		if (row.status === 'running') {
			// The one in flight by the journal: it committed (the usual reconcile) or nothing after it ran.
			if (!ours.has(row.name)) {
				break;
			}

			continue;
		}

		// A migration outside a transaction syncs its start before it runs: its lines cannot be lost this way.
		if (row.status !== 'pending' || row.noTransaction !== undefined || !ours.has(row.name)) {
			break;
		}

		lost.push(row.name);
	}

	return lost;
}

/**
 * The downs in a transaction that committed after the journal's last line on disk: a downgrade
 * syncs their lines as a group too (rollback.ts), and a down's proof is its log row gone. They
 * can only be the next ones of the downgrade the operator chose, in its order, after the last one
 * the journal knows of; the first whose row is still there ends them. A row gone anywhere else
 * stays a problem (someone changed the database).
 */
function lostButReverted(state: RunState, plan: MigrationPlan): string[] {
	if (state.rollback?.choice !== 'downgrade' || state.rollback.result !== null) {
		return [];
	}

	const applied = new Set(plan.applied.map(m => m.name));
	const partly = partlyApplied(state);
	const lost: string[] = [];
	for (const up of downgradeOrder(state)) {
		const down = state.migrations.find(m => m.name === up.name && m.direction === 'down');
		if (down?.status === 'running') {
			// The one in flight by the journal: it committed (the usual reconcile) or nothing after it ran.
			if (applied.has(up.name)) {
				break;
			}

			continue;
		}

		// A partly applied up has no log row to read, and its down, outside a transaction, syncs before it acts.
		if (down !== undefined || up === partly || applied.has(up.name)) {
			break;
		}

		lost.push(up.name);
	}

	return lost;
}

/**
 * A migration the run planned and has not finished must be the file the run planned: else the
 * resume runs an up nobody reviewed, and for one outside a transaction stopped part way it
 * skips its first statements by count in a file whose statements moved.
 */
function changedSincePlanned(state: RunState, real: RealState): string[] {
	if (state.steps.upgrade.finishedAt !== null) {
		return [];
	}

	const now = new Map(real.plan.pending.map(m => [m.name, m]));
	const applied = new Set(real.plan.applied.map(m => m.name));
	const folder = real.migrationsDir === undefined ? 'the migrations folder' : real.migrationsDir;
	const problems: string[] = [];
	for (const planned of state.plan?.pending ?? []) {
		const row = state.migrations.find(m => m.name === planned.name && m.direction === 'up');
		if (applied.has(planned.name) || (row !== undefined && row.status !== 'pending' && row.status !== 'running')) {
			continue;
		}

		const run = row?.noTransaction;
		const partly = run !== undefined && (run.finished > 0 || run.running !== null)
			? `; statements 1..${run.running ?? run.finished} of it may have committed and stay, and the resume would skip statements by their count in the changed file`
			: '';
		const file = now.get(planned.name);
		if (file === undefined) {
			problems.push(`${planned.name} was planned by this run but its up is no longer in ${folder}${partly}; put the file back as it was planned (sha256 ${planned.checksum.slice(0, 12)}…) and resume, or run cutover resume --rollback once it is back`);
		} else if (file.checksum !== planned.checksum) {
			problems.push(`the up of ${planned.name} in ${folder} changed since this run planned it (sha256 now ${file.checksum.slice(0, 12)}…, planned ${planned.checksum.slice(0, 12)}…)${partly}; a resume would run a file nobody reviewed for this run: put the file back as it was planned and resume (or resume --rollback), and bring the change in a new run`);
		}
	}

	return problems;
}

/** A migration outside a transaction stopped part way: what the journal says took effect, and where it goes on. */
function statementsLine(name: string, direction: 'up' | 'down', run: StatementRun): string {
	const of = run.total === null ? '' : ` of ${run.total}`;
	const took = run.finished === 0 ? 'no statement was recorded as committed' : `statement${run.finished === 1 ? ' 1' : `s 1..${run.finished}`}${of} committed (recorded), and stay${run.finished === 1 ? 's' : ''}`;
	// Started and not recorded as finished: the process may have died after the server committed it, or before.
	const open = run.running === null ? '' : `; statement ${run.running} was started and not recorded as finished: it may or may not have taken effect, and runs again`;
	const where = run.total === null ? 'it runs again from its start (a module cannot be entered part way)' : `it goes on at statement ${run.finished + 1}${of}`;
	return `${name} (${direction}) runs outside a transaction and stopped part way: ${took}${open}; its log row is absent; ${where}`;
}

function upgradeStarted(state: RunState): boolean {
	return state.steps.upgrade.startedAt !== null;
}

function nextStep(state: RunState, upgradeOpen: boolean): string {
	if (state.rollback?.result) {
		return 'close the run (maintenance off, summary)';
	}

	if (upgradeOpen) {
		return 'continue the upgrade with the pending migrations, or go to the rollback prompt';
	}

	if (state.steps.upgrade.finishedAt !== null) {
		return state.steps.post.status === 'running' ? 'post-verification, then the rollback prompt' : 'the rollback prompt';
	}

	if (state.steps.window.status !== 'passed') {
		return 'confirm the maintenance window';
	}

	if (!state.verification?.ok || !state.backup?.artifact) {
		return 'take and verify a backup';
	}

	return state.baseline ? 'the upgrade gate' : 'pre-validation checks';
}
