import type {LockBlocker, LockSample, LockWaiter} from '../engine/model.js';
import type {ActivityRow} from './types.js';

/** Longest queries kept in a sample: the journal stores one per sample, so keep it small. */
const QUERY_CHARS = 200;

/**
 * The bounded lock picture of one moment for the journal: the `limit` longest waiters, each
 * with whom it waits for, and how many more there were.
 */
export function toLockSample(rows: readonly ActivityRow[], limit = 10): LockSample {
	const waiters = rows
		.filter(row => row.waitEventType === 'Lock' || row.blockedBy.length > 0)
		.map((row): LockWaiter => ({
			pid: row.pid,
			user: row.user,
			application: row.application,
			waitingMs: Math.max(0, Math.round(row.stateMs ?? row.queryMs ?? 0)),
			query: row.query === null ? null : oneLine(row.query, QUERY_CHARS),
			blockedBy: [...new Set(row.blockedBy)],
		}))
		.sort((a, b) => b.waitingMs - a.waitingMs || a.pid - b.pid);
	const listed = waiters.slice(0, limit);
	const waiting = new Set(listed.map(w => w.pid));
	const wanted = new Set(listed.flatMap(w => w.blockedBy).filter(pid => pid > 0 && !waiting.has(pid)));
	const blockers = rows
		.filter(row => wanted.has(row.pid))
		.map((row): LockBlocker => ({pid: row.pid, user: row.user, application: row.application, query: row.query === null ? null : oneLine(row.query, QUERY_CHARS)}))
		.sort((a, b) => a.pid - b.pid);
	return {waiters: listed, more: Math.max(0, waiters.length - limit), ...(blockers.length > 0 ? {blockers} : {})};
}

function oneLine(text: string, max: number): string {
	const flat = text.replaceAll(/\s+/g, ' ').trim();
	return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
