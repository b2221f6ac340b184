/** libpq's sslmode values, in libpq's meanings (not node-postgres's). */
export const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof sslModes)[number];

/**
 * One PostgreSQL connection, fully resolved: every session cutover opens and every pg_dump or
 * pg_restore it runs gets exactly these values, so they all reach the same database.
 */
export type PostgresConnection = {
	/** A host name, an IP address, or a socket directory (starts with `/`). */
	host: string;
	port: number;
	user: string;
	dbname: string;
	/** Never printed, never on a command line: the driver gets it in memory, pg_dump through PGPASSWORD. */
	password: string | undefined;
	/** Where the password came from, for hints (a wrong password says which one to fix). */
	passwordSource: string | undefined;
	/** The pgpass file consulted (handed to pg_dump too, so a lookup there finds what ours found). */
	passfile: string;
	sslmode: SslMode;
	/** The root certificate file; used when it exists (then the chain is checked), required by verify-ca/verify-full. */
	sslrootcert: string;
	sslcert: string | undefined;
	sslkey: string | undefined;
	applicationName: string | undefined;
	connectTimeoutSeconds: number | undefined;
	/** Server options (`-c name=value …`), as libpq's `options`. */
	options: string | undefined;
	/** The service whose entries were used, if any. */
	service: string | undefined;
};

/** Whether the host is a socket directory: then no SSL (libpq never negotiates it over a socket). */
export function isSocketDirectory(host: string): boolean {
	return host.startsWith('/');
}
