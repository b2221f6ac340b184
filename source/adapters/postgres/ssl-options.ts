import {readFileSync} from 'node:fs';
import type {ConnectionOptions} from 'node:tls';
import {TargetError} from '../../errors/index.js';
import {isSocketDirectory, type PostgresConnection} from './connection-params.js';

/** One way to try the connection; when it fails as `retryWhen` says, the next is tried. */
export type SslAttempt = {ssl: false | ConnectionOptions; retryWhen?: (error: unknown) => boolean};

/**
 * libpq's sslmode, spelled for node-postgres (whose own sslmode parsing means something else):
 * disable and allow start plain, prefer and require encrypt, verify-ca checks the chain,
 * verify-full the chain and the host name. As in libpq, an existing root certificate file makes
 * every encrypted mode check the chain; allow and prefer fall back as libpq does.
 */
export function sslAttempts(connection: PostgresConnection, readFile: (file: string) => Buffer = file => readFileSync(file)): SslAttempt[] {
	// libpq never negotiates SSL over a Unix socket, whatever sslmode says.
	if (isSocketDirectory(connection.host) || connection.sslmode === 'disable') {
		return [{ssl: false}];
	}

	const verifies = connection.sslmode === 'verify-ca' || connection.sslmode === 'verify-full';
	const ca = readOptional(connection.sslrootcert, readFile, verifies);
	const client = {
		...(connection.sslcert === undefined ? {} : {cert: readRequired(connection.sslcert, 'client certificate', readFile)}),
		...(connection.sslkey === undefined || connection.sslcert === undefined ? {} : {key: readRequired(connection.sslkey, 'client key', readFile)}),
	};
	const encrypted: ConnectionOptions = ca === undefined
		? {...client, rejectUnauthorized: false}
		: {...client, ca, rejectUnauthorized: true, ...(connection.sslmode === 'verify-full' ? {} : {checkServerIdentity: () => undefined})};
	switch (connection.sslmode) {
		case 'allow': {
			return [{ssl: false, retryWhen: refusedByServer}, {ssl: encrypted}];
		}

		case 'prefer': {
			return [{ssl: encrypted, retryWhen: error => noSslSupport(error) || refusedByServer(error)}, {ssl: false}];
		}

		default: {
			return [{ssl: encrypted}];
		}
	}
}

/** node-postgres's words when the server answers the SSL request with "N". */
export function noSslSupport(error: unknown): boolean {
	return error instanceof Error && /does not support SSL/i.test(error.message);
}

/** The server turned the login down (pg_hba.conf has no line for this kind of connection). */
function refusedByServer(error: unknown): boolean {
	return typeof error === 'object' && error !== null && 'code' in error && error.code === '28000';
}

function readOptional(file: string, readFile: (file: string) => Buffer, required: boolean): Buffer | undefined {
	try {
		return readFile(file);
	} catch (error) {
		if (!required && (error as {code?: unknown}).code === 'ENOENT') {
			return undefined;
		}

		throw new TargetError(`root certificate file ${file} cannot be read (${(error as Error).message}); sslmode verify-ca and verify-full need it`, {
			target: file,
			hint: 'give the CA that signed the server\'s certificate with sslrootcert=… (or PGSSLROOTCERT, or put it at ~/.postgresql/root.crt), or use sslmode=require to encrypt without checking the server',
			cause: error,
		});
	}
}

function readRequired(file: string, what: string, readFile: (file: string) => Buffer): Buffer {
	try {
		return readFile(file);
	} catch (error) {
		throw new TargetError(`${what} file ${file} cannot be read (${(error as Error).message})`, {
			target: file,
			hint: `check sslcert/sslkey (or PGSSLCERT/PGSSLKEY) name a readable ${what}`,
			cause: error,
		});
	}
}
