import type {RunOutcome} from '../engine/events.js';
import {MigrationFileError} from '../errors/index.js';
import type {FlowResult} from './flow.js';
import {appliedThisRun} from '../engine/gates.js';
import type {RunState} from '../engine/state.js';
import {runCommand} from './hooks.js';
import type {RunDeps} from './run-deps.js';

/**
 * Maintenance off when it was turned on — unless the schema is left mid-change and the checklist
 * does not say to turn it off then — then run.finished with the version read at the end. When
 * the journal has stopped taking lines nothing more is done (it could not be recorded): the run
 * is left unfinished.
 */
export async function finishRun(deps: RunDeps, outcome: RunOutcome, known: {versionBefore?: string | null} = {}): Promise<FlowResult> {
	const {session} = deps;
	if (session.fault !== null) {
		return 'interrupted';
	}

	const {off, offWhenMidChange} = deps.runbook.maintenance;
	if (maintenanceIsOn(deps) && off) {
		const midChange = leftMidChange(session.state);
		if (midChange === null || offWhenMidChange) {
			await runCommand(session, deps.runner, {id: 'maintenance-off', purpose: 'maintenance mode off', command: off});
		} else {
			session.emit({type: 'maintenance.left-on', reason: `${midChange}; the maintenance-off command was not run (the checklist's maintenance: {off-when-mid-change: true} would run it)`});
		}
	}

	const version = await versionAtEnd(deps);
	session.emit({
		type: 'run.finished',
		outcome,
		versionBefore: known.versionBefore === undefined ? session.state.versionBefore : known.versionBefore,
		versionAfter: 'unknown' in version ? null : version.name,
		...('unknown' in version ? {versionAfterUnknown: version.unknown} : {}),
	});
	return outcome;
}

/**
 * Why the schema is left between versions at the end, or null when it is at one (where it
 * started, or where the run meant it to be): some of this run's migrations applied and others
 * not, with no rollback that brought it back, or a rollback that was asked for and did not happen.
 */
export function leftMidChange(state: RunState): string | null {
	const rollback = state.rollback;
	if (rollback?.result && rollback.choice !== null && rollback.choice !== 'keep') {
		return rollback.result.ok ? null : `the ${rollback.choice} did not bring the database back: ${rollback.result.detail}`;
	}

	const ups = state.migrations.filter(m => m.direction === 'up');
	const applied = appliedThisRun(state).map(m => m.name).reverse();
	const notApplied = ups.filter(m => m.status !== 'done').map(m => m.name);
	if (applied.length > 0 && notApplied.length > 0) {
		return `the schema is between versions: ${applied.join(', ')} applied, ${notApplied.join(', ')} not`;
	}

	return null;
}

/** The outcome from the recorded facts, so a resumed run ends as the same run would have. */
export function outcomeOf(deps: RunDeps): RunOutcome {
	const state = deps.session.state;
	const rollback = state.rollback;
	if (rollback?.result && rollback.choice !== null && rollback.choice !== 'keep') {
		return rollback.result.ok ? 'rolled-back' : 'failed';
	}

	if (state.steps.upgrade.status !== 'passed') {
		return 'failed';
	}

	return state.steps.post.status === 'passed' ? 'upgraded' : 'upgraded-with-failures';
}

export function commandSucceeded(deps: RunDeps, id: string): boolean {
	return deps.session.state.commands.some(c => c.id === id && c.exitCode === 0);
}

/** On once its command ran (even if it has not finished: a killed run may have left it half on). */
export function maintenanceIsOn(deps: RunDeps): boolean {
	const commands = deps.session.state.commands;
	return commands.some(c => c.id === 'maintenance-on') && !commands.some(c => c.id === 'maintenance-off' && c.exitCode === 0);
}

export function describeLast(deps: RunDeps): string {
	const last = deps.session.entries.at(-1);
	return last ? `${last.event.type} (#${last.seq})` : 'nothing';
}

/**
 * The last applied migration, read from the database at the end. A lost connection is not an
 * empty schema: the version is read again on a new connection, else recorded as unknown.
 */
async function versionAtEnd(deps: RunDeps): Promise<{name: string | null} | {unknown: string}> {
	const read = async () => (await deps.connections.migrator.plan()).applied.at(-1)?.name ?? null;
	try {
		return {name: await read()};
	} catch (first) {
		// The version is read through the plan: a folder that does not load is no connection's fault, and a new one would not read it either.
		if (first instanceof MigrationFileError) {
			return {unknown: `the version was not read: the migrations folder does not load (${messageOf(first)})`};
		}

		try {
			await deps.connections.close();
			await deps.connections.reopen();
			return {name: await read()};
		} catch (again) {
			return {unknown: `the applied migrations could not be read (${messageOf(first)}), nor on a new connection (${messageOf(again)})`};
		}
	}
}

const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error);
