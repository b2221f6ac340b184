import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {openPostgresDatabase} from '../../source/adapters/postgres/database.js';
import type {PostgresTarget} from '../../source/adapters/postgres/postgres-target.js';
import {systemConnectionEnvironment} from '../../source/adapters/postgres/system-connection-environment.js';
import {parseTarget} from '../../source/target.js';
import {adminUrl, createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

/** Where libpq itself (psql) lands for a URL and an environment: user, database. */
function libpqLandsOn(url: string, env: Record<string, string>): string {
	const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
	const run = spawnSync('psql', ['-X', '-At', '-c', 'SELECT current_user || \'/\' || current_database()', url], {env: {...base, ...env}, encoding: 'utf8'});
	assert.equal(run.status, 0, run.stderr);
	return run.stdout.trim();
}

// A differential test: for each URL and set of PG* variables, cutover's resolver and libpq reach the same user and database.
describe('the resolver lands where libpq lands', () => {
	let ours: ThrowawayDatabase;
	let other: ThrowawayDatabase;
	let directory: string;
	let serviceFile: string;
	const admin = new URL(adminUrl);
	const host = admin.hostname;
	const port = admin.port === '' ? '5432' : admin.port;
	const localSocket = host === '127.0.0.1' && port === '5432' && existsSync('/var/run/postgresql/.s.PGSQL.5432');

	before(async () => {
		ours = await createThrowawayDatabase('cutover_agree');
		other = await createThrowawayDatabase('cutover_agree_other');
		directory = mkdtempSync(path.join(tmpdir(), 'cutover-libpq-'));
		serviceFile = path.join(directory, 'services.conf');
		writeFileSync(serviceFile, `[svc]\nhost=${host}\nport=${port}\nuser=postgres\ndbname=${other.name}\n`);
	});

	after(async () => {
		await ours?.drop();
		await other?.drop();
		rmSync(directory, {recursive: true, force: true});
	});

	const rows: Array<{name: string; url: () => string; env: () => Record<string, string>; when?: () => boolean}> = [
		{name: 'PGDATABASE fills the database', url: () => `postgres://postgres@${host}:${port}`, env: () => ({PGDATABASE: other.name})},
		{name: 'PGUSER fills the user', url: () => `postgres://${host}:${port}/${ours.name}`, env: () => ({PGUSER: 'postgres'})},
		{name: 'everything from PG* variables', url: () => 'postgres://', env: () => ({PGHOST: host, PGPORT: port, PGUSER: 'postgres', PGDATABASE: ours.name})},
		{name: 'PGSERVICE fills what the URL leaves out', url: () => `postgres://postgres@${host}:${port}`, env: () => ({PGSERVICE: 'svc', PGSERVICEFILE: serviceFile})},
		{name: 'the URL\'s database wins over the service\'s', url: () => `postgres:///${ours.name}?service=svc`, env: () => ({PGSERVICEFILE: serviceFile, PGDATABASE: 'nope'})},
		{name: 'the service\'s database wins over PGDATABASE', url: () => 'postgres://', env: () => ({PGSERVICE: 'svc', PGSERVICEFILE: serviceFile, PGDATABASE: ours.name})},
		{name: 'query parameters win over the URL\'s parts', url: () => `postgres://nobody@${host}:1/nope?port=${port}&user=postgres&dbname=${ours.name}`, env: () => ({})},
		{name: 'the default socket directory', url: () => `postgres://postgres@/${ours.name}`, env: () => ({}), when: () => localSocket},
		{name: 'a socket directory in ?host=', url: () => `postgres:///${ours.name}?host=/var/run/postgresql&user=postgres`, env: () => ({PGHOST: 'no-such-host.invalid'}), when: () => localSocket},
	];

	for (const row of rows) {
		test(row.name, {skip: row.when?.() === false ? 'needs the local server on /var/run/postgresql' : false}, async () => {
			const env = row.env();
			const target = parseTarget(row.url(), process.cwd(), {...systemConnectionEnvironment(), env}) as PostgresTarget;
			const expected = libpqLandsOn(row.url(), env);
			assert.equal(`${target.connection.user}/${target.connection.dbname}`, expected);
			const database = await openPostgresDatabase(target);
			try {
				assert.equal((await database.fingerprint()).database, expected.split('/')[1]);
			} finally {
				await database.close();
			}
		});
	}
});
