import type {EventOf, RunOutcome} from '../engine/events.js';
import {rollbackOptions, upgradeGate} from '../engine/gates.js';
import type {CheckResult, MigrationInfo} from '../engine/model.js';
import {diffRowCounts} from '../engine/row-diff.js';
import {MigrationError} from '../errors/index.js';
import {runCheck} from './checks.js';
import {runCommand} from './hooks.js';
import {executeRollback} from './rollback.js';
import type {RunDeps} from './run-deps.js';

export type FlowOptions = {
	start: Omit<EventOf<'run.started'>, 'type'>;
	/** Last migration to apply; null applies every pending one. */
	to: string | null;
	window: {startsAt: number | null; expectedMinutes: number | null};
};

const PROGRESS_EVERY_MS = 250;

/**
 * The guided run, step by step. Every fact is emitted as an event before anything acts on
 * it; every human gate goes through the decider. Returns the outcome; throws only for bugs.
 */
export async function runFlow(deps: RunDeps, options: FlowOptions): Promise<RunOutcome> {
	const {session} = deps;
	session.emit({type: 'run.started', ...options.start});
	let maintenanceOn = false;
	const finish = async (outcome: RunOutcome): Promise<RunOutcome> => {
		if (maintenanceOn && deps.runbook.maintenance.off) {
			await runCommand(session, deps.runner, {id: 'maintenance-off', purpose: 'maintenance mode off', command: deps.runbook.maintenance.off});
		}

		const versionAfter = await currentVersion(deps);
		session.emit({type: 'run.finished', outcome, versionBefore: session.state.versionBefore, versionAfter});
		return outcome;
	};

	const fail = async (step: EventOf<'error'>['step'], error: unknown) => {
		session.emit({type: 'error', step, message: error instanceof Error ? error.message : String(error)});
		return finish('failed');
	};

	// 1. Maintenance window: what this database is and what will run.
	try {
		session.emit({type: 'target.fingerprinted', fingerprint: await deps.connections.database.fingerprint()});
		const plan = await deps.connections.migrator.plan();
		session.emit({type: 'migrations.planned', applied: plan.applied, pending: selectPending(plan.pending, options.to)});
	} catch (error) {
		return fail('window', error);
	}

	if (session.state.migrations.length === 0) {
		return finish('nothing-to-do');
	}

	session.emit({
		type: 'window.planned',
		startsAt: options.window.startsAt ?? deps.clock.now(),
		expectedMinutes: options.window.expectedMinutes ?? deps.runbook.window.expectedMinutes,
		prep: deps.runbook.preparation,
		hooks: deps.runbook.maintenance,
	});
	if (!await deps.decider.confirmWindow(session)) {
		return finish('abandoned');
	}

	if (deps.runbook.maintenance.on) {
		maintenanceOn = true;
		const code = await runCommand(session, deps.runner, {id: 'maintenance-on', purpose: 'maintenance mode on', command: deps.runbook.maintenance.on});
		if (code !== 0) {
			return fail('window', `the maintenance-on command exited with ${code}; nothing was changed`);
		}
	}

	// 2–3. Backup, then its verification. No verified backup, no upgrade.
	if (deps.signal.aborted) {
		return finish('abandoned');
	}

	const fingerprint = session.state.fingerprint;
	const fileName = `${fingerprint?.database ?? 'database'}-${stamp(deps.clock.now())}.${fingerprint?.engine === 'postgres' ? 'dump' : 'db'}`;
	session.emit({type: 'backup.started', path: `${deps.backupsDir}/${fileName}`, method: deps.backupTool.method});
	const backupStarted = deps.clock.now();
	let lastProgress = 0;
	try {
		const artifact = await deps.backupTool.backup({
			directory: deps.backupsDir,
			fileName,
			signal: deps.signal,
			onProgress(progress) {
				const now = deps.clock.now();
				if (now - lastProgress >= PROGRESS_EVERY_MS) {
					lastProgress = now;
					session.emit({type: 'backup.progress', progress});
				}
			},
		});
		session.emit({type: 'backup.finished', artifact, durationMs: deps.clock.now() - backupStarted});
		const verifyStarted = deps.clock.now();
		const verification = await deps.backupTool.verify(artifact);
		session.emit({type: 'verify.finished', verification, durationMs: deps.clock.now() - verifyStarted});
	} catch (error) {
		session.emit({type: 'backup.failed', error: error instanceof Error ? error.message : String(error)});
		return finish(deps.signal.aborted ? 'abandoned' : 'failed');
	}

	if (!session.state.verification?.ok) {
		const failed = session.state.verification?.items.filter(i => !i.ok).map(i => `${i.name}: ${i.detail}`).join('; ');
		return fail('verify', `the backup did not verify (${failed ?? 'no verification'}); the upgrade will not start`);
	}

	// 4. Pre-validation: the runbook's checks with their evidence, and the baseline.
	try {
		const database = deps.connections.database;
		for (const check of deps.runbook.checks.pre) {
			session.emit({type: 'check.finished', result: await runCheck(database, check, 'pre', session.state.checks, deps.clock)});
		}

		session.emit({type: 'baseline.captured', counts: await database.rowCounts()});
	} catch (error) {
		return fail('pre', error);
	}

	if (deps.signal.aborted || !await deps.decider.proceedToUpgrade(session)) {
		return finish('abandoned');
	}

	const gate = upgradeGate(session.state);
	if (!gate.open) {
		return fail('upgrade', `the upgrade gate is closed: ${gate.reasons.join('; ')}`);
	}

	// 5. Upgrade, one migration at a time, each in its own transaction with its log row.
	const names = session.state.migrations.map(m => m.name);
	session.emit({type: 'upgrade.started', names});
	let upgraded = true;
	for (const name of names) {
		if (deps.signal.aborted) {
			upgraded = false;
			break;
		}

		const at = deps.clock.now();
		session.emit({type: 'migration.started', name, direction: 'up'});
		try {
			await deps.connections.migrator.up(name, {runId: deps.runId, appliedBy: deps.appliedBy});
			session.emit({type: 'migration.finished', name, direction: 'up', durationMs: deps.clock.now() - at});
		} catch (error) {
			const statement = error instanceof MigrationError ? error.statement : null;
			session.emit({type: 'migration.failed', name, direction: 'up', error: error instanceof Error ? error.message : String(error), statement, durationMs: deps.clock.now() - at});
			upgraded = false;
			break;
		}
	}

	session.emit({type: 'upgrade.finished', ok: upgraded});
	if (deps.signal.aborted) {
		return finish('abandoned');
	}

	// 6. Post-verification: the post checks, the pre checks again, counts against the baseline.
	let postOk = false;
	if (upgraded) {
		try {
			await postVerify(deps);
			postOk = session.state.steps.post.status === 'passed';
		} catch (error) {
			session.emit({type: 'error', step: 'post', message: error instanceof Error ? error.message : String(error)});
		}
	}

	// 7. The rollback prompt: on any failure, and at the end before the run closes.
	const failed = !upgraded || !postOk;
	const offered = rollbackOptions(session.state);
	const artifact = session.state.backup?.artifact;
	const restoreNote = artifact ? await deps.backupTool.describeRestore(artifact).catch(() => '') : '';
	session.emit({
		type: 'rollback.offered',
		reason: rollbackReason(deps, upgraded, postOk),
		options: offered.map(o => o.choice === 'restore' && o.available && restoreNote !== '' ? {...o, cost: `${o.cost}; ${restoreNote}`} : o),
	});
	const choice = await deps.decider.chooseRollback(session, failed);
	const rolledBack = await executeRollback(deps, choice);
	if (choice !== 'keep') {
		return finish(rolledBack ? 'rolled-back' : 'failed');
	}

	return finish(upgraded ? (postOk ? 'upgraded' : 'upgraded-with-failures') : 'failed');
}

async function postVerify(deps: RunDeps) {
	const {session} = deps;
	const database = deps.connections.database;
	const earlier = (): readonly CheckResult[] => session.state.checks;
	for (const check of deps.runbook.checks.post) {
		session.emit({type: 'check.finished', result: await runCheck(database, check, 'post', earlier(), deps.clock)});
	}

	for (const check of deps.runbook.checks.pre) {
		const again = {...check, title: `again: ${check.title}`};
		session.emit({type: 'check.finished', result: await runCheck(database, again, 'post', earlier(), deps.clock, `again.${check.id}`)});
	}

	const after = await database.rowCounts();
	session.emit({type: 'post.compared', after, diff: diffRowCounts(session.state.baseline ?? {}, after)});
}

function rollbackReason(deps: RunDeps, upgraded: boolean, postOk: boolean): string {
	const state = deps.session.state;
	if (!upgraded) {
		const failed = state.migrations.find(m => m.status === 'failed');
		return failed ? `migration ${failed.name} failed: ${failed.error ?? 'unknown error'}` : 'the upgrade stopped before it finished';
	}

	if (!postOk) {
		const failing = state.checks.filter(c => c.phase === 'post' && c.verdict !== 'passed').map(c => c.id);
		return failing.length > 0 ? `post-verification failed: ${failing.join(', ')}` : 'post-verification could not finish';
	}

	return 'the upgrade is complete and verified: keep it, or roll it back before the run closes';
}

function selectPending(pending: MigrationInfo[], to: string | null): MigrationInfo[] {
	if (to === null) {
		return pending;
	}

	const index = pending.findIndex(m => m.name === to);
	if (index === -1) {
		throw new Error(`--to ${to} is not a pending migration (pending: ${pending.map(m => m.name).join(', ') || 'none'})`);
	}

	return pending.slice(0, index + 1);
}

async function currentVersion(deps: RunDeps): Promise<string | null> {
	try {
		return (await deps.connections.migrator.plan()).applied.at(-1)?.name ?? null;
	} catch {
		return null;
	}
}

function stamp(ms: number): string {
	return new Date(ms).toISOString().replaceAll(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
