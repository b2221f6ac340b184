import type {PostgresTarget} from './postgres-target.js';

/**
 * The same server, user and settings, another database: the maintenance database a restore
 * creates and renames databases from, or the fresh database it restores into. The one place
 * that knows how a target names its database, so the connection and pg_restore agree.
 */
export function withDatabase(target: PostgresTarget, database: string): PostgresTarget {
	const url = new URL(target.connectionString);
	url.pathname = `/${encodeURIComponent(database)}`;
	// libpq lets ?dbname= name the database too, and it would win over the path.
	url.searchParams.delete('dbname');
	const connectionString = url.toString();
	return {...target, connectionString, display: connectionString};
}
