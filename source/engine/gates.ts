import {isSatisfied} from './judge.js';
import type {LintFinding} from './events.js';
import type {AdoptionRow, CheckResult, PreflightItem, RollbackOption} from './model.js';
import type {MigrationRow, RunState} from './state.js';

export type Gate = {open: true} | {open: false; reasons: string[]};

const gate = (reasons: string[]): Gate => reasons.length === 0 ? {open: true} : {open: false, reasons};

/** Going past the maintenance window needs every preparation item ticked and the database's name typed. */
export function windowGate(state: RunState, typedName: string): Gate {
	const reasons: string[] = [];
	const database = state.fingerprint?.database;
	if (!state.window || !database) {
		reasons.push('the target has not been fingerprinted yet');
		return gate(reasons);
	}

	// A schema cutover has no history of: 0001 would run on top of it. Only an import or a baseline opens this.
	const live = state.plan?.adoption;
	if (live !== undefined) {
		reasons.push(`${database} has ${live.tableCount} table${live.tableCount === 1 ? '' : 's'} but no cutover_migrations: its migrations were applied without cutover, and running them from the first on it would apply them again; adopt it first: ${live.commands.join('  or  ')}`);
	}

	for (const item of preflightFailures(state)) {
		reasons.push(`preflight: ${item.title}: ${item.detail}`);
	}

	for (const finding of lintToAcknowledge(state)) {
		reasons.push(`lint: ${finding.rule} at ${finding.file}:${finding.line} (${finding.detail}) needs an acknowledgement: type ${finding.rule}`);
	}

	const missing = state.window.prep.filter(item => !state.window?.ticked.includes(item.id));
	for (const item of missing) {
		reasons.push(`preparation not ticked: ${item.text}`);
	}

	const name = typedNameReason(database, typedName);
	if (name !== null) {
		reasons.push(name);
	}

	return gate(reasons);
}

/** The typed-name check of every gate that changes the database: null when it is the name. */
export function typedNameReason(database: string, typedName: string): string | null {
	if (typedName === database) {
		return null;
	}

	return typedName === '' ? `type the database name (${database}) to go on` : `"${typedName}" is not the database name (${database})`;
}

/** Problems in an import's or baseline's mapping that no recorded override answers. */
export function unresolvedAdoptionProblems(state: RunState) {
	return (state.adoption?.problems ?? []).filter(p => !(p.overridable && state.overrides.some(o => o.checkId === p.id)));
}

/** The mapping's rows that go into cutover_migrations: applied ones, and under a recorded --force those whose objects are missing. */
export function rowsToWrite(state: RunState): AdoptionRow[] {
	const forced = state.overrides.some(o => o.checkId === 'baseline-evidence');
	return (state.adoption?.rows ?? []).filter(r => r.file !== null && r.checksum !== null && (r.status === 'applied' || (forced && r.status === 'objects-missing')));
}

/**
 * Writing an import or a baseline needs a mapping without unresolved problems, something to
 * write, and the database's name typed, as the window asks it.
 */
export function adoptionGate(state: RunState, typedName: string): Gate {
	const database = state.fingerprint?.database;
	const adoption = state.adoption;
	if (!adoption || !database) {
		return gate(['the mapping has not been made yet']);
	}

	const reasons = unresolvedAdoptionProblems(state).map(p => p.detail);
	if (rowsToWrite(state).length === 0) {
		reasons.push('there is nothing to write: no migration of the folder maps to an applied history row');
	}

	const name = typedNameReason(database, typedName);
	if (name !== null) {
		reasons.push(name);
	}

	return gate(reasons);
}

/** Blocking preflight items that failed: each keeps the window shut. */
export function preflightFailures(state: RunState): PreflightItem[] {
	return (state.preflight ?? []).filter(item => item.blocking && !item.ok);
}

/** Blocking pre-checks that did not pass and have no recorded override. */
export function unresolvedBlockers(state: RunState): CheckResult[] {
	return state.checks.filter(c => c.phase === 'pre' && c.blocking && !isSatisfied(c.verdict)
		&& !state.overrides.some(o => o.checkId === c.id));
}

const outcomeWords: Partial<Record<CheckResult['verdict'], string>> = {error: 'could not run', 'timed-out': 'timed out', cancelled: 'was cancelled'};

/** No upgrade without a verified backup, and none while a blocking check fails without an override. */
export function upgradeGate(state: RunState): Gate {
	const reasons: string[] = [];
	if (state.steps.window.status !== 'passed') {
		reasons.push('the maintenance window has not been confirmed');
	}

	if (!state.backup?.artifact) {
		reasons.push('there is no backup');
	} else if (!state.verification) {
		reasons.push('the backup has not been verified');
	} else if (!state.verification.ok) {
		reasons.push('the backup failed verification');
	}

	if (!state.baseline) {
		reasons.push('pre-validation has not finished');
	}

	// An applied migration whose file changed means the schema is not what the files say.
	for (const m of state.plan?.applied ?? []) {
		if (m.drift !== 'none') {
			reasons.push(`applied migration ${m.name} ${m.drift === 'missing' ? 'is missing from the migrations directory' : 'was changed on disk after it was applied'}`);
		}
	}

	for (const check of unresolvedBlockers(state)) {
		reasons.push(`blocking check ${check.id} ${outcomeWords[check.verdict] ?? 'failed'}: ${check.detail}`);
	}

	return gate(reasons);
}

/** Migrations this run applied, newest first: what a downgrade has to undo. */
export function appliedThisRun(state: RunState) {
	return state.migrations.filter(m => m.direction === 'up' && m.status === 'done').reverse();
}

/**
 * The failed up of a migration outside a transaction whose first statements took effect (they
 * are not rolled back, and it has no log row): a downgrade runs its down first, if it has one.
 */
export function partlyApplied(state: RunState) {
	const failed = state.migrations.find(m => m.direction === 'up' && m.status === 'failed');
	return failed && (failed.noTransaction?.tookEffect ?? 0) > 0 ? failed : undefined;
}

/** "statements 1..2 of 3 of 0007_x took effect" */
export function describePartial(row: MigrationRow): string {
	const run = row.noTransaction;
	const n = run?.tookEffect ?? 0;
	const of = run?.total === null || run?.total === undefined ? '' : ` of ${run.total}`;
	return `${n === 1 ? 'statement 1' : `statements 1..${n}`}${of} of ${row.name} took effect outside a transaction`;
}

/**
 * What a downgrade reverts, in its order: the partly applied up first, then this run's applied
 * ups, last first; those whose down is already done are left out, so a downgrade resumed after a
 * stop goes on where it stopped.
 */
export function downgradeOrder(state: RunState): MigrationRow[] {
	const reverted = new Set(state.migrations.filter(m => m.direction === 'down' && m.status === 'done').map(m => m.name));
	const partly = partlyApplied(state);
	return [...(partly ? [partly] : []), ...appliedThisRun(state)].filter(m => !reverted.has(m.name));
}

/** The three ways out, with what each does and costs, drawn only from recorded facts. */
export function rollbackOptions(state: RunState): RollbackOption[] {
	const failed = state.migrations.find(m => m.direction === 'up' && m.status === 'failed');
	const partly = partlyApplied(state);
	const downs = downgradeOrder(state);
	// Still applied: a downgrade resumed after a stop already reverted the others.
	const applied = downs.filter(m => m !== partly);
	const irreversible = downs.filter(m => !m.reversible);
	const before = state.versionBefore ?? 'an empty schema';
	const artifact = state.verification?.ok ? state.backup?.artifact : undefined;
	const backupAt = state.steps.backup.finishedAt;

	const downgrade: RollbackOption = downs.length === 0
		? {choice: 'downgrade', available: false, action: 'nothing to downgrade', cost: failed ? `${failed.name} failed and was rolled back by its transaction; no migration of this run is applied` : 'no migration of this run is applied'}
		: irreversible.length > 0
			? {choice: 'downgrade', available: false, action: `cannot downgrade to ${before}`, cost: `irreversible (no down): ${irreversible.map(m => m.name).join(', ')}${partly && !partly.reversible ? `; ${describePartial(partly)} and stay` : ''}`}
			: {
				choice: 'downgrade',
				available: true,
				action: `run ${downs.length} down migration${downs.length === 1 ? '' : 's'} (${downs.map(m => m.name).join(', ')}) back to ${before}`,
				cost: `${partly ? `${describePartial(partly)}: its down runs first, though the rest of its up never ran (a down without IF EXISTS may fail there); ` : ''}keeps rows written since the upgrade; data the up migrations dropped or moved comes back only as far as the downs restore it`,
			};

	const restore: RollbackOption = artifact
		? {
			choice: 'restore',
			available: true,
			action: `${partly ? `undo everything, ${describePartial(partly)} included: ` : ''}replace the database with the verified backup ${artifact.path} (${artifact.bytes} bytes, sha256 ${artifact.sha256.slice(0, 12)}…)`,
			cost: `every row written since the backup${backupAt === null ? '' : ` at ${new Date(backupAt).toISOString()}`} is lost; takes about as long as the backup took (${Math.max(1, Math.round((state.backup?.durationMs ?? 0) / 1000))} s)`,
		}
		: {choice: 'restore', available: false, action: 'no verified backup to restore', cost: 'the backup is missing or failed verification'};

	const current = [...(state.plan?.applied ?? []).map(m => m.name), ...applied.map(m => m.name).reverse()].at(-1) ?? 'an empty schema';
	const keep: RollbackOption = {
		choice: 'keep',
		available: true,
		action: `leave the database as it is now (at ${current})`,
		cost: partly
			? `${describePartial(partly)} and stay${applied.length > 0 ? `, and ${applied.map(m => m.name).join(', ')} ${applied.length === 1 ? 'stays' : 'stay'} applied` : ''}: the schema is between versions until someone acts`
			: failed
			? (applied.length > 0
				? `${applied.map(m => m.name).join(', ')} ${applied.length === 1 ? 'stays' : 'stay'} applied and ${failed.name} did not apply: the schema is between versions until someone acts`
				: `${failed.name} did not apply and nothing of this run is applied: the database stays at ${current}, the rest pending`)
			: 'nothing is undone',
	};

	return [downgrade, restore, keep];
}

/**
 * The lint's error findings (destructive or blocking) that no `-- cutover: allow` in the file
 * and no acknowledgement of the operator answers yet: each holds the window closed.
 */
export function lintToAcknowledge(state: RunState): LintFinding[] {
	const lint = state.lint;
	if (lint === null) {
		return [];
	}

	return lint.findings.filter(f => f.severity === 'error' && f.allowed === null
		&& !lint.acknowledged.some(a => a.rule === f.rule && a.file === f.file && a.line === f.line));
}
