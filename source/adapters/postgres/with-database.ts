import type {PostgresTarget} from './postgres-target.js';
import {describeConnection} from './resolve-connection.js';

/**
 * The same server, user and settings, another database: the maintenance database a restore
 * creates and renames databases from, or the fresh database it restores into. Everything else
 * stays as resolved, the password included (the same role logs in), so the connection and
 * pg_restore agree.
 */
export function withDatabase(target: PostgresTarget, database: string): PostgresTarget {
	const connection = {...target.connection, dbname: database};
	return {...target, connection, display: describeConnection(connection)};
}
