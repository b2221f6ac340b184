import type {PostgresConnection} from './connection-params.js';

/**
 * The conninfo pg_dump and pg_restore get as --dbname: the resolved parameters, spelled out, so
 * nothing in their environment can send them elsewhere. Never the password (argv shows in ps).
 */
export function toolConninfo(connection: PostgresConnection, applicationName: string | undefined): string {
	const timeout = connection.connectTimeoutSeconds;
	const entries: Array<[string, string | undefined]> = [
		['host', connection.host],
		['port', String(connection.port)],
		['user', connection.user],
		['dbname', connection.dbname],
		['sslmode', connection.sslmode],
		['sslrootcert', connection.sslrootcert],
		['sslcert', connection.sslcert],
		['sslkey', connection.sslkey],
		// The lookup pg_dump does when no password is given must read the file ours read.
		['passfile', connection.passfile],
		['application_name', applicationName ?? connection.applicationName ?? 'cutover'],
		['connect_timeout', String(timeout === undefined || timeout <= 0 ? 15 : timeout)],
		['options', connection.options],
		// cutover's own sessions speak no GSSAPI; pg_dump must reach the server the same way.
		['gssencmode', 'disable'],
	];
	return entries.filter((entry): entry is [string, string] => entry[1] !== undefined).map(([key, value]) => `${key}=${quote(value)}`).join(' ');
}

function quote(value: string): string {
	return `'${value.replaceAll('\\', '\\\\').replaceAll('\'', '\\\'')}'`;
}

/**
 * The tools' environment: ours without any PG* variable (PGSERVICE, PGHOST, PGDATABASE… would
 * fill in or override what the conninfo leaves to defaults), plus the password, when there is one,
 * in PGPASSWORD, the one place libpq takes it from that ps does not show.
 */
export function toolEnvironment(connection: PostgresConnection, base: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(base)) {
		if (value !== undefined && !name.startsWith('PG')) {
			env[name] = value;
		}
	}

	if (connection.password !== undefined) {
		env['PGPASSWORD'] = connection.password;
	}

	return env;
}
