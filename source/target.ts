import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {TargetError} from './errors/index.js';

export type Target =
	| {engine: 'sqlite'; path: string; display: string}
	| {
		engine: 'postgres';
		/** The URL without its password; hand `password` to the driver separately so it never reaches argv or the record. */
		connectionString: string;
		password: string | undefined;
		display: string;
	};

const sqliteSuffix = /\.(db|sqlite3?)$/i;

/**
 * Reads --db. A SQLite path must exist: a typo must never become a new empty database that
 * then "passes" every check.
 */
export function parseTarget(raw: string, cwd = process.cwd()): Target {
	const value = raw.trim();
	if (value === '') {
		throw new TargetError('no target database given', {target: raw, hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	if (/^postgres(ql)?:\/\//i.test(value)) {
		return parsePostgres(value);
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

	throw new TargetError(`cannot tell what kind of database "${value}" is`, {
		target: raw,
		hint: 'use a postgres://… or postgresql://… URL, sqlite:<path>, or a path ending in .db, .sqlite or .sqlite3',
	});
}

function parsePostgres(value: string): Target {
	let url: URL;
	try {
		url = new URL(value);
	} catch (error) {
		throw new TargetError('the PostgreSQL URL does not parse', {
			target: redact(value),
			hint: 'write it as postgres://user@host:5432/dbname (percent-encode special characters)',
			cause: error,
		});
	}

	let password = url.password === '' ? undefined : decodeURIComponent(url.password);
	url.password = '';
	const query = url.searchParams.get('password');
	if (query !== null) {
		password = query;
		url.searchParams.delete('password');
	}

	const connectionString = url.toString();
	return {engine: 'postgres', connectionString, password, display: connectionString};
}

/** Best effort for messages about a URL that did not parse. */
function redact(value: string): string {
	return value.replace(/(\/\/[^:/@]*):[^@]*@/, '$1@').replace(/([?&]password=)[^&]*/i, '$1***');
}
