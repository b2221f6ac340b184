import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {createPostgresBackupTool} from '../../source/adapters/postgres/backup-tool.js';
import {openPostgresDatabase} from '../../source/adapters/postgres/database.js';
import {parseTarget} from '../../source/target.js';
import {adminUrl, createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

/** The database a dump was taken of, as the dump itself says (pg_restore --list prints it in its header). */
function dumpedDatabase(file: string): string | undefined {
	return /^;\s+dbname: (.*)$/m.exec(execFileSync('pg_restore', ['--list', file], {encoding: 'utf8'}))?.[1];
}

async function hasTable(database: ThrowawayDatabase, table: string): Promise<boolean> {
	const result = await database.sql(`SELECT to_regclass('public.${table}') IS NOT NULL AS present`);
	return result.rows[0]?.['present'] === true;
}

const variables = ['PGSERVICE', 'PGSERVICEFILE', 'PGDATABASE', 'PGHOST', 'PGPORT', 'PGSSLMODE'];

// The operator's shell says one thing and the URL another: the fingerprint, the migration and the backup must still all be of one database.
describe('one target whatever the PG* variables say', () => {
	let ours: ThrowawayDatabase;
	let other: ThrowawayDatabase;
	let directory: string;
	let serviceFile: string;
	let migrations: string;
	const admin = new URL(adminUrl);
	const hostAndPort = `${admin.hostname}:${admin.port === '' ? '5432' : admin.port}`;
	const saved = new Map(variables.map(name => [name, process.env[name]]));

	before(async () => {
		ours = await createThrowawayDatabase('cutover_ours');
		other = await createThrowawayDatabase('cutover_other');
		directory = mkdtempSync(path.join(tmpdir(), 'cutover-target-env-'));
		serviceFile = path.join(directory, 'pg_service.conf');
		writeFileSync(serviceFile, `[elsewhere]\nhost=${admin.hostname}\nport=${admin.port === '' ? '5432' : admin.port}\nuser=postgres\ndbname=${other.name}\n`);
		migrations = path.join(directory, 'migrations');
		mkdirSync(migrations);
		writeFileSync(path.join(migrations, '0001_mark.up.sql'), 'CREATE TABLE migrated_here (id int);\n');
		writeFileSync(path.join(migrations, '0001_mark.down.sql'), 'DROP TABLE migrated_here;\n');
	});

	after(async () => {
		for (const [name, value] of saved) {
			if (value === undefined) {
				delete process.env[name];
			} else {
				process.env[name] = value;
			}
		}

		await ours?.drop();
		await other?.drop();
		rmSync(directory, {recursive: true, force: true});
	});

	const cases: Array<{name: string; url: () => string; env: () => Record<string, string>; expected: () => ThrowawayDatabase}> = [
		{
			name: 'PGSERVICE names another database; the URL names ours',
			url: () => ours.url,
			env: () => ({PGSERVICE: 'elsewhere', PGSERVICEFILE: serviceFile}),
			expected: () => ours,
		},
		{
			// Before one resolver, the driver ignored the service (and connected to "postgres") while pg_dump dumped the service's database.
			name: 'PGSERVICE fills in the database the URL leaves out',
			url: () => `postgres://postgres@${hostAndPort}`,
			env: () => ({PGSERVICE: 'elsewhere', PGSERVICEFILE: serviceFile}),
			expected: () => other,
		},
		{
			name: '?service= in the URL',
			url: () => 'postgres:///?service=elsewhere',
			env: () => ({PGSERVICEFILE: serviceFile, PGHOST: 'no-such-host.invalid'}),
			expected: () => other,
		},
		{
			name: 'PGDATABASE, PGHOST and PGPORT point elsewhere; the URL names ours',
			url: () => ours.url,
			env: () => ({PGDATABASE: other.name, PGHOST: 'no-such-host.invalid', PGPORT: '1', PGSSLMODE: 'disable'}),
			expected: () => ours,
		},
		{
			name: 'PGDATABASE fills in the database the URL leaves out',
			url: () => `postgres://postgres@${hostAndPort}`,
			env: () => ({PGDATABASE: other.name, PGSERVICEFILE: serviceFile}),
			expected: () => other,
		},
	];

	for (const [index, row] of cases.entries()) {
		test(`${row.name}: fingerprinted, migrated and backed up are one database`, async () => {
			for (const name of variables) {
				delete process.env[name];
			}

			Object.assign(process.env, row.env());
			const target = parseTarget(row.url());
			assert.equal(target.engine, 'postgres');
			if (target.engine !== 'postgres') {
				return;
			}

			const expected = row.expected();
			const notExpected = expected === ours ? other : ours;
			assert.equal(target.connection.dbname, expected.name);

			const database = await openPostgresDatabase(target);
			try {
				assert.equal((await database.fingerprint()).database, expected.name, 'fingerprinted');
			} finally {
				await database.close();
			}

			const migrator = await openMigrator({target, directory: migrations});
			try {
				await migrator.up('0001_mark', {runId: `case-${index}`, appliedBy: 'test'});
				assert.equal(await hasTable(expected, 'migrated_here'), true, 'migrated');
				assert.equal(await hasTable(notExpected, 'migrated_here'), false, 'the other database is untouched');

				const artifact = await createPostgresBackupTool(target).backup({directory, fileName: `case-${index}.dump`, onProgress() {}});
				assert.equal(dumpedDatabase(artifact.path), expected.name, 'backed up');
				assert.equal((await createPostgresBackupTool(target).verify(artifact)).ok, true);
			} finally {
				await migrator.down('0001_mark', {runId: `case-${index}`, appliedBy: 'test'}).catch(() => {});
				await migrator.close();
				await expected.sql('DROP TABLE IF EXISTS cutover_migrations');
			}
		});
	}
});
