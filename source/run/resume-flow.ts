import {lockTraceDue, lockTraceLeftOut} from '../engine/lock-trace-due.js';
import type {FlowOptions, FlowResult} from './flow.js';
import {continueFlow, startLockTrace} from './flow.js';
import type {Reconciliation} from './reconcile.js';
import type {RunDeps} from './run-deps.js';
import {failStoppedStatements} from './stopped-statements.js';

export type ResumeOptions = {
	reconciliation: Reconciliation;
	operator: {osUser: string; name: string};
	host: string;
	/** After an interrupted upgrade: continue it, or go to the rollback prompt. Otherwise only continue applies. */
	then: 'continue' | 'rollback';
	/** As a run's (PostgreSQL, not --no-trace): used when the run stopped before its upgrade with migrations no trace on the record covers. */
	traceLocks?: FlowOptions['traceLocks'];
};

/**
 * Continues an unfinished run on a session folded from its journal: the resume and what the
 * database really showed are journaled first, then the flow goes on from the next gate.
 */
export async function resumeFlow(deps: RunDeps, options: ResumeOptions): Promise<FlowResult> {
	const {session} = deps;
	session.emit({type: 'run.resumed', operator: options.operator, host: options.host, reconciliation: options.reconciliation.lines});
	for (const event of options.reconciliation.events) {
		session.emit(event);
	}

	if (session.state.lockLost !== null) {
		// Taking the lock for this resume went through the normal acquire: no other run holds the database.
		session.emit({type: 'run-lock.retaken', detail: 'the resumed run took the run lock again through the normal acquire; no other run holds it'});
	}

	const window = {startsAt: null, expectedMinutes: null};
	if (options.reconciliation.upgradeOpen && (options.then === 'rollback' || !backupUsable(deps))) {
		// The upgrade stays as far as it got; the operator decides at the prompt what to do about it.
		for (const event of failStoppedStatements(session.state)) {
			session.emit(event);
		}

		session.emit({type: 'upgrade.finished', ok: false});
		return continueFlow(deps, {window, rollbackNow: true});
	}

	const leftOut = options.traceLocks === undefined ? null : lockTraceLeftOut(session.state);
	if (leftOut !== null) {
		session.emit({type: 'lock-impact.failed', reason: leftOut});
	}

	const lockTrace = options.traceLocks !== undefined && lockTraceDue(session.state) ? startLockTrace(deps, options.traceLocks) : undefined;
	try {
		return await continueFlow(deps, {window, rollbackNow: false, ...(lockTrace === undefined ? {} : {lockTrace})});
	} finally {
		// Also when the run ends before its window (the preflight checked again fails): the copy is dropped first.
		await lockTrace?.settle(false);
	}
}

function backupUsable(deps: RunDeps): boolean {
	const state = deps.session.state;
	return Boolean(state.backup?.artifact && state.verification?.ok);
}
