import type pg from 'pg';

export type OtherSession = {pid: number; user: string; application: string; client: string; state: string; query: string};

// Autovacuum workers are left out: the rename ends them itself.
const sessionsSql = `SELECT pid, coalesce(usename, ''), coalesce(application_name, ''), coalesce(client_addr::text, 'local'), coalesce(state, backend_type, ''), left(coalesce(query, ''), 80)
	FROM pg_catalog.pg_stat_activity
	WHERE datid = $1 AND pid <> pg_catalog.pg_backend_pid() AND backend_type IS DISTINCT FROM 'autovacuum worker'
	ORDER BY pid`;

/** Sessions connected to the database `oid`, seen from a connection to another database. */
export async function otherSessions(client: pg.Client, oid: number): Promise<OtherSession[]> {
	const result = await client.query<[number, string, string, string, string, string]>({text: sessionsSql, values: [oid], rowMode: 'array'});
	return result.rows.map(([pid, user, application, address, state, query]) => ({pid, user, application, client: address, state, query}));
}

/** Waits up to `timeoutMs` for the other sessions to leave (a pool shutting down takes a moment); returns those still there. */
export async function waitForOtherSessions(client: pg.Client, oid: number, timeoutMs: number, stop: () => boolean = () => false): Promise<OtherSession[]> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		// eslint-disable-next-line no-await-in-loop -- polling
		const sessions = await otherSessions(client, oid);
		// `stop`: the wait no longer matters (the restore already cannot go on), the sessions as they are now.
		if (sessions.length === 0 || Date.now() >= until || stop()) {
			return sessions;
		}

		// eslint-disable-next-line no-await-in-loop -- polling
		await new Promise(resolve => {
			setTimeout(resolve, 250);
		});
	}
}

export function describeSessions(sessions: OtherSession[]): string {
	return sessions.map(s => `pid ${s.pid} (${[s.user, s.application, s.client].filter(Boolean).join(', ')}; ${s.state}${s.query === '' ? '' : `: ${s.query}`})`).join('; ');
}
