import type pg from 'pg';
import type {RunLockHolder} from '../../ports/run-lock.js';
import {lockKeySql, RUN_LOCK_TABLE} from './postgres-lock-key.js';

// A one-key advisory lock shows in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
const holderSessionSql = `SELECT l.pid AS backend_pid, coalesce(a.application_name, '') AS application, coalesce(a.usename, '') AS usename,
		coalesce(host(a.client_addr), a.client_hostname, 'local socket') AS client, floor(extract(epoch FROM a.backend_start) * 1000) AS started
	FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
	WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND ((l.classid::bigint << 32) | l.objid::bigint) = ${lockKeySql}`;

/** Who holds the run lock now, read without touching it: trying it to see would make a starting run fail. */
export async function inspectHolder(client: pg.Client): Promise<RunLockHolder | null> {
	const session = (await client.query(holderSessionSql)).rows[0] as Record<string, unknown> | undefined;
	if (session === undefined) {
		return null;
	}

	const backendPid = Number(session['backend_pid']);
	const table = await client.query(`SELECT to_regclass('${RUN_LOCK_TABLE}') IS NOT NULL AS present`);
	if (table.rows[0]?.present === true) {
		const row = (await client.query(`SELECT run_id, operator, host, pid, since FROM ${RUN_LOCK_TABLE} WHERE backend_pid = $1`, [backendPid])).rows[0] as Record<string, unknown> | undefined;
		if (row !== undefined) {
			return holderFromRow(row);
		}
	}

	// Held, but not described yet: a run writes nothing to the target before its window is confirmed.
	// Its session's application name carries the run id, and the server knows the session.
	const application = String(session['application']);
	return {
		runId: application.startsWith('cutover run ') ? application.slice('cutover run '.length) : 'unknown',
		operator: String(session['usename']) || 'unknown',
		host: String(session['client']),
		pid: backendPid,
		since: Number(session['started'] ?? Date.now()),
		described: false,
	};
}

export function holderFromRow(row: Record<string, unknown>): RunLockHolder {
	return {
		runId: String(row['run_id']),
		operator: String(row['operator']),
		host: String(row['host']),
		pid: Number(row['pid']),
		since: Number(row['since']),
	};
}
