import path from 'node:path';
import type {Engine} from '../../engine/model.js';
import {MigrationError} from '../../errors/index.js';
import {describeBlockers} from './postgres-blockers.js';
import type {Blocker} from './session.js';
import {messageOf} from './session.js';

export type LockFailure = {
	name: string;
	direction: 'up' | 'down';
	file: string;
	engine: Engine;
	where: string;
	lockTimeoutMs: number;
	attempts: number;
	maxAttempts: number;
	/** The run was stopped while waiting to try again. */
	stopped: boolean;
	/** "at statement 2 of 3", or empty. */
	at: string;
	statement: string | null;
	blockers: readonly Blocker[];
	error: unknown;
};

const raise = 'raise the lock timeout (upgrade.lock-timeout in the checklist, or "-- cutover: lock-timeout=30s" above the first statement of the migration)';

/** The migration ran out of lock time on every attempt: say who held the lock, when that can be known, and what to do. */
export function lockFailure(f: LockFailure): MigrationError {
	const file = path.basename(f.file);
	const tries = `${f.attempts} attempt${f.attempts === 1 ? '' : 's'} of ${f.maxAttempts}`;
	const what = f.stopped
		? `${f.name} (${f.direction}) timed out waiting for a lock and was not tried again because the run is stopping (${tries})`
		: `${f.name} (${f.direction}) gave up waiting for a lock after ${tries} (lock timeout ${f.lockTimeoutMs} ms each)`;
	return new MigrationError(`${what}${f.at} in ${file}: ${messageOf(f.error)}; ${holders(f)}`, {
		migration: f.name,
		direction: f.direction,
		statement: f.statement,
		hint: `each attempt was rolled back, so the database is as it was before this ${f.direction === 'up' ? 'migration' : 'revert'}; ${advice(f)}, or ${raise}, then try again`,
		cause: f.error,
	});
}

function holders(f: LockFailure): string {
	if (f.engine === 'sqlite') {
		return 'another connection holds the database\'s write lock (SQLite does not say which)';
	}

	return f.blockers.length > 0
		? `the lock was held by ${describeBlockers(f.blockers)}`
		: 'the sessions holding it were not seen';
}

function advice(f: LockFailure): string {
	if (f.engine === 'sqlite') {
		return `find the process writing to ${f.where} (fuser or lsof), and let it finish or stop it`;
	}

	const pids = [...new Set(f.blockers.map(b => b.pid))];
	return pids.length > 0
		? `ask whoever runs ${pids.map(pid => `pid ${pid}`).join(', ')} to finish, or end ${pids.length === 1 ? 'it' : 'them'} (SELECT pg_terminate_backend(${pids[0]}))`
		: 'look for long transactions in pg_stat_activity and at pg_locks, and let them finish';
}
