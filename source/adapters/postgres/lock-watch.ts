import type pg from 'pg';
import {connectForBackup} from './connect.js';
import type {PostgresTarget} from './postgres-target.js';

export type LockHolder = {pid: number; user: string; application: string; state: string; query: string};

export type LockWatch = {
	/** Stops watching; the sessions that blocked the watched one, when it had to be cancelled. */
	stop(): Promise<LockHolder[] | undefined>;
};

const blockedSql = `SELECT w.pid, b.pid, coalesce(b.usename, ''), coalesce(b.application_name, ''), coalesce(b.state, ''), left(coalesce(b.query, ''), 120)
	FROM pg_stat_activity w
	CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker (pid)
	JOIN pg_stat_activity b ON b.pid = blocker.pid
	WHERE w.application_name = $1 AND w.wait_event_type = 'Lock'`;

/**
 * Cancels the session named `applicationName` once it has waited longer than `timeoutMs` for a
 * lock. pg_restore cannot be given a lock_timeout: every archive starts with SET lock_timeout = 0.
 */
export async function watchLocks(target: PostgresTarget, file: string, applicationName: string, timeoutMs: number): Promise<LockWatch> {
	const client = await connectForBackup(target, file);
	let blockedSince: number | undefined;
	let holders: LockHolder[] | undefined;
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let inFlight: Promise<void> = Promise.resolve();

	const poll = async () => {
		const result = await client.query<[number, number, string, string, string, string]>({text: blockedSql, values: [applicationName], rowMode: 'array'});
		if (result.rows.length === 0) {
			blockedSince = undefined;
			return;
		}

		blockedSince ??= Date.now();
		if (Date.now() - blockedSince >= timeoutMs && holders === undefined) {
			holders = result.rows.map(([, pid, user, application, state, query]) => ({pid, user, application, state, query}));
			await cancel(client, [...new Set(result.rows.map(([waiting]) => waiting))]);
		}
	};

	const schedule = () => {
		timer = setTimeout(() => {
			inFlight = poll().catch(() => {}).finally(() => {
				if (!stopped) {
					schedule();
				}
			});
		}, Math.min(250, Math.max(50, timeoutMs / 4)));
	};

	schedule();
	return {
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await inFlight;
			await client.end().catch(() => {});
			return holders;
		},
	};
}

async function cancel(client: pg.Client, pids: number[]): Promise<void> {
	for (const pid of pids) {
		// eslint-disable-next-line no-await-in-loop -- usually one session
		await client.query('SELECT pg_cancel_backend($1)', [pid]);
	}
}

export function describeHolders(holders: LockHolder[]): string {
	return holders.map(holder => `pid ${holder.pid} (${[holder.user, holder.application, holder.state].filter(Boolean).join(', ')}${holder.query === '' ? '' : `: ${holder.query.replaceAll(/\s+/g, ' ')}`})`).join('; ');
}
