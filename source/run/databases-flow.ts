import path from 'node:path';
import {combinedOutcome} from '../engine/databases.js';
import type {DatabaseVersion, EventOf, RunOutcome} from '../engine/events.js';
import type {Session} from './session.js';
import {finishRun, outcomeOf} from './finish-run.js';
import {continueSteps, prepareRun, startLockTrace, type FlowOptions, type FlowResult, type LockTraceRun, type StopPoint} from './flow.js';
import {lockTraceDue, lockTraceLeftOut} from '../engine/lock-trace-due.js';
import type {RunDeps} from './run-deps.js';
import type {PrepItem} from '../engine/model.js';
import type {ProcessRunner} from '../ports/process-runner.js';
import type {Runbook} from './plan-types.js';
import {runCommand} from './hooks.js';
import {leftMidChange} from './finish-run.js';

/** One database of a run over several: its own deps (its session is the run's, scoped to its name) and its own run.started. */
export type DatabaseLegRun = {
	name: string;
	deps: RunDeps;
	start: FlowOptions['start'];
};

export type DatabasesFlowOptions = {
	/** The whole run's run.started; its `databases` name the legs in order. Not emitted again when `resumed`. */
	start: EventOf<'run.started'>;
	/**
	 * A resumed run: the record already holds the run's start and each started database's; every
	 * step is driven by the state, so what was done is not done again.
	 */
	resumed?: boolean;
	to: string | null;
	window: FlowOptions['window'];
	pastDurations?: FlowOptions['pastDurations'];
	/** The runbook's preparation: ticked once, at the window of the first database with something to do. */
	preparation: PrepItem[];
	/** The runbook's maintenance commands, the whole run's: on once every window is confirmed, off once every database is done. */
	maintenance: Runbook['maintenance'];
	runner: ProcessRunner;
	/** The lint of one database's pending migrations (its own folder and engine), by its name in the runbook. */
	lint?: (database: string) => FlowOptions['lint'];
	/** The lock trace of one database's pending migrations (PostgreSQL, not --no-trace), by its name; absent: that database is not traced. */
	traceLocks?: (database: string) => FlowOptions['traceLocks'];
};

/** The run's session, and the lock trace of each database that has one running or done, by name. */
type Scope = {session: Session; traces: Map<string, LockTraceRun>};

/**
 * A run over several databases, one record: every database is fingerprinted, planned and
 * preflighted; every window is confirmed by its own name; then each is backed up, verified and
 * pre-checked, with the operator's go for each; only then are they upgraded, in order. After the
 * upgrades the versions must agree. A failure on any database (its upgrade, its post checks, or
 * versions that disagree) brings every database that changed to its rollback prompt, last first,
 * defaulting as after a failure. Each database ends with its own run.finished; the run with one
 * from every database's outcome.
 */
export async function runDatabasesFlow(outer: {session: Session}, legs: DatabaseLegRun[], options: DatabasesFlowOptions): Promise<FlowResult> {
	const run: Scope = {session: outer.session, traces: new Map()};
	try {
		return await databasesFlow(run, legs, options);
	} finally {
		// However the run ended, every trace is over and its copy dropped before it returns.
		await settleTraces(run);
	}
}

/** Every trace still measuring stopped (one that is done stays as it is), each copy dropped. */
async function settleTraces(run: Scope): Promise<void> {
	await Promise.all([...run.traces.values()].map(async trace => trace.settle(false)));
}

async function databasesFlow(run: Scope, legs: DatabaseLegRun[], options: DatabasesFlowOptions): Promise<FlowResult> {
	const {type: _, ...start} = options.start;
	if (options.resumed !== true) {
		run.session.emit({type: 'run.started', ...start});
	}

	const flowOptions = (leg: DatabaseLegRun): FlowOptions => ({
		start: leg.start,
		to: options.to,
		window: options.window,
		...(options.pastDurations === undefined ? {} : {pastDurations: options.pastDurations}),
		...(options.lint?.(leg.name) === undefined ? {} : {lint: options.lint(leg.name)!}),
	});

	const working: DatabaseLegRun[] = [];
	// Each PostgreSQL database's locks measured on its own copy beside the windows, from when it is planned
	// (a resumed one: when its upgrade has not begun and no trace on the record covers its migrations).
	const work = (leg: DatabaseLegRun) => {
		working.push(leg);
		const trace = options.traceLocks?.(leg.name);
		const leftOut = trace === undefined ? null : lockTraceLeftOut(leg.deps.session.state, run.session.state);
		if (leftOut !== null) {
			leg.deps.session.emit({type: 'lock-impact.failed', reason: leftOut});
		}

		if (trace !== undefined && lockTraceDue(leg.deps.session.state, run.session.state)) {
			run.traces.set(leg.name, startLockTrace(leg.deps, trace));
		}
	};

	// Before any window: every database known, planned and preflighted.
	for (const leg of legs) {
		const state = leg.deps.session.state;
		if (state.outcome !== null) {
			// Ended already (nothing to do, or before a resume): it takes no further part.
			continue;
		}

		if (state.runId !== null) {
			work(leg);
			continue;
		}

		leg.deps.session.emit({type: 'run.started', ...leg.start});
		// eslint-disable-next-line no-await-in-loop -- one after the other
		const ended = await prepareRun(leg.deps, flowOptions(leg));
		if (ended === null) {
			work(leg);
		} else if (ended !== 'nothing-to-do') {
			return stopAll(run, legs, leg, ended, null, options);
		}
	}

	if (working.length === 0) {
		return finishAll(run, legs, options);
	}

	// Targets given the wrong way round: the database behind one name is named like another of the run's.
	const swapped = working.flatMap(leg => {
		const real = leg.deps.session.state.fingerprint?.database;
		const other = legs.find(l => l !== leg && l.name === real);
		return real !== undefined && real !== leg.name && other !== undefined ? [`${leg.name}'s target is a database named ${real}`] : [];
	});
	if (swapped.length > 0) {
		return stopAll(run, legs, null, 'failed', `the targets look swapped: ${swapped.join('; ')}; nothing was changed. Give each --db <name>=<target> the database of that name`, options);
	}

	// The preparation is said once, at the first window.
	const first = working[0]!;
	first.deps = {...first.deps, runbook: {...first.deps.runbook, preparation: options.preparation}};

	// A resumed database checks its preflight again once, at its first steps, not at every stop point.
	const preflighted = new Set<DatabaseLegRun>();
	const stepsTo = async (stopBefore: StopPoint | undefined, leg: DatabaseLegRun, alsoFailed?: string) => {
		const preflightAgain = !preflighted.has(leg);
		preflighted.add(leg);
		const lockTrace = run.traces.get(leg.name);
		return continueSteps(leg.deps, {
			window: options.window, rollbackNow: false, preflightAgain,
			...(lockTrace === undefined ? {} : {lockTrace}), ...(stopBefore === undefined ? {} : {stopBefore}), ...(alsoFailed === undefined ? {} : {alsoFailed}),
		});
	};

	// Every window confirmed by its own name, then maintenance on, then every backup, verification, pre checks and go.
	for (const stopBefore of ['maintenance', 'upgrade'] as const) {
		for (const leg of working) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const result = await stepsTo(stopBefore, leg);
			if (result !== 'paused') {
				return stopAll(run, legs, leg, result, null, options);
			}
		}

		const {on} = options.maintenance;
		if (stopBefore === 'maintenance' && on !== null && !ran(run, 'maintenance-on')) {
			// eslint-disable-next-line no-await-in-loop -- once, between the windows and the backups
			const code = await runCommand(run.session, options.runner, {id: 'maintenance-on', purpose: 'maintenance mode on', command: on});
			if (run.session.fault !== null) {
				return interrupted(run, legs);
			}

			if (code !== 0) {
				return stopAll(run, legs, null, 'failed', `the maintenance-on command exited with ${code}; nothing was changed`, options);
			}
		}
	}

	// The upgrades, in order; the first that fails stops the others before they start.
	let failure: {leg: DatabaseLegRun; reason: string} | null = null;
	const upgraded: DatabaseLegRun[] = [];
	for (const leg of working) {
		// eslint-disable-next-line no-await-in-loop -- one after the other
		const result = await stepsTo('post', leg);
		if (result !== 'paused') {
			return stopAll(run, legs, leg, result, null, options);
		}

		upgraded.push(leg);
		if (leg.deps.session.state.steps.upgrade.status !== 'passed') {
			const failed = leg.deps.session.state.migrations.find(m => m.status === 'failed');
			failure = {leg, reason: `the upgrade of ${leg.name} failed${failed ? ` at ${failed.name}: ${failed.error ?? 'unknown error'}` : ''}`};
			break;
		}
	}

	for (const leg of working.filter(l => !upgraded.includes(l) && l.deps.session.state.outcome === null)) {
		leg.deps.session.emit({type: 'error', step: 'upgrade', message: `the upgrade of ${leg.name} did not start: ${failure?.reason ?? 'the run stopped'}; nothing was changed here`});
		// eslint-disable-next-line no-await-in-loop -- one after the other
		await finishRun(leg.deps, 'abandoned');
	}

	if (failure === null) {
		const versions = await readVersions(legs);
		run.session.emit({type: 'databases.versions', ...versions});
		for (const leg of upgraded) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const result = await stepsTo('rollback', leg);
			if (result !== 'paused') {
				return stopAll(run, legs, leg, result, null, options);
			}
		}

		const postFailed = upgraded.find(l => l.deps.session.state.steps.post.status !== 'passed');
		if (!versions.consistent) {
			failure = {leg: upgraded.at(-1)!, reason: `the versions do not agree: ${versions.problems.join('; ')}`};
		} else if (postFailed !== undefined) {
			failure = {leg: postFailed, reason: `post-verification of ${postFailed.name} did not pass`};
		}
	}

	// Every database that changed to its prompt, the last changed first; the failure is said at each of the others.
	for (const leg of [...upgraded].reverse().filter(l => l.deps.session.state.outcome === null)) {
		const alsoFailed = failure === null || (failure.leg === leg && !failure.reason.startsWith('the versions')) ? undefined : `${failure.reason}`;
		// eslint-disable-next-line no-await-in-loop -- one after the other
		const result = await stepsTo(undefined, leg, alsoFailed);
		if (result === 'interrupted') {
			return interrupted(run, legs);
		}
	}

	return finishAll(run, legs, options);
}

const ran = (run: {session: Session}, id: string) => run.session.state.commands.some(c => c.id === id);

/**
 * One database ended the run before the upgrades were done (stopped, failed, a window not
 * confirmed): every other one ends too, the one that changed nothing as abandoned.
 */
async function stopAll(run: Scope, legs: DatabaseLegRun[], at: DatabaseLegRun | null, result: FlowResult | 'paused', why: string | null, options: DatabasesFlowOptions): Promise<FlowResult> {
	if (result === 'interrupted') {
		return interrupted(run, legs);
	}

	// The others' traces stopped before they end: nothing of a trace comes after its database's end.
	await settleTraces(run);

	if (why !== null) {
		run.session.emit({type: 'error', step: 'window', message: why});
	}

	for (const leg of [...legs].reverse()) {
		const state = leg.deps.session.state;
		if (state.outcome !== null || leg === at) {
			continue;
		}

		if (state.runId === null) {
			// Not started: its own run.started first, so its part of the record says what it was.
			leg.deps.session.emit({type: 'run.started', ...leg.start});
		}

		leg.deps.session.emit({type: 'error', step: state.step, message: at === null ? `the run stopped: ${why ?? result}; ${leg.name} goes no further` : `the run stopped at database ${at.name} (${result}); ${leg.name} goes no further`});
		const outcome: RunOutcome = state.steps.upgrade.status === 'waiting' ? 'abandoned' : outcomeOf(leg.deps);
		// eslint-disable-next-line no-await-in-loop -- one after the other
		if (await finishRun(leg.deps, outcome) === 'interrupted') {
			return interrupted(run, legs);
		}
	}

	return finishAll(run, legs, options);
}

/**
 * A database stopped at a safe point (a hang-up, a terminate, a lost lock): the run's record ends
 * with that stop too, so a reader sees an interrupted run, not a crashed one.
 */
function interrupted(run: {session: Session}, legs: DatabaseLegRun[]): FlowResult {
	const stopped = legs.map(l => ({name: l.name, stop: l.deps.session.state.interrupted})).find(l => l.stop !== null);
	if (run.session.fault === null && run.session.state.interrupted === null) {
		const stop = stopped?.stop;
		run.session.emit({
			type: 'run.interrupted',
			signal: stop?.signal ?? 'unknown',
			step: stop?.step ?? 'window',
			// The database's own words end with how to go on; the run's say the same once.
			detail: `${stopped === undefined ? 'stopped' : `stopped at database ${stopped.name}: ${stopped.stop!.detail.replace(/; cutover resume continues this run$/, '')}`}${ran(run, 'maintenance-on') && !ran(run, 'maintenance-off') ? '; maintenance mode is left on (the run\'s maintenance-on ran)' : ''}; cutover resume continues this run`,
		});
	}

	return 'interrupted';
}

/**
 * Every database is done: maintenance off, unless a database is left between versions and the
 * runbook does not say to turn it off then; then the run's run.finished from every database's outcome.
 */
async function finishAll(run: {session: Session}, legs: DatabaseLegRun[], options: DatabasesFlowOptions): Promise<FlowResult> {
	const {session} = run;
	if (session.fault !== null) {
		return 'interrupted';
	}

	const {off, offWhenMidChange} = options.maintenance;
	const maintenanceOn = ran(run, 'maintenance-on') && !session.state.commands.some(c => c.id === 'maintenance-off' && c.exitCode === 0);
	if (maintenanceOn && off !== null) {
		const midChange = legs.flatMap(leg => {
			const why = leftMidChange(leg.deps.session.state);
			return why === null ? [] : [`${leg.name}: ${why}`];
		});
		if (midChange.length === 0 || offWhenMidChange) {
			await runCommand(session, options.runner, {id: 'maintenance-off', purpose: 'maintenance mode off', command: off});
		} else {
			session.emit({type: 'maintenance.left-on', reason: `${midChange.join('; ')}; the maintenance-off command was not run (the checklist's maintenance: {off-when-mid-change: true} would run it)`});
		}
	}

	const databases = session.state.databases ?? [];
	const outcome = combinedOutcome(databases, session.state.versions?.consistent ?? null);
	const each = (pick: (state: typeof databases[number]['state']) => string | null) => databases.map(d => `${d.name} ${pick(d.state) ?? 'empty'}`).join(', ');
	session.emit({type: 'run.finished', outcome, versionBefore: each(s => s.versionBefore), versionAfter: each(s => s.versionAfter)});
	return outcome;
}

/**
 * Each database's version read from it, against where its plan brings it (the last of its
 * migrations, or where it was when it had none pending); databases sharing a folder must agree.
 */
async function readVersions(legs: DatabaseLegRun[]): Promise<{versions: DatabaseVersion[]; consistent: boolean; problems: string[]}> {
	const versions: DatabaseVersion[] = [];
	const problems: string[] = [];
	for (const leg of legs) {
		const state = leg.deps.session.state;
		const expected = state.migrations.filter(m => m.direction === 'up').at(-1)?.name ?? state.versionBefore;
		const migrationsDir = state.migrationsDir ?? leg.start.migrationsDir;
		try {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const version = (await leg.deps.connections.migrator.plan()).applied.at(-1)?.name ?? null;
			versions.push({database: leg.name, migrationsDir, version, expected});
			if (version !== expected) {
				problems.push(`${leg.name} is at ${version ?? 'an empty schema'}, its plan brings it to ${expected ?? 'an empty schema'}`);
			}
		} catch (error) {
			const unknown = error instanceof Error ? error.message : String(error);
			versions.push({database: leg.name, migrationsDir, version: null, expected, unknown});
			problems.push(`the version of ${leg.name} could not be read: ${unknown}`);
		}
	}

	// One folder, one schema history: the databases it migrates must be at one version.
	const byFolder = new Map<string, DatabaseVersion[]>();
	for (const version of versions.filter(v => v.unknown === undefined)) {
		const folder = path.resolve(version.migrationsDir);
		byFolder.set(folder, [...byFolder.get(folder) ?? [], version]);
	}

	for (const [folder, same] of byFolder) {
		const distinct = new Set(same.map(v => v.version));
		if (same.length > 1 && distinct.size > 1) {
			problems.push(`${same.map(v => v.database).join(' and ')} share ${folder} and are at ${same.map(v => `${v.version ?? 'an empty schema'} (${v.database})`).join(', ')}`);
		}
	}

	return {versions, consistent: problems.length === 0, problems};
}
