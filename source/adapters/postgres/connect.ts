import pg from 'pg';
import {BackupError, TargetError} from '../../errors/index.js';
import type {PostgresTarget} from './postgres-target.js';
import {scrub} from './scrub.js';

/** A connection cutover opened: the client plus how to describe the target in messages. */
export async function connectPostgres(target: PostgresTarget, settings: Omit<pg.ClientConfig, 'connectionString' | 'password'> = {}): Promise<pg.Client> {
	const client = new pg.Client({
		application_name: 'cutover',
		// A host that drops packets must not hang the console forever.
		connectionTimeoutMillis: 15_000,
		...settings,
		connectionString: target.connectionString,
	});
	// Set after construction: pg lets the URL's empty password win over a `password` option.
	// Left alone when undefined, so pg falls back to PGPASSWORD and ~/.pgpass by itself.
	if (target.password !== undefined) {
		client.password = target.password;
	}

	// An idle client whose server goes away emits 'error'; without a listener that kills the process.
	client.on('error', () => {});
	try {
		await client.connect();
	} catch (error) {
		await client.end().catch(() => {});
		throw connectionError(target, error);
	}

	return client;
}

export function connectionError(target: PostgresTarget, error: unknown): TargetError {
	const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
	const reason = scrub(error instanceof Error ? error.message : String(error), target.password);
	return new TargetError(`cannot connect to PostgreSQL at ${target.display}: ${reason}`, {
		target: target.display,
		hint: hintFor(code, reason, databaseName(target)),
		cause: error,
	});
}

function hintFor(code: string, reason: string, database: string): string {
	switch (code) {
		case 'ECONNREFUSED':
		case 'ENOENT': {
			return 'is the server running and listening there? Check the host and port (pg_isready -h HOST -p PORT)';
		}

		case 'ENOTFOUND':
		case 'EAI_AGAIN': {
			return 'the host name does not resolve: check the host in the URL';
		}

		case 'ETIMEDOUT':
		case 'EHOSTUNREACH': {
			return 'the host does not answer: check the network, a firewall or the port';
		}

		case '3D000': {
			return `there is no database "${database}" on that server: check the database name in the URL (psql -l lists them)`;
		}

		case '28P01':
		case '28000': {
			return 'the server refused the login: check the user, and the password (PGPASSWORD or ~/.pgpass) or pg_hba.conf';
		}

		case '53300': {
			return 'the server has no free connection slots: close idle sessions or wait';
		}

		default: {
			if (/password must be a string|password authentication/i.test(reason)) {
				return 'the server asks for a password: put it in the URL, in PGPASSWORD or in ~/.pgpass';
			}

			if (/timeout/i.test(reason)) {
				return 'the server did not answer in time: check the host, port and network';
			}

			return 'check the URL (user, host, port, database) and that the server accepts connections from here';
		}
	}
}

export function databaseName(target: PostgresTarget): string {
	try {
		const name = decodeURIComponent(new URL(target.connectionString).pathname.replace(/^\//, ''));
		return name === '' ? '(default database)' : name;
	} catch {
		return '(unknown database)';
	}
}

/** For the backup tool, whose failures are BackupErrors: the same message and hint, about the file at hand. */
export async function connectForBackup(target: PostgresTarget, file: string): Promise<pg.Client> {
	try {
		return await connectPostgres(target);
	} catch (error) {
		const failure = error instanceof TargetError ? error : connectionError(target, error);
		throw new BackupError(failure.message, {path: file, hint: failure.hint, cause: error});
	}
}
