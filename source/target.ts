import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import type {PostgresConnection} from './adapters/postgres/connection-params.js';
import {isPostgresUrl, redactUrl} from './adapters/postgres/conninfo-url.js';
import {describeConnection, resolveConnection, type ConnectionEnvironment} from './adapters/postgres/resolve-connection.js';
import {systemConnectionEnvironment} from './adapters/postgres/system-connection-environment.js';
import {TargetError} from './errors/index.js';

export type Target =
	| {engine: 'sqlite'; path: string; display: string}
	| {
		engine: 'postgres';
		/** Resolved once, as libpq would; every session and every pg_dump/pg_restore gets exactly these. */
		connection: PostgresConnection;
		/** Password-free: what the record and the screens show. */
		display: string;
	};

const sqliteSuffix = /\.(db|sqlite3?)$/i;

/**
 * Reads --db. A SQLite path must exist: a typo must never become a new empty database that
 * then "passes" every check.
 */
export function parseTarget(raw: string, cwd = process.cwd(), environment?: ConnectionEnvironment): Target {
	const value = raw.trim();
	if (value === '') {
		throw new TargetError('no target database given', {target: raw, hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	if (isPostgresUrl(value)) {
		const connection = resolveConnection(value, environment ?? systemConnectionEnvironment());
		return {engine: 'postgres', connection, display: describeConnection(connection)};
	}

	if (value.startsWith('sqlite:') || sqliteSuffix.test(value)) {
		const file = path.resolve(cwd, value.startsWith('sqlite:') ? value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') : value);
		if (!existsSync(file)) {
			throw new TargetError(`SQLite database ${file} does not exist`, {
				target: raw,
				hint: 'check the path; cutover never creates an empty database in place of a missing one',
			});
		}

		if (!statSync(file).isFile()) {
			throw new TargetError(`${file} is not a file`, {target: raw, hint: 'point --db at the SQLite database file itself'});
		}

		return {engine: 'sqlite', path: file, display: `sqlite:${file}`};
	}

	throw new TargetError(`cannot tell what kind of database "${redactUrl(value)}" is`, {
		target: redactUrl(raw),
		hint: 'use a postgres://… or postgresql://… URL, sqlite:<path>, or a path ending in .db, .sqlite or .sqlite3',
	});
}
