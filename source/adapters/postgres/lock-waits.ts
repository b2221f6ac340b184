import type pg from 'pg';
import type {Blocker} from '../migrator/session.js';
import {describeBlockers} from '../migrator/postgres-blockers.js';
import {pollWhileWaiting} from './poll-while-waiting.js';

/** How long cutover's own statements (row counts, pg_dump's LOCK TABLE) wait for a lock before giving up. */
export const DEFAULT_LOCK_WAIT_MS = 5000;

/** What a session of ours was waiting for, seen during the wait: after the timeout pg_blocking_pids has nothing to say. */
export type LockWait = {relation: string | null; blockers: Blocker[]};

export type LockWaitWatch = {stop(): Promise<LockWait | null>};

const waitSql = `SELECT w.pid,
		(SELECT l.relation::regclass::text FROM pg_locks l WHERE l.pid = w.pid AND NOT l.granted AND l.relation IS NOT NULL LIMIT 1),
		b.pid, coalesce(b.usename, ''), coalesce(b.application_name, ''), coalesce(b.state, ''), left(coalesce(b.query, ''), 200)
	FROM pg_stat_activity w
	CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker (pid)
	JOIN pg_stat_activity b ON b.pid = blocker.pid
	WHERE w.application_name = $1 AND w.wait_event_type = 'Lock'
	ORDER BY b.pid`;

type WaitRow = [number, string | null, number, string, string, string, string];

/**
 * Notes, from a connection of its own, whom the sessions named `applicationName` wait for.
 * Looking never fails the work it watches: without a connection the blockers stay unnamed.
 */
export async function watchLockWaits(connect: () => Promise<pg.Client>, applicationName: string, intervalMs = 200): Promise<LockWaitWatch> {
	const client = await connect().catch(() => null);
	if (client === null) {
		return {stop: async () => null};
	}

	let latest: LockWait | null = null;
	const polling = pollWhileWaiting(async () => {
		const result = await client.query<WaitRow>({text: waitSql, values: [applicationName], rowMode: 'array'});
		const first = result.rows[0];
		if (first !== undefined) {
			latest = {
				relation: first[1],
				blockers: result.rows.map(([, , pid, user, application, state, query]) => ({pid, user, application, state, query})),
			};
		}
	}, intervalMs);
	let stopping: Promise<LockWait | null> | undefined;
	return {
		// Idempotent: an error path reads the result early, the finally stops it again.
		async stop() {
			stopping ??= polling.stop().then(async () => {
				await client.end().catch(() => undefined);
				return latest;
			});
			return stopping;
		},
	};
}

/** "pid 1234 (postgres, psql, idle in transaction: LOCK TABLE …) holds or waits for a lock on table public.t" */
export function describeLockWait(wait: LockWait | null, fallbackRelation: string | null): string {
	const relation = wait?.relation ?? fallbackRelation;
	const on = relation === null ? 'a table' : `table ${relation}`;
	if (wait === null || wait.blockers.length === 0) {
		return `another session holds or waits for a lock on ${on}`;
	}

	const verb = wait.blockers.length === 1 ? 'holds or waits for' : 'hold or wait for';
	return `${describeBlockers(wait.blockers)} ${verb} a lock on ${on}`;
}

/** PostgreSQL gave up waiting: lock_timeout (55P03), or a statement_timeout spent waiting for a lock (pg_dump's --lock-wait-timeout). */
export function isLockTimeout(error: unknown): boolean {
	return typeof error === 'object' && error !== null && 'code' in error && error.code === '55P03';
}

export function seconds(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
