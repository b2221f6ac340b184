import type {ActivityRow} from './types.js';

export type SessionCounts = {
	/** Client sessions holding a connection slot, the watch's own included. */
	clients: number;
	active: number;
	idleInTransaction: number;
	waiting: number;
	/** Sessions whose details the role cannot see. */
	hidden: number;
	oldestXactMs: number | null;
	longestLockWaitMs: number | null;
};

/** Counts over the listed rows, plus the idle sessions the server counted without listing them. */
export function countSessions(rows: readonly ActivityRow[], idleSessions = 0): SessionCounts {
	let clients = 1 + idleSessions;
	let active = 0;
	let idleInTransaction = 0;
	let waiting = 0;
	let hidden = 0;
	let oldestXactMs: number | null = null;
	let longestLockWaitMs: number | null = null;
	for (const row of rows) {
		// A hidden session's type is unknown; most of them are clients, so they count against the slots.
		if (row.backendType === 'client backend' || row.backendType === 'unknown') {
			clients++;
		}

		if (!row.visible) {
			hidden++;
		}

		if (row.state === 'active') {
			active++;
		} else if (row.state?.startsWith('idle in transaction')) {
			idleInTransaction++;
		}

		if (row.waitEventType === 'Lock') {
			waiting++;
			// A waiting session changed state when it started to wait: state_change is when the wait began.
			const waited = row.stateMs ?? row.queryMs;
			if (waited !== null && (longestLockWaitMs === null || waited > longestLockWaitMs)) {
				longestLockWaitMs = waited;
			}
		}

		if (row.xactMs !== null && (oldestXactMs === null || row.xactMs > oldestXactMs)) {
			oldestXactMs = row.xactMs;
		}
	}

	return {clients, active, idleInTransaction, waiting, hidden, oldestXactMs, longestLockWaitMs};
}
