import type pg from 'pg';
import {pollWhileWaiting} from '../postgres/poll-while-waiting.js';
import type {Blocker, BlockerWatch} from './session.js';

const blockersSql = `SELECT b.pid, coalesce(b.usename, ''), coalesce(b.application_name, ''), coalesce(b.state, ''), left(coalesce(b.query, ''), 200)
	FROM pg_stat_activity b
	WHERE b.pid = ANY (pg_blocking_pids($1))
	ORDER BY b.pid`;

/**
 * Looks at who blocks the migrator's backend from a second connection. Once lock_timeout fires
 * the wait is over and pg_blocking_pids has nothing to say, so the looking happens during the
 * wait. Opened on first use; a failure to look never fails the migration, it only leaves the
 * holders unnamed.
 */
export function blockerObserver(connect: () => Promise<pg.Client>, backendPid: () => Promise<number>) {
	let client: Promise<pg.Client | null> | undefined;
	const observer = () => {
		client ??= connect().catch(() => null);
		return client;
	};

	return {
		async watch(intervalMs: number): Promise<BlockerWatch> {
			const [connection, pid] = await Promise.all([observer(), backendPid()]);
			if (connection === null) {
				return {stop: async () => []};
			}

			let latest: Blocker[] = [];
			const polling = pollWhileWaiting(async () => {
				const result = await connection.query<[number, string, string, string, string]>({text: blockersSql, values: [pid], rowMode: 'array'});
				if (result.rows.length > 0) {
					latest = result.rows.map(([pid, user, application, state, query]) => ({pid, user, application, state, query}));
				}
			}, intervalMs);
			return {
				async stop() {
					await polling.stop();
					return latest;
				},
			};
		},
		async close() {
			const connection = await client;
			await connection?.end().catch(() => undefined);
		},
	};
}

/** pid 4242 (app, reporting job, idle in transaction: SELECT …) */
export function describeBlockers(blockers: readonly Blocker[]): string {
	return blockers.map(b => `pid ${b.pid} (${[b.user, b.application, b.state].filter(Boolean).join(', ')}${b.query === '' ? '' : `: ${b.query.replaceAll(/\s+/g, ' ').trim()}`})`).join('; ');
}
