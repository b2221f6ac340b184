import type {RunLock} from '../../ports/run-lock.js';
import type {Target} from '../../target.js';
import {createSqliteRunLock} from './sqlite-run-lock.js';

export {RUN_LOCK_TABLE} from './postgres-lock-key.js';
export {lockFileFor} from './sqlite-run-lock.js';

/** One run at a time per database: an advisory lock on PostgreSQL, a lock file beside a SQLite database. */
export function createRunLock(target: Target): RunLock {
	if (target.engine === 'sqlite') {
		return createSqliteRunLock(target);
	}

	// Imported on first use, so a SQLite target never loads pg.
	let lock: Promise<RunLock> | undefined;
	const real = async () => lock ??= import('./postgres-run-lock.js').then(module => module.createPostgresRunLock(target));
	return {
		acquire: async holder => (await real()).acquire(holder),
		inspect: async () => (await real()).inspect(),
	};
}
