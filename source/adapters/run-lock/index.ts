import type {RunLock} from '../../ports/run-lock.js';
import type {Target} from '../../target.js';
import {createPostgresRunLock} from './postgres-run-lock.js';
import {createSqliteRunLock} from './sqlite-run-lock.js';

export {RUN_LOCK_TABLE} from './postgres-run-lock.js';
export {lockFileFor} from './sqlite-run-lock.js';

/** One run at a time per database: an advisory lock on PostgreSQL, a lock file beside a SQLite database. */
export function createRunLock(target: Target): RunLock {
	return target.engine === 'postgres' ? createPostgresRunLock(target) : createSqliteRunLock(target);
}
