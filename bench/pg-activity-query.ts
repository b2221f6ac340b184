import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

export type ReferenceQuery = {sql: string; file: string; version: string};

/**
 * pg_activity's own blocking query, read from an installed pg_activity (Debian: apt install
 * pg-activity) or from CUTOVER_PG_ACTIVITY_QUERIES (its pgactivity/queries directory), chosen
 * for the server version the way pg_activity chooses it, with its parameters filled in as
 * pg_activity fills them by default (duration from query_start, no filters).
 */
export function loadPgActivityBlockingQuery(serverVersionNum: number): ReferenceQuery {
	const {directory, version} = locate();
	const candidates = readdirSync(directory)
		.map(name => /^get_blocking_post_(\d+)\.sql$/.exec(name))
		.filter(match => match !== null)
		.map(match => ({name: match[0], since: Number(match[1])}))
		.filter(({since}) => since <= serverVersionNum)
		.sort((a, b) => b.since - a.since);
	const name = candidates[0]?.name ?? (existsSync(path.join(directory, 'get_blocking.sql')) ? 'get_blocking.sql' : undefined);
	if (name === undefined) {
		throw new Error(`no get_blocking*.sql for server version ${serverVersionNum} in ${directory}`);
	}

	const file = path.join(directory, name);
	const sql = readFileSync(file, 'utf8')
		.replaceAll(/\{duration_column\}/g, '"query_start"')
		.replaceAll(/%\(min_duration\)s|\{min_duration\}/g, '0')
		.replaceAll(/%\(dbname_filter\)s|\{dbname_filter\}/g, 'NULL')
		.replaceAll('%%', '%');
	return {sql, file, version};
}

function locate(): {directory: string; version: string} {
	const given = process.env['CUTOVER_PG_ACTIVITY_QUERIES'];
	if (given !== undefined && given !== '') {
		return {directory: given, version: 'from CUTOVER_PG_ACTIVITY_QUERIES'};
	}

	// The system Python first: Debian's pg-activity package installs there, not into a venv's Python.
	for (const python of ['/usr/bin/python3', 'python3']) {
		try {
			const [directory, version] = execFileSync(python, ['-c', 'import os, pgactivity; print(os.path.join(os.path.dirname(pgactivity.__file__), "queries")); print(pgactivity.__version__)'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim().split('\n');
			return {directory: directory!, version: version ?? '?'};
		} catch {
			// Not this Python; try the next.
		}
	}

	throw new Error('pg_activity is not installed, so its blocking query cannot be compared: apt install pg-activity (or pip install pg_activity), or set CUTOVER_PG_ACTIVITY_QUERIES to its pgactivity/queries directory');
}
