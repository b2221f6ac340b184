import type {Client, ClientConfig} from 'pg';
import pg from './pg-driver.js';
import {BackupError, TargetError} from '../../errors/index.js';
import type {PostgresConnection} from './connection-params.js';
import type {PostgresTarget} from './postgres-target.js';
import {scrub} from './scrub.js';
import {sslAttempts} from './ssl-options.js';

/** What a caller may tune; where to connect and how to log in come from the resolved target only. */
export type ConnectSettings = Omit<ClientConfig, 'connectionString' | 'host' | 'port' | 'user' | 'database' | 'password' | 'ssl' | 'options'>;

const noPassword = 'CUTOVER_NO_PASSWORD';

/** The attempt that worked last, per connection: prefer need not ask a server without SSL again at every connect. */
const lastWorked = new WeakMap<PostgresConnection, number>();

/**
 * The one way cutover opens a PostgreSQL session: exactly the resolved parameters, sslmode as
 * libpq means it (falling back as prefer and allow do), never the driver's own env lookups.
 */
export async function connectPostgres(target: PostgresTarget, settings: ConnectSettings = {}): Promise<Client> {
	const attempts = sslAttempts(target.connection);
	const known = lastWorked.get(target.connection);
	if (known !== undefined && known > 0 && known < attempts.length) {
		try {
			return await open(target, attempts[known]!.ssl, settings);
		} catch (error) {
			// The server changed its mind (pg_hba now wants the other kind): start over from the first attempt.
			if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === '28000')) {
				throw connectionError(target, error);
			}
		}
	}

	for (const [index, attempt] of attempts.entries()) {
		try {
			// eslint-disable-next-line no-await-in-loop -- attempts are tried one after the other
			const client = await open(target, attempt.ssl, settings);
			lastWorked.set(target.connection, index);
			return client;
		} catch (error) {
			if (index === attempts.length - 1 || attempt.retryWhen?.(error) !== true) {
				throw connectionError(target, error);
			}
		}
	}

	throw new Error('unreachable: no connection attempt');
}

async function open(target: PostgresTarget, ssl: ClientConfig['ssl'], settings: ConnectSettings): Promise<Client> {
	const client = new pg.Client(clientConfig(target.connection, ssl, settings));
	// An idle client whose server goes away emits 'error'; without a listener that kills the process.
	client.on('error', () => {});
	try {
		await client.connect();
		return client;
	} catch (error) {
		await client.end().catch(() => {});
		throw error;
	}
}

function clientConfig(connection: PostgresConnection, ssl: ClientConfig['ssl'], settings: ConnectSettings): ClientConfig {
	const timeout = connection.connectTimeoutSeconds;
	return {
		// A host that drops packets must not hang the console forever.
		connectionTimeoutMillis: timeout === undefined || timeout <= 0 ? 15_000 : Math.max(2, timeout) * 1000,
		...settings,
		// The caller's name identifies cutover's own sessions (restore, watch); else the operator's, else ours.
		application_name: settings.application_name ?? connection.applicationName ?? 'cutover',
		host: connection.host,
		port: connection.port,
		user: connection.user,
		database: connection.dbname,
		// Asked only when the server wants one; a function, so the driver never looks in PGPASSWORD or ~/.pgpass itself.
		async password() {
			if (connection.password === undefined) {
				throw Object.assign(new Error('the server asks for a password, and none was given (fe_sendauth: no password supplied)'), {code: noPassword});
			}

			return connection.password;
		},
		ssl,
		...(connection.options === undefined ? {} : {options: connection.options}),
	};
}

export function connectionError(target: PostgresTarget, error: unknown): TargetError {
	const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
	const message = error instanceof Error ? error.message : String(error);
	const reason = scrub(message === '' ? (code === '' ? String(error) : code) : message, target.connection.password);
	return new TargetError(`cannot connect to PostgreSQL at ${target.display}: ${reason}`, {
		target: target.display,
		hint: hintFor(code, reason, target.connection),
		cause: error,
	});
}

function hintFor(code: string, reason: string, connection: PostgresConnection): string {
	switch (code) {
		case 'ECONNREFUSED':
		case 'ENOENT': {
			return `is the server running and listening there? Check the host and port (pg_isready -h ${connection.host} -p ${connection.port})`;
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return `the host name ${connection.host} does not resolve: check the host in the URL (or PGHOST, or the service file)`;
		}

		case 'ETIMEDOUT':
		case 'EHOSTUNREACH':
		case 'ENETUNREACH': {
			return 'the host does not answer: check the network, a firewall or the port';
		}

		case '3D000': {
			return `there is no database "${connection.dbname}" on that server: check the database name in the URL (psql -l lists them)`;
		}

		case '28P01': {
			return `the server refused the password for user "${connection.user}"${connection.passwordSource === undefined ? '' : ` (it came from ${connection.passwordSource})`}: correct it there`;
		}

		case '28000': {
			return 'the server refused the login: pg_hba.conf has no line for this host, user, database and encryption; check the user and sslmode, or ask the server\'s administrator';
		}

		case noPassword: {
			return 'give the password in PGPASSWORD, in a password file (~/.pgpass or PGPASSFILE, mode 0600), in the service file or in the URL';
		}

		case '53300': {
			return 'the server has no free connection slots: close idle sessions or wait';
		}

		case 'ERR_TLS_CERT_ALTNAME_INVALID': {
			return `sslmode=verify-full: the server's certificate is not for "${connection.host}"; connect by the name in its certificate, or use sslmode=verify-ca to check the chain only`;
		}

		case 'DEPTH_ZERO_SELF_SIGNED_CERT':
		case 'SELF_SIGNED_CERT_IN_CHAIN':
		case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
		case 'UNABLE_TO_GET_ISSUER_CERT':
		case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
		case 'CERT_UNTRUSTED': {
			return `the server's certificate is not signed by the root certificate in ${connection.sslrootcert}: give the right CA with sslrootcert=… (or PGSSLROOTCERT)`;
		}

		case 'CERT_HAS_EXPIRED': {
			return 'the server\'s certificate has expired: renew it on the server';
		}

		default: {
			if (/does not support SSL/i.test(reason)) {
				return `sslmode=${connection.sslmode} needs SSL and the server has it off: turn ssl on in the server, or use sslmode=prefer`;
			}

			if (/timeout/i.test(reason)) {
				return 'the server did not answer in time: check the host, port and network';
			}

			return 'check the URL (user, host, port, database) and that the server accepts connections from here';
		}
	}
}

/** For the backup tool, whose failures are BackupErrors: the same message and hint, about the file at hand. */
export async function connectForBackup(target: PostgresTarget, file: string, settings: Omit<ClientConfig, 'connectionString' | 'password'> = {}): Promise<Client> {
	try {
		return await connectPostgres(target, settings);
	} catch (error) {
		const failure = error instanceof TargetError ? error : connectionError(target, error);
		throw new BackupError(failure.message, {path: file, hint: failure.hint, cause: error});
	}
}
