import type {EventOf, RunEvent, RunOutcome} from '../engine/events.js';
import type {LockTraceReport} from '../engine/lock-trace.js';
import {preflightFailures, rollbackOptions, upgradeGate} from '../engine/gates.js';
import {folderNote} from '../engine/folder-note.js';
import {isSatisfied} from '../engine/judge.js';
import type {BackupProgress, ExpectedDuration, Fingerprint, LiveSchema, MigrationInfo, PreflightItem} from '../engine/model.js';
import {adoptCommandsFor} from './adopt-commands.js';
import {diffRowCounts} from '../engine/row-diff.js';
import {countsOf} from '../engine/snapshot.js';
import {diffSnapshots, summarizeDiff} from '../engine/snapshot-diff.js';
import {expectedChanges} from '../engine/expected-changes.js';
import {setImmediate} from 'node:timers/promises';
import {CutoverError, MigrationError, MigrationStoppedError, RecordWriteError, TraceCopyLeftError} from '../errors/index.js';
import {runRecordedAgain, runRecordedCheck} from './checks.js';
import {commandSucceeded, describeLast, finishRun, maintenanceIsOn, outcomeOf} from './finish-run.js';
import {runCommand} from './hooks.js';
import {interruptionOf, unlessAborted, whenLeaving} from './interruption.js';
import {runPreflight, type PreflightInput} from './preflight.js';
import {executeRollback} from './rollback.js';
import {observe} from './observe.js';
import type {RunDeps} from './run-deps.js';
import {groupDurable} from './session.js';

export type FlowOptions = {
	start: Omit<EventOf<'run.started'>, 'type'>;
	/** Last migration to apply; null applies every pending one. */
	to: string | null;
	window: {startsAt: number | null; expectedMinutes: number | null};
	/** What earlier runs took for these migrations (same checksums), read from the records directory. */
	pastDurations?: (pending: MigrationInfo[]) => ExpectedDuration[];
	/** The commands that adopt a live database without cutover history (import, baseline), with the operator's flags. */
	adoptCommands?: (live: LiveSchema) => string[];
	/** The lint of the pending migrations against the live tables (cutover lint's rules); absent: not linted. */
	lint?: (pending: readonly string[], liveTables: ReadonlySet<string>) => Promise<Omit<EventOf<'lint.findings'>, 'type'>>;
	/** The locks of the pending migrations measured on a throwaway copy (PostgreSQL); absent: not traced. It drops its copy, also when `signal` stops it. */
	traceLocks?: (signal: AbortSignal) => Promise<{report: LockTraceReport; left: string | null}>;
};

/** How a run ended in this process: an outcome, or stopped by a signal and left resumable. */
export type FlowResult = RunOutcome | 'interrupted';

/**
 * The fewest milliseconds between two backup.progress records. The PostgreSQL backup reports every 250 ms, and one that
 * comes a little early (its read of the bytes took less than the last) must still go on the record, or the record
 * would show every other one; the reports a table's line brings between two ticks are thinned.
 */
const PROGRESS_EVERY_MS = 200;

/**
 * The guided run, step by step. Every fact is emitted as an event before anything acts on
 * it; every human gate goes through the decider. Returns the outcome; throws only for bugs.
 */
export async function runFlow(deps: RunDeps, options: FlowOptions): Promise<FlowResult> {
	deps.session.emit({type: 'run.started', ...options.start});
	const prepared = await prepareRun(deps, options);
	if (prepared !== null) {
		return prepared;
	}

	const lockTrace = options.traceLocks === undefined ? undefined : startLockTrace(deps, options.traceLocks);
	try {
		return await continueFlow(deps, {window: options.window, rollbackNow: false, ...(lockTrace === undefined ? {} : {lockTrace})});
	} finally {
		// However the run ended, its trace is over and its copy dropped before it returns.
		await lockTrace?.settle(false);
	}
}

/** A lock trace running beside the window: `settle(true)` waits for its result, `settle(false)` stops it (once it is done, nothing); both wait until its copy is dropped. */
export type LockTraceRun = {settle: (go: boolean) => Promise<void>};

/**
 * Starts the trace without waiting for it: the window is drawn and answered meanwhile. Its result
 * (or why it could not run) is emitted when it comes, unless the run stopped it first; a trace
 * that fails never stops the run.
 */
export function startLockTrace(deps: RunDeps, trace: NonNullable<FlowOptions['traceLocks']>): LockTraceRun {
	const {session} = deps;
	const stop = new AbortController();
	const onAbort = () => {
		stop.abort();
	};

	// Nothing of it after it was stopped, after the record stopped taking lines, or after this database's run ended.
	const recording = () => !stop.signal.aborted && session.fault === null && session.state.outcome === null;
	deps.signal.addEventListener('abort', onAbort, {once: true});
	// A listener added to a signal already aborted is never called.
	if (deps.signal.aborted) {
		stop.abort();
	}

	session.emit({type: 'lock-impact.started'}, 'with-next');
	const done = (async () => {
		try {
			// One turn of the loop first: the window screen, drawn on the events just emitted, goes
			// out before the trace's modules and pg_dump compete with it for the CPU.
			await setImmediate();
			if (stop.signal.aborted) {
				// Stopped before it began (a window refused at once): there is no copy to drop.
				return;
			}

			const {report, left} = await trace(stop.signal);
			if (recording()) {
				// Only the statements this run applies (--to may stop short of the folder's last).
				const planned = new Set(session.state.migrations.map(m => m.name));
				const migrations = report.migrations.filter(m => planned.has(m.name));
				session.emit({type: 'lock-impact.traced', report: {...report, migrations}, left});
			}
		} catch (error) {
			// A copy left on the server is recorded even when the trace was stopped, while the record still takes lines.
			const copyLeft = error instanceof TraceCopyLeftError && session.fault === null && session.state.outcome === null;
			if (recording() || copyLeft) {
				session.emit({type: 'lock-impact.failed', reason: describeTraceError(error)});
			}
		} finally {
			deps.signal.removeEventListener('abort', onAbort);
		}
	})();
	return {
		async settle(go) {
			if (!go) {
				stop.abort();
			}

			await done;
		},
	};
}

function describeTraceError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const hint = error instanceof Error && 'hint' in error && typeof error.hint === 'string' ? error.hint : null;
	return hint === null ? message : `${message} (${hint})`;
}

/**
 * Everything before the window: the fingerprint, the plan and the preflight. Returns null to go
 * on to the window, or how the run ended here (nothing to do, a failed preflight).
 */
export async function prepareRun(deps: RunDeps, options: FlowOptions): Promise<FlowResult | null> {
	const {session} = deps;
	// `versionBefore`: the version read when the plan was, where it is known though the plan was not journaled.
	const failWindow = async (error: unknown, versionBefore?: string | null) => {
		// The hint is what the operator does next: it goes into the record with the message.
		const message = error instanceof Error ? error.message : String(error);
		session.emit({type: 'error', step: 'window', message: error instanceof CutoverError && error.hint !== '' ? `${message}; ${error.hint}` : message});
		return finishRun(deps, 'failed', versionBefore === undefined ? {} : {versionBefore});
	};

	// 1. Maintenance window: what this database is and what will run.
	let fingerprint: Fingerprint;
	try {
		fingerprint = await deps.connections.database.fingerprint();
		// What is read before the window is fsynced with the operator's first decision (or the run's
		// stop), the next 'now' line: nothing acts on it before, and a first frame waits on each fsync.
		session.emit({type: 'target.fingerprinted', fingerprint}, 'with-next');
	} catch (error) {
		return failWindow(error);
	}

	// A migrations folder that does not load is a preflight failure, named as such.
	let plan: PreflightInput['plan'];
	try {
		plan = {ok: true, plan: await deps.connections.migrator.plan()};
	} catch (error) {
		plan = {ok: false, error};
	}

	// The preflight asks the machine (pg_dump's version, the directories) while the lint parses: started
	// once the plan is known, journaled after the lint as before. Nothing to do asks nothing.
	let preflight: Promise<PreflightItem[]> | null = null;
	const checkBeforeWindow = () => {
		preflight ??= runPreflight({fingerprint, plan, backupTool: deps.backupTool, directories: deps.directories, backupsDir: deps.backupsDir, recordsDir: deps.recordsDir});
		return preflight;
	};

	if (plan.ok) {
		try {
			const pending = selectPending(plan.plan.pending, options.to, plan.plan.applied.map(m => m.name));
			refuseForeignCode(pending, plan.plan.applied.map(m => m.name));
			const live = plan.plan.adoption;
			const adoption = live === undefined ? {} : {adoption: {...live, commands: options.adoptCommands?.(live) ?? adoptCommandsFor(live, options.start)}};
			session.emit({type: 'migrations.planned', applied: plan.plan.applied, pending, ...folderNote(plan.plan), ...adoption}, 'with-next');
			if (session.state.migrations.length > 0) {
				// Its failure is the preflight's, awaited below; not an unhandled rejection if the lint fails first.
				checkBeforeWindow().catch(() => {});
			}

			// Linted as planned, on the tables there now: the window shows the findings and asks for the error ones.
			if (pending.length > 0 && options.lint !== undefined) {
				session.emit({type: 'lint.findings', ...await options.lint(pending.map(m => m.name), new Set(await deps.connections.database.tables()))}, 'with-next');
			}

			const expected = pending.length > 0 ? options.pastDurations?.(pending) ?? [] : [];
			if (expected.length > 0) {
				session.emit({type: 'migrations.history', expected}, 'with-next');
			}
		} catch (error) {
			// A --to that names no pending migration stops before the plan is journaled: the record still says where the database was.
			return failWindow(error, session.state.plan === null ? plan.plan.applied.at(-1)?.name ?? null : undefined);
		}

		if (session.state.migrations.length === 0) {
			return finishRun(deps, 'nothing-to-do');
		}
	}

	// Everything knowable before the window, checked before it: nothing is asked, switched or copied when it fails.
	if (!await preflightPasses(deps, fingerprint, plan, checkBeforeWindow())) {
		return failWindow(preflightMessage(deps));
	}

	return null;
}

/** Runs the preflight (or takes the one already running) and journals it; true when no blocking item failed. */
async function preflightPasses(deps: RunDeps, fingerprint: Fingerprint, plan: PreflightInput['plan'], running?: Promise<PreflightItem[]>): Promise<boolean> {
	deps.session.emit({
		type: 'preflight.finished',
		items: await (running ?? runPreflight({fingerprint, plan, backupTool: deps.backupTool, directories: deps.directories, backupsDir: deps.backupsDir, recordsDir: deps.recordsDir})),
	}, 'with-next');
	return preflightFailures(deps.session.state).length === 0;
}

function preflightMessage(deps: RunDeps): string {
	return `preflight failed, nothing was changed: ${preflightFailures(deps.session.state).map(i => `${i.title}: ${i.detail}`).join(' | ')}`;
}

export type ContinueOptions = {
	window: {startsAt: number | null; expectedMinutes: number | null};
	/** Resume straight to the rollback prompt (the operator's choice after an interrupted upgrade). */
	rollbackNow: boolean;
	/** The lock trace started before the window: waited for once the window is confirmed, stopped when it is not. */
	lockTrace?: LockTraceRun;
};

/**
 * Where a database of a run over several waits for the others (`paused`): after its window is
 * confirmed, after the operator's go at the proceed gate, after its upgrade, and before its rollback prompt.
 */
export type StopPoint = 'maintenance' | 'upgrade' | 'post' | 'rollback';

export type StepsOptions = ContinueOptions & {
	stopBefore?: StopPoint;
	/** Another database of the run failed (or its versions disagree): said at this one's rollback prompt, which then defaults as after a failure. */
	alsoFailed?: string;
	/** false: a resumed run's preflight was checked again already (by an earlier call of these steps). */
	preflightAgain?: boolean;
};

/**
 * Everything after the plan, driven by the state: a step already done in the journal (window
 * confirmed, backup verified, checks run, migrations applied) is not done again. A fresh run
 * and a resumed one take the same path from wherever the state stands.
 */
export async function continueFlow(deps: RunDeps, options: ContinueOptions): Promise<FlowResult> {
	const result = await continueSteps(deps, options);
	// Without a stop point the steps run to the end.
	return result === 'paused' ? finishRun(deps, outcomeOf(deps)) : result;
}

/** The steps of continueFlow, up to `stopBefore` when given ('paused' there). */
export async function continueSteps(deps: RunDeps, options: StepsOptions): Promise<FlowResult | 'paused'> {
	const {session} = deps;
	const state = () => session.state;
	const done = (type: RunEvent['type']) => session.entries.some(e => e.event.type === type);
	const fail = async (step: EventOf<'error'>['step'], error: unknown) => {
		session.emit({type: 'error', step, message: error instanceof Error ? error.message : String(error)});
		return finishRun(deps, 'failed');
	};

	/** At each safe point: a hang-up stops here, resumable; the operator's quit ends the run. */
	const halted = async (): Promise<FlowResult | null> => {
		// A signal is delivered by the event loop: after a long synchronous statement (SQLite) it is only seen once the loop turns.
		// Two turns: the first may end in the same loop iteration; the second comes after a poll, where signals are read.
		await setImmediate();
		await setImmediate();
		// The journal takes no more lines: nothing more can be recorded, so nothing more is done.
		if (session.fault !== null) {
			return 'interrupted';
		}

		if (!deps.signal.aborted) {
			return null;
		}

		const interruption = interruptionOf(deps.signal);
		if (!interruption) {
			return finishRun(deps, 'abandoned');
		}

		const maintenance = maintenanceIsOn(deps) ? 'maintenance mode is left on (the system is mid-change); ' : '';
		session.emit({
			type: 'run.interrupted',
			signal: interruption.signal,
			step: state().step,
			detail: `${interruption.detail === null ? '' : `${interruption.detail}; `}stopped at a safe point after ${describeLast(deps)}; ${maintenance}cutover resume continues this run`,
		});
		return 'interrupted';
	};

	if (!options.rollbackNow) {
		// A resumed run that has no verified backup yet checks again what it checked before the window: tools, room, drift.
		const fingerprint = state().fingerprint;
		if (options.preflightAgain !== false && state().resumes.length > 0 && fingerprint !== null && !(state().backup?.artifact && state().verification?.ok) && !done('upgrade.started')) {
			let plan: PreflightInput['plan'];
			try {
				plan = {ok: true, plan: await deps.connections.migrator.plan()};
			} catch (error) {
				plan = {ok: false, error};
			}

			if (!await preflightPasses(deps, fingerprint, plan)) {
				return fail('window', preflightMessage(deps));
			}
		}

		if (!state().window) {
			session.emit({
				type: 'window.planned',
				startsAt: options.window.startsAt ?? deps.clock.now(),
				expectedMinutes: options.window.expectedMinutes ?? deps.runbook.window.expectedMinutes,
				prep: deps.runbook.preparation,
				hooks: {on: deps.runbook.maintenance.on, off: deps.runbook.maintenance.off},
				checks: {pre: deps.runbook.checks.pre.length, post: deps.runbook.checks.post.length + deps.runbook.checks.pre.length},
			}, 'with-next');
		}

		if (state().steps.window.status !== 'passed') {
			const answer = await unlessAborted(deps.signal, deps.decider.confirmWindow(session));
			if (answer === 'aborted' || !answer.value) {
				// Not confirmed: the trace is stopped and its copy dropped before the run ends.
				await options.lockTrace?.settle(false);
			}

			if (answer === 'aborted') {
				return await halted() ?? finishRun(deps, 'abandoned');
			}

			if (!answer.value) {
				return finishRun(deps, 'abandoned');
			}
		}

		// Confirmed (maybe before the flow asked) while it still measures: its result is recorded before anything is switched or copied.
		// (Once the upgrade began it was settled long ago: a later call of these steps does not stop here.)
		if (options.lockTrace !== undefined && !done('upgrade.started')) {
			await options.lockTrace.settle(true);
			// A stop while it was waited for (the trace is stopped with it) is a stop here, before maintenance mode.
			const stop = await halted();
			if (stop !== null) {
				return stop;
			}
		}

		if (options.stopBefore === 'maintenance') {
			return 'paused';
		}

		if (deps.runbook.maintenance.on && !commandSucceeded(deps, 'maintenance-on')) {
			const code = await runCommand(session, deps.runner, {id: 'maintenance-on', purpose: 'maintenance mode on', command: deps.runbook.maintenance.on});
			if (session.fault !== null) {
				return await halted() ?? 'interrupted';
			}

			if (code !== 0) {
				return fail('window', `the maintenance-on command exited with ${code}; nothing was changed`);
			}
		}

		// 2–3. Backup, then its verification. No verified backup, no upgrade (and none taken mid-upgrade).
		if (!(state().backup?.artifact && state().verification?.ok) && !done('upgrade.started')) {
			const stop = await halted() ?? await backupAndVerify(deps) ?? await halted();
			if (stop !== null) {
				return stop;
			}

			if (!state().verification?.ok) {
				const failed = state().verification?.items.filter(i => !i.ok).map(i => `${i.name}: ${i.detail}`).join('; ');
				return fail('verify', `the backup did not verify (${failed ?? 'no verification'}); the upgrade will not start`);
			}
		}

		// 4. Pre-validation: the runbook's checks with their evidence, and the snapshot whose counts are the baseline.
		if (!state().baseline) {
			try {
				const database = deps.connections.database;
				for (const check of deps.runbook.checks.pre) {
					// eslint-disable-next-line no-await-in-loop -- a stop is seen between steps
					const stop = await halted();
					if (stop !== null) {
						return stop;
					}

					// eslint-disable-next-line no-await-in-loop -- checks run one at a time, as in a run
					await runRecordedCheck(deps, check, 'pre');
				}

				const leaving = whenLeaving(deps.signal);
				try {
					const snapshot = await database.snapshot({signal: leaving.signal});
					session.emit({type: 'snapshot.taken', phase: 'before', snapshot});
					session.emit({type: 'baseline.captured', counts: countsOf(snapshot)});
				} finally {
					leaving.release();
				}
			} catch (error) {
				// Leaving stops the counts; that is a stop, not a failure of the step.
				return await halted() ?? fail('pre', error);
			}
		}

		if (!done('operator.proceed')) {
			const stop = await halted();
			if (stop !== null) {
				return stop;
			}

			const answer = await unlessAborted(deps.signal, deps.decider.proceedToUpgrade(session));
			if (answer === 'aborted') {
				return await halted() ?? finishRun(deps, 'abandoned');
			}

			if (!answer.value) {
				return finishRun(deps, 'abandoned');
			}
		}

		if (options.stopBefore === 'upgrade') {
			return 'paused';
		}

		// 5. Upgrade, one migration at a time, each in its own transaction with its log row.
		if (!done('upgrade.finished')) {
			const gate = upgradeGate(state());
			if (!gate.open) {
				return fail('upgrade', `the upgrade gate is closed: ${gate.reasons.join('; ')}`);
			}

			if (!done('upgrade.started')) {
				session.emit({type: 'upgrade.started', names: state().migrations.map(m => m.name)});
			}

			const stop = await upgrade(deps, halted);
			if (stop !== null) {
				return stop;
			}
		}

		if (options.stopBefore === 'post') {
			return 'paused';
		}

		// 6. Post-verification: the post checks, the pre checks again, counts against the baseline.
		if (options.alsoFailed === undefined && state().steps.upgrade.status === 'passed' && state().steps.post.status === 'running') {
			const stop = await halted();
			if (stop !== null) {
				return stop;
			}

			try {
				await postVerify(deps);
			} catch (error) {
				session.emit({type: 'error', step: 'post', message: error instanceof Error ? error.message : String(error)});
			}
		}
	}

	// 6b. The observation period (the runbook's observe:): only after post-verification passed, before the prompt.
	if (options.alsoFailed === undefined && state().rollback === null && state().steps.post.status === 'passed' && deps.runbook.observe !== undefined) {
		const stop = await halted();
		if (stop !== null) {
			return stop;
		}

		if (await observe(deps) === 'stopped') {
			return await halted() ?? 'interrupted';
		}
	}

	if (options.stopBefore === 'rollback') {
		return 'paused';
	}

	// 7. The rollback prompt: on any failure, and at the end before the run closes.
	if (!state().rollback?.result) {
		const stop = await halted();
		if (stop !== null) {
			return stop;
		}

		const upgraded = state().steps.upgrade.status === 'passed';
		const postOk = state().steps.post.status === 'passed';
		const offered = rollbackOptions(state());
		const artifact = state().verification?.ok ? state().backup?.artifact : undefined;
		const restorePlan = artifact ? await deps.backupTool.describeRestore(artifact).catch(() => null) : null;
		const postRan = state().steps.post.status !== 'running';
		const own = options.alsoFailed === undefined || !upgraded || (postRan && !postOk)
			? rollbackReason(deps, upgraded, postOk)
			: `this database is upgraded${postOk ? ' and verified' : ', its post checks not run'}`;
		session.emit({
			type: 'rollback.offered',
			reason: options.alsoFailed === undefined ? own : `${options.alsoFailed}; ${own}: roll it back too, so the databases stay at versions that go together, or keep it`,
			options: offered.map(o => o.choice !== 'restore' || !o.available || restorePlan === null || restorePlan.note === ''
				? o
				// The tool knows what the engine cannot: whether this role may restore at all.
				: (restorePlan.available ? {...o, cost: `${o.cost}; ${restorePlan.note}`} : {...o, available: false, cost: `unavailable: ${restorePlan.note}`})),
		});
		const answer = await unlessAborted(deps.signal, deps.decider.chooseRollback(session, !upgraded || !postOk || options.alsoFailed !== undefined));
		if (answer === 'aborted' && interruptionOf(deps.signal)) {
			return await halted() ?? 'interrupted';
		}

		// Leaving at the prompt changes nothing: the safe default.
		await executeRollback(deps, answer === 'aborted' ? 'keep' : answer.value);
	}

	return finishRun(deps, outcomeOf(deps));
}

/** Runs the backup and its verification; returns a result only when the run stops here. */
async function backupAndVerify(deps: RunDeps): Promise<FlowResult | null> {
	const {session} = deps;
	const fingerprint = session.state.fingerprint;
	// The run id keeps two runs on databases of one name, started in the same second, from writing one file.
	const fileName = `${fingerprint?.database ?? 'database'}-${stamp(deps.clock.now())}-${deps.runId.slice(0, 8)}.${fingerprint?.engine === 'postgres' ? 'dump' : 'db'}`;
	if (session.emit({type: 'backup.started', path: `${deps.backupsDir}/${fileName}`, method: deps.backupTool.method}) === null) {
		// Not recorded, so not started: the run stops at the next safe point.
		return null;
	}

	const backupStarted = deps.clock.now();
	let lastProgress = 0;
	// The last report thinned away: the finished figure (every table, 100 %) is recorded before backup.finished all the same.
	// Written by the callback: typed so, or the compiler narrows it to null for good.
	let unrecorded = null as BackupProgress | null;
	try {
		const artifact = await deps.backupTool.backup({
			directory: deps.backupsDir,
			fileName,
			signal: deps.signal,
			onProgress(progress) {
				const now = deps.clock.now();
				if (now - lastProgress >= PROGRESS_EVERY_MS) {
					lastProgress = now;
					unrecorded = null;
					session.emit({type: 'backup.progress', progress});
				} else {
					unrecorded = progress;
				}
			},
		});
		if (unrecorded !== null) {
			session.emit({type: 'backup.progress', progress: unrecorded});
		}

		session.emit({type: 'backup.finished', artifact, durationMs: deps.clock.now() - backupStarted});
		const verifyStarted = deps.clock.now();
		const verification = await deps.backupTool.verify(artifact);
		session.emit({type: 'verify.finished', verification, durationMs: deps.clock.now() - verifyStarted});
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		const interruption = interruptionOf(deps.signal);
		session.emit({type: 'backup.failed', error: interruption ? `incomplete: stopped by ${interruption.signal}: ${message}` : message});
		if (deps.signal.aborted) {
			return null;
		}

		return finishRun(deps, 'failed');
	}

	return null;
}

/** Applies the migrations not done yet; a stop between two migrations leaves the upgrade open for a resume. */
async function upgrade(deps: RunDeps, halted: () => Promise<FlowResult | null>): Promise<FlowResult | null> {
	const {session} = deps;
	const names = session.state.migrations.filter(m => m.direction === 'up' && m.status !== 'done').map(m => m.name);
	let upgraded = true;
	// The first migration syncs what came before it (the gate, upgrade.started); after that, at most every GROUP_SYNC_MS.
	const beforeEffect = groupDurable(session, deps.clock);

	for (const name of names) {
		// eslint-disable-next-line no-await-in-loop -- a stop is seen between steps
		const stop = await halted();
		if (stop !== null) {
			return stop;
		}

		const outside = session.state.migrations.find(m => m.name === name && m.direction === 'up')?.noTransaction;
		if (outside !== undefined) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const settled = await settleInvalidIndexes(deps, name);
			if (settled === 'aborted') {
				// eslint-disable-next-line no-await-in-loop -- a stop is seen between steps
				return await halted() ?? 'interrupted';
			}

			if (settled !== null) {
				session.emit({type: 'migration.failed', name, direction: 'up', error: settled, statement: null, durationMs: 0, tookEffect: {statements: outside.finished, total: outside.total}});
				upgraded = false;
				break;
			}
		}

		const at = deps.clock.now();
		// Outside a transaction: on disk before the migration does anything (beforeEffect), synced while it opens. In a
		// transaction: written now, synced with the group (its log row names the run; reconcile reads it back after a crash).
		if (session.emit({type: 'migration.started', name, direction: 'up'}, 'with-next') === null) {
			// A migration whose start is not on the record is not run; the journal takes no more lines.
			return halted();
		}

		const statementStarted = new Map<number, number>();
		try {
			// eslint-disable-next-line no-await-in-loop -- in order, one at a time
			await deps.connections.migrator.up(name, {
				runId: deps.runId,
				appliedBy: deps.appliedBy,
				signal: deps.signal,
				beforeEffect,
				// A lock timeout is retried with backoff; each retry is on the record and on screen.
				onRetry: retry => session.emit({type: 'migration.retrying', name, ...retry}),
				// Outside a transaction: each statement on the record as it starts and commits; a resume goes on after the last committed one.
				// A start that could not be recorded stops the migration before that statement runs.
				onStatement(progress) {
					if (progress.phase === 'started') {
						statementStarted.set(progress.index, deps.clock.now());
						return session.emit({type: 'migration.statement-started', name, direction: 'up', index: progress.index, total: progress.total, statement: progress.statement}) !== null;
					}

					return session.emit({type: 'migration.statement-finished', name, direction: 'up', index: progress.index, total: progress.total, durationMs: deps.clock.now() - (statementStarted.get(progress.index) ?? at)}) !== null;
				},
				// A module's backfill on the record and on screen; one that cannot be recorded stops before its next batch.
				onBackfill: progress => session.emit({type: 'migration.backfill-progress', name, direction: 'up', ...progress}) !== null,
				skipStatements: outside?.finished ?? 0,
				// A hang-up stops between two committed statements (a safe point), not at the end of a long migration; the journal must take lines too.
				stopBetweenStatements: () => interruptionOf(deps.signal) !== null || session.fault !== null,
			});
			// Nothing acts on this end before the next synced line (a group's sync, a failure, upgrade.finished), whose fsync carries it too.
			session.emit({type: 'migration.finished', name, direction: 'up', durationMs: deps.clock.now() - at}, 'with-next');
		} catch (error) {
			if (error instanceof MigrationStoppedError || error instanceof RecordWriteError) {
				// Not finished, not failed: the upgrade stays open and the resume continues this migration.
				// eslint-disable-next-line no-await-in-loop -- a stop is seen between steps
				return await halted() ?? 'interrupted';
			}

			const statement = error instanceof MigrationError ? error.statement : null;
			const took = error instanceof MigrationError && error.tookEffect !== null ? {tookEffect: error.tookEffect} : {};
			session.emit({type: 'migration.failed', name, direction: 'up', error: error instanceof Error ? error.message : String(error), statement, durationMs: deps.clock.now() - at, ...took});
			upgraded = false;
			break;
		}
	}

	// Every migration committed (or failed) as a whole; the upgrade closes even when a stop is pending.
	session.emit({type: 'upgrade.finished', ok: upgraded});
	return null;
}

/**
 * Before a migration outside a transaction runs (again): an INVALID index that its CREATE INDEX
 * CONCURRENTLY left in an earlier attempt would make it fail ("already exists"), or, with IF NOT
 * EXISTS, be skipped and stay unusable. It is named on the record and dropped only once the
 * operator says so. Returns null to go on, 'aborted' when the run is stopped at the question,
 * or why the migration does not run.
 */
async function settleInvalidIndexes(deps: RunDeps, name: string): Promise<string | null | 'aborted'> {
	const {session} = deps;
	let found;
	try {
		found = await deps.connections.migrator.invalidIndexes(name);
	} catch (error) {
		return `the INVALID indexes ${name} may have left could not be read: ${error instanceof Error ? error.message : String(error)}`;
	}

	if (found.length === 0) {
		return null;
	}

	// Neither asked nor dropped unless it is on the record; a consent that could not be recorded drops nothing.
	if (session.emit({type: 'invalid-index.found', name, indexes: found}) === null) {
		return 'aborted';
	}

	const answer = await unlessAborted(deps.signal, deps.decider.dropInvalidIndexes(session, name, found));
	if (answer === 'aborted') {
		return 'aborted';
	}

	if (session.fault !== null) {
		return 'aborted';
	}

	const list = found.map(i => `${i.qualified} on ${i.table}`).join(', ');
	if (!answer.value) {
		return `${name} did not run: an earlier CREATE INDEX CONCURRENTLY left the INVALID index ${list}; it must be dropped before ${name} runs again. To have cutover drop it, on the record: y at the console's question, or in plain mode start the run again with --drop-invalid-index (this run ends here); or DROP INDEX CONCURRENTLY ${found.map(i => i.qualified).join(', ')} by hand`;
	}

	for (const index of found) {
		// The previous drop's outcome not on the record: nothing more is done.
		if (session.fault !== null) {
			return 'aborted';
		}

		try {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			await deps.connections.migrator.dropInvalidIndex(index);
			session.emit({type: 'invalid-index.dropped', name, index: index.qualified, ok: true, detail: 'DROP INDEX CONCURRENTLY done'});
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			session.emit({type: 'invalid-index.dropped', name, index: index.qualified, ok: false, detail: message});
			return `${name} did not run: the INVALID index ${index.qualified} could not be dropped: ${message}`;
		}
	}

	return null;
}

async function postVerify(deps: RunDeps) {
	const {session} = deps;
	const database = deps.connections.database;
	const {signal: leaving, release} = whenLeaving(deps.signal);
	try {
		for (const check of deps.runbook.checks.post) {
			if (leaving.aborted) {
				return;
			}

			// eslint-disable-next-line no-await-in-loop -- checks run one at a time, as in a run
			await runRecordedCheck(deps, check, 'post');
		}

		for (const check of deps.runbook.checks.pre) {
			if (leaving.aborted) {
				return;
			}

			// eslint-disable-next-line no-await-in-loop -- checks run one at a time, as in a run
			await runRecordedAgain(deps, check);
		}

		// One read gives both: the snapshot after the upgrade, and the counts compared with the baseline.
		const snapshot = await database.snapshot({signal: leaving});
		const before = session.state.snapshots.before;
		session.emit({type: 'snapshot.taken', phase: 'after', snapshot, ...(before === null ? {} : {compared: summarizeDiff(diffSnapshots(before, snapshot, {expected: expectedChanges(session.state)}))})});
		const after = countsOf(snapshot);
		session.emit({type: 'post.compared', after, diff: diffRowCounts(session.state.baseline ?? {}, after)});
	} finally {
		release();
	}
}

function rollbackReason(deps: RunDeps, upgraded: boolean, postOk: boolean): string {
	const state = deps.session.state;
	if (!upgraded) {
		const failed = state.migrations.find(m => m.status === 'failed');
		return failed ? `migration ${failed.name} failed: ${failed.error ?? 'unknown error'}` : 'the upgrade stopped before it finished';
	}

	if (!postOk) {
		const failing = state.checks.filter(c => c.phase === 'post' && !isSatisfied(c.verdict)).map(c => c.id);
		return failing.length > 0 ? `post-verification failed: ${failing.join(', ')}` : 'post-verification could not finish';
	}

	const observation = state.observation;
	if (observation?.finished != null && observation.finished.reason !== 'interrupted') {
		const breaches = observation.breaches.map(b => `${b.name} ${b.level}`);
		const seen = breaches.length === 0 ? 'no threshold breached' : `breaches: ${[...new Set(breaches)].join(', ')}`;
		if (observation.finished.reason === 'rollback') {
			return `the upgrade is complete and verified; the operator came here from the observation period (${seen}): roll it back, or keep it`;
		}

		return `the upgrade is complete and verified; observation period ${{elapsed: 'over', 'ended-early': 'ended early', skipped: 'skipped'}[observation.finished.reason]} (${seen}): keep it, or roll it back before the run closes`;
	}

	return 'the upgrade is complete and verified: keep it, or roll it back before the run closes';
}

function selectPending(pending: MigrationInfo[], to: string | null, applied: readonly string[]): MigrationInfo[] {
	if (to === null) {
		return pending;
	}

	const index = pending.findIndex(m => m.name === to);
	if (index === -1) {
		const list = pending.map(m => m.name).join(', ') || 'none';
		throw applied.includes(to)
			? new CutoverError(`--to ${to} is already applied (the database is at ${applied.at(-1) ?? to}); --to only chooses how far up a run goes`, {
				hint: `nothing was changed. A run goes back down only at its own rollback prompt: to return to ${to}, restore a backup taken when the database was there (restore with pg_restore, or copy the SQLite file back), or run the downs by hand; pending: ${list}`,
			})
			: new CutoverError(`--to ${to} is not a pending migration (pending: ${list})`, {hint: 'nothing was changed; name one of the pending migrations (cutover status lists them), or leave out --to to apply them all'});
	}

	return pending.slice(0, index + 1);
}

/** A run stops before code only another tool runs (a goose Go migration), before the window: it says how far it can go. */
function refuseForeignCode(selected: readonly MigrationInfo[], applied: readonly string[]): void {
	const at = selected.findIndex(m => m.runsWith !== undefined);
	if (at === -1) {
		return;
	}

	const code = selected[at]!;
	const before = at === 0 ? null : selected[at - 1]!.name;
	// goose applies a version below the highest applied one only when told to (its missing migrations).
	const version = versionOf(code.name);
	const later = version === null ? [] : applied.filter(name => (versionOf(name) ?? -1n) > version);
	const goose = later.length === 0 ? 'goose up-by-one' : `goose up-by-one -allow-missing, as ${later.at(-1)} above it is applied already`;
	throw new CutoverError(`${code.name} is a ${code.runsWith} Go migration, which only ${code.runsWith} runs, and this run would reach it`, {
		hint: `${before === null ? 'nothing before it is pending: ' : `run up to the migration before it (--to ${before}), then `}apply it with goose (${goose}; cutover keeps goose_db_version in step), record it with cutover import --from goose, and run cutover again for the rest`,
	});
}

/** goose's version of a migration: the number its name starts with. */
function versionOf(name: string): bigint | null {
	const digits = /^\d+/.exec(name)?.[0];
	return digits === undefined ? null : BigInt(digits);
}

function stamp(ms: number): string {
	return new Date(ms).toISOString().replaceAll(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

