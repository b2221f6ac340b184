import type {RunOutcome} from '../engine/events.js';
import type {FlowResult} from './flow.js';
import {runCommand} from './hooks.js';
import type {RunDeps} from './run-deps.js';

/**
 * Maintenance off when it was turned on, then run.finished. When the journal has stopped
 * taking lines nothing more is done (it could not be recorded): the run is left unfinished.
 */
export async function finishRun(deps: RunDeps, outcome: RunOutcome): Promise<FlowResult> {
	const {session} = deps;
	if (session.fault !== null) {
		return 'interrupted';
	}

	if (maintenanceIsOn(deps) && deps.runbook.maintenance.off) {
		await runCommand(session, deps.runner, {id: 'maintenance-off', purpose: 'maintenance mode off', command: deps.runbook.maintenance.off});
	}

	const versionAfter = await currentVersion(deps);
	session.emit({type: 'run.finished', outcome, versionBefore: session.state.versionBefore, versionAfter});
	return outcome;
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

async function currentVersion(deps: RunDeps): Promise<string | null> {
	try {
		return (await deps.connections.migrator.plan()).applied.at(-1)?.name ?? null;
	} catch {
		return null;
	}
}
