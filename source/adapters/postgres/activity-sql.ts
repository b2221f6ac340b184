// The watch's reads. One refresh is one prepared statement (planned once per connection, so
// each refresh pays execution only): the sessions worth listing, then one summary row with
// what the header needs. One statement is one snapshot of pg_stat_activity, so the header's
// counts and the list agree.

/** Client sessions and the workers that act for them; our own session is left out (PostgreSQL 13 or later: leader_pid). */
const sessionFilter = (a: string) => `${a}.pid <> pg_backend_pid()
	-- A role without pg_monitor sees no backend_type for others' sessions: those with a database are kept, shown as hidden.
	AND (${a}.backend_type IN ('client backend', 'parallel worker', 'autovacuum worker', 'background worker') OR (${a}.backend_type IS NULL AND ${a}.datname IS NOT NULL))`;

/**
 * The 17 columns of one session row (read by toActivityRow), over a relation `s` with
 * pg_stat_activity's columns. Ages are computed by the server in ms, so the client clock never
 * skews them; date_part stays in float8 where extract() would go through numeric.
 */
const rowColumns = (blockedBy: string) => `s.pid,
	s.leader_pid,
	s.datname,
	s.usename,
	s.application_name,
	host(s.client_addr),
	s.backend_type,
	s.state,
	s.wait_event_type,
	s.wait_event,
	s.query,
	NOT (s.state IS NULL AND s.query = '<insufficient privilege>'),
	round(date_part('epoch', now() - s.backend_start) * 1000),
	round(date_part('epoch', now() - s.xact_start) * 1000),
	round(date_part('epoch', now() - s.query_start) * 1000),
	round(date_part('epoch', now() - s.state_change) * 1000),
	${blockedBy}`;

/**
 * Every session, one row each. pg_blocking_pids() takes the lock manager's partition locks, so
 * it is called only for sessions actually waiting on a lock, not for every idle connection.
 */
export const activitySql = `SELECT ${rowColumns(`CASE WHEN s.wait_event_type = 'Lock' THEN pg_blocking_pids(s.pid) END`)}
FROM pg_stat_activity s
WHERE ${sessionFilter('s')}`;

/** Name of the refresh statement on the watch's connection. */
export const REFRESH_STATEMENT = 'cutover_watch_refresh';

/**
 * One refresh. Sessions idle outside a transaction are most of a busy server's connections and
 * none of them is shown, so they are counted, not sent — except those some waiter is blocked by
 * (a session-level advisory lock is held by an idle session). The last row has a NULL pid and
 * carries, from column 18 on (read by toRefreshSummary): the idle client sessions left out,
 * the cumulative counters of pg_stat_database, recovery, replicas and their lag on a primary,
 * and the prepared transactions. pg_stat_get_wal_senders() is read directly: the
 * pg_stat_replication view would read pg_stat_activity once more for each use.
 */
export const refreshSql = `WITH sessions AS (
	SELECT a.pid, a.leader_pid, a.datname, a.usename, a.application_name, a.client_addr, a.backend_type, a.state,
		a.wait_event_type, a.wait_event, a.query, a.backend_start, a.xact_start, a.query_start, a.state_change,
		CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by
	FROM pg_stat_activity a
	WHERE ${sessionFilter('a')}
), blockers AS (
	SELECT DISTINCT unnest(blocked_by) AS pid FROM sessions WHERE blocked_by IS NOT NULL
), wal AS (
	SELECT count(*)::int AS replicas,
		CASE WHEN NOT pg_is_in_recovery() THEN max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::float8 END AS lag_bytes,
		round(date_part('epoch', max(replay_lag)) * 1000) AS lag_ms
	FROM pg_stat_get_wal_senders()
)
SELECT ${rowColumns('s.blocked_by')},
	NULL::int, NULL::float8, NULL::float8, NULL::float8, NULL::bool, NULL::int, NULL::float8, NULL::float8, NULL::int
FROM sessions s
WHERE s.state IS DISTINCT FROM 'idle' OR s.pid IN (SELECT pid FROM blockers)
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	(SELECT count(*)::int FROM sessions s WHERE s.state = 'idle' AND s.backend_type = 'client backend' AND s.pid NOT IN (SELECT pid FROM blockers)),
	sum(d.blks_hit)::float8,
	sum(d.blks_read)::float8,
	sum(d.xact_commit + d.xact_rollback)::float8,
	pg_is_in_recovery(),
	(SELECT replicas FROM wal),
	(SELECT lag_bytes FROM wal),
	(SELECT lag_ms FROM wal),
	(SELECT count(*)::int FROM pg_prepared_xacts)
FROM pg_stat_database d`;

/**
 * What does not change while a connection lives (max_connections and the reserved slots need a
 * restart, which ends the connection): read once per connection, not on every refresh.
 */
export const serverSql = `SELECT current_setting('max_connections')::int,
	current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0),
	current_setting('server_version'),
	pg_backend_pid()`;

export const databaseSizeSql = 'SELECT pg_database_size(current_database())::float8';
