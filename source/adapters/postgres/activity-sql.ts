// The watch's reads. One refresh is one round trip of two statements (a simple-protocol
// batch): the server runs them in one short implicit transaction, so the counters and the
// session list come from the same statistics snapshot, and no transaction outlives the refresh.

/**
 * Sessions, our own excluded (PostgreSQL 13 or later: leader_pid). pg_blocking_pids() takes the lock manager's partition locks, so
 * it is called only for sessions actually waiting on a lock, not for every idle connection.
 * Ages are computed by the server in ms, so the client clock never skews them.
 */
export const activitySql = `SELECT a.pid,
	a.leader_pid,
	a.datname,
	a.usename,
	a.application_name,
	host(a.client_addr),
	a.backend_type,
	a.state,
	a.wait_event_type,
	a.wait_event,
	a.query,
	NOT (a.state IS NULL AND a.query = '<insufficient privilege>'),
	round(extract(epoch FROM now() - a.backend_start) * 1000)::float8,
	round(extract(epoch FROM now() - a.xact_start) * 1000)::float8,
	round(extract(epoch FROM now() - a.query_start) * 1000)::float8,
	round(extract(epoch FROM now() - a.state_change) * 1000)::float8,
	CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END
FROM pg_stat_activity a
WHERE a.pid <> pg_backend_pid()
	-- A role without pg_monitor sees no backend_type for others' sessions: those with a database are kept, shown as hidden.
	AND (a.backend_type IN ('client backend', 'parallel worker', 'autovacuum worker', 'background worker') OR (a.backend_type IS NULL AND a.datname IS NOT NULL))`;

/** Server-wide counters and settings for the header. Replication lag only means something on a primary. */
export const statsSql = `SELECT current_setting('max_connections')::int,
	current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0),
	sum(d.blks_hit)::float8,
	sum(d.blks_read)::float8,
	sum(d.xact_commit + d.xact_rollback)::float8,
	pg_is_in_recovery(),
	(SELECT count(*)::int FROM pg_stat_replication),
	CASE WHEN NOT pg_is_in_recovery() THEN (SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::float8 FROM pg_stat_replication) END,
	(SELECT round(extract(epoch FROM max(replay_lag)) * 1000)::float8 FROM pg_stat_replication),
	(SELECT count(*)::int FROM pg_prepared_xacts),
	current_setting('server_version'),
	pg_backend_pid()
FROM pg_stat_database d`;

export const refreshSql = `${activitySql};\n${statsSql}`;

export const databaseSizeSql = 'SELECT pg_database_size(current_database())::float8';
