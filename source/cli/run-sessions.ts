import type {RunLockHandle} from '../ports/run-lock.js';
import type {Connections} from '../run/run-deps.js';

/**
 * Every session a run keeps on the target, closed together for a restore and opened again
 * after it: a PostgreSQL restore renames the database, and no session may be connected to a
 * database being renamed — ours least of all. The run lock steps aside and is taken again on
 * the restored database.
 */
export function withRunSessions(connections: Connections, others: {runLock: RunLockHandle; idle: Array<{close(): Promise<void>}>}): Connections {
	return {
		get database() {
			return connections.database;
		},
		get migrator() {
			return connections.migrator;
		},
		async close() {
			await connections.close();
			await Promise.allSettled(others.idle.map(async other => other.close()));
			await others.runLock.stepAside();
		},
		async reopen() {
			await others.runLock.retake();
			await connections.reopen();
		},
	};
}
