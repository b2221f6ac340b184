import type {RunLockHolder} from '../ports/run-lock.js';
import {CutoverError} from './cutover-error.js';

/** Another run holds the target's run lock; this one must not start. */
export class RunLockedError extends CutoverError {
	override name = 'RunLockedError';
	readonly target: string;
	readonly holder: RunLockHolder;

	constructor(target: string, holder: RunLockHolder, options: {hint: string; cause?: unknown}) {
		super(`${target} is locked by another run: ${describeHolder(holder)}`, options);
		this.target = target;
		this.holder = holder;
	}
}

/** "run 3f2a… of ana (ana@db1) on db1, pid 4242, since 2025-05-01T10:00:00.000Z" */
export function describeHolder(holder: RunLockHolder): string {
	const since = new Date(holder.since).toISOString();
	if (holder.described === false) {
		return `a run that has not confirmed its window yet, run id ${holder.runId} (database user ${holder.operator}, database session ${holder.pid} from ${holder.host}, since ${since})`;
	}

	return `run ${holder.runId} of ${holder.operator} on ${holder.host}, pid ${holder.pid}, since ${since}`;
}
