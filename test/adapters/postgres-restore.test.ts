import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {createPostgresBackupTool} from '../../source/adapters/postgres/backup-tool.js';
import {splitList} from '../../source/adapters/postgres/database-settings.js';
import {freshName, replacedName} from '../../source/adapters/postgres/restore-names.js';
import {createPostgresRunLock} from '../../source/adapters/run-lock/postgres-run-lock.js';
import {openConnections} from '../../source/cli/open-run.js';
import {withRunSessions} from '../../source/cli/run-sessions.js';
import type {BackupArtifact} from '../../source/engine/model.js';
import {BackupError, RunLockedError} from '../../source/errors/index.js';
import type {RunLockHandle} from '../../source/ports/run-lock.js';
import {parseTarget} from '../../source/target.js';
import {contentsOf, schemaOf} from '../support/pg-snapshot.js';
import {adminUrl, createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

type PostgresTarget = Extract<ReturnType<typeof parseTarget>, {engine: 'postgres'}>;

const reader = `cutover_reader_${randomBytes(3).toString('hex')}`;

const seedSql = (name: string) => `
	CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
	INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 2000) g;
	CREATE SCHEMA billing;
	CREATE TABLE billing."Invoices" (id int PRIMARY KEY, user_id int REFERENCES users (id), amount numeric(12, 2) NOT NULL);
	INSERT INTO billing."Invoices" SELECT g, 1 + g % 2000, g * 1.5 FROM generate_series(1, 700) g;
	CREATE TABLE readings (taken_on date NOT NULL, value int NOT NULL) PARTITION BY RANGE (taken_on);
	CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	INSERT INTO readings SELECT DATE '2024-01-01' + g % 300, g FROM generate_series(1, 3000) g;
	CREATE TYPE mood AS ENUM ('calm', 'busy');
	CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM users';
	CREATE VIEW busy_users AS SELECT id FROM users WHERE id % 7 = 0;
	GRANT SELECT ON users TO ${reader};
	ALTER DATABASE "${name}" SET work_mem = '8MB';
	ALTER DATABASE "${name}" SET search_path = "$user", public, billing;
	ALTER ROLE ${reader} IN DATABASE "${name}" SET statement_timeout = '7s';
	COMMENT ON DATABASE "${name}" IS 'billing, restored exactly';
	REVOKE TEMPORARY ON DATABASE "${name}" FROM PUBLIC;
	GRANT CONNECT, TEMPORARY ON DATABASE "${name}" TO ${reader};
`;

/** A migration that leaves behind everything a table-only restore would miss, then one that fails. */
const objectsMigration = `
CREATE SCHEMA audit;
CREATE TYPE audit.severity AS ENUM ('info', 'warn');
CREATE EXTENSION pgcrypto;
CREATE TABLE audit.events (id serial PRIMARY KEY, severity audit.severity NOT NULL, digest text NOT NULL);
CREATE FUNCTION audit.log_event(s audit.severity) RETURNS void LANGUAGE sql AS $$ INSERT INTO audit.events (severity, digest) VALUES (s, encode(digest('x', 'sha256'), 'hex')) $$;
SELECT audit.log_event('info');
CREATE OR REPLACE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM audit.events';
ALTER TYPE mood ADD VALUE 'stuck';
ALTER TABLE users ADD COLUMN status text;
INSERT INTO users (id, name) SELECT g, 'late ' || g FROM generate_series(2001, 2100) g;
UPDATE billing."Invoices" SET amount = 0 WHERE id = 1;
DELETE FROM readings WHERE value < 10;
`;

const brokenMigration = 'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n';

function targetFor(url: string): PostgresTarget {
	const target = parseTarget(url);
	assert.equal(target.engine, 'postgres');
	return target as PostgresTarget;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/** What lives on the database itself rather than in it. */
async function databaseFacts(name: string) {
	return withClient(adminUrl, async client => {
		const facts = await client.query(`SELECT d.oid::int8 AS oid, pg_encoding_to_char(d.encoding) AS encoding, d.datcollate, d.datctype, d.datlocprovider,
				pg_get_userbyid(d.datdba) AS owner, d.datconnlimit, shobj_description(d.oid, 'pg_database') AS comment,
				(SELECT array_agg(a ORDER BY a) FROM unnest(d.datacl::text[]) a) AS acl,
				(SELECT array_agg(coalesce(r.rolname, '*') || ':' || array_to_string(s.setconfig, '|') ORDER BY 1)
					FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole WHERE s.setdatabase = d.oid) AS settings
			FROM pg_database d WHERE d.datname = $1`, [name]);
		const row = facts.rows[0] as Record<string, unknown> | undefined;
		assert.ok(row, `database ${name} exists`);
		return row;
	});
}

async function databasesLike(pattern: string): Promise<string[]> {
	return withClient(adminUrl, async client => (await client.query<{datname: string}>('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1', [pattern])).rows.map(r => r.datname));
}

const withoutRunLock = (sums: Record<string, string | null>) => Object.fromEntries(Object.entries(sums).filter(([name]) => name !== 'public.cutover_run_lock'));

const withoutOid = (facts: Record<string, unknown>) => ({...facts, oid: undefined});

describe('PostgreSQL restore into a fresh database', () => {
	let directory: string;

	before(async () => {
		directory = mkdtempSync(path.join(os.tmpdir(), 'cutover-pg-exact-'));
		await withClient(adminUrl, async client => client.query(`CREATE ROLE ${reader}`));
	});

	after(async () => {
		rmSync(directory, {recursive: true, force: true});
		await withClient(adminUrl, async client => client.query(`DROP ROLE IF EXISTS ${reader}`));
	});

	async function seeded(prefix: string, first?: (target: PostgresTarget) => Promise<void>): Promise<{database: ThrowawayDatabase; target: PostgresTarget; artifact: BackupArtifact}> {
		const database = await createThrowawayDatabase(prefix);
		await database.sql(seedSql(database.name));
		const target = targetFor(database.url);
		await first?.(target);
		const artifact = await createPostgresBackupTool(target).backup({directory, fileName: `${database.name}.dump`, onProgress() {}});
		return {database, target, artifact};
	}

	test('after a migration that created a schema, a type, a function and an extension, the restore is the backup exactly', {timeout: 120_000}, async () => {
		// As a run does: the run lock first, the window confirmed (the holder is written into the target then), then the backup.
		let runLock: RunLockHandle | undefined;
		const {database, target, artifact} = await seeded('cutover_exact', async target => {
			runLock = await createPostgresRunLock(target).acquire({runId: 'run-exact', operator: 'Ana (ana)', host: os.hostname(), pid: process.pid, since: Date.now()});
			await runLock.windowConfirmed();
		});
		assert.ok(runLock);
		const migrations = path.join(directory, `migrations-${database.name}`);
		spawnSync('mkdir', ['-p', migrations]);
		writeFileSync(path.join(migrations, '0001_audit_objects.up.sql'), objectsMigration);
		writeFileSync(path.join(migrations, '0002_broken.up.sql'), brokenMigration);
		const schemaBefore = schemaOf(database.url);
		const contentsBefore = await contentsOf(database.url);
		const factsBefore = await databaseFacts(database.name);

		// As a run holds them: the run lock's own session, the database and the migrator.
		const opened = await openConnections(target, migrations);
		const connections = withRunSessions(opened, {runLock, idle: []});
		try {
			await connections.migrator.up('0001_audit_objects', {runId: 'run-exact', appliedBy: 'test'});
			await assert.rejects(connections.migrator.up('0002_broken', {runId: 'run-exact', appliedBy: 'test'}), /no_such_table/);
			assert.notEqual(schemaOf(database.url), schemaBefore, 'the migration changed the schema');

			const tool = createPostgresBackupTool(target);
			const plan = await tool.describeRestore(artifact);
			assert.equal(plan.available, true, plan.note);
			assert.match(plan.note, /restores into a new database/);
			const announced = /keeps the replaced database as "([^"]+)"/.exec(plan.note)?.[1];
			assert.ok(announced?.startsWith(`${database.name}_cutover_replaced_`), plan.note);
			assert.ok(plan.note.includes(`DROP DATABASE "${announced}"`), plan.note);

			await connections.close();
			const outcome = await tool.restore(artifact);
			await connections.reopen();

			assert.equal(schemaOf(database.url), schemaBefore);
			// The run lock's holder row is written again when the lock is retaken (its backend pid changed); every other table is as backed up.
			assert.deepEqual(withoutRunLock(await contentsOf(database.url)), withoutRunLock(contentsBefore));
			assert.ok('public.cutover_run_lock' in contentsBefore);
			const factsAfter = await databaseFacts(database.name);
			assert.deepEqual(withoutOid(factsAfter), withoutOid(factsBefore), 'encoding, locale, owner, comment, grants and settings of the database');

			// The replaced database is kept under the announced name, as the migration left it.
			assert.deepEqual(outcome.replaced, {database: database.name, keptAs: announced, previousOid: Number(factsBefore['oid']), oid: Number(factsAfter['oid'])});
			assert.notEqual(Number(factsAfter['oid']), Number(factsBefore['oid']));
			assert.match(outcome.detail, new RegExp(`kept as "${announced}"`));
			assert.match(outcome.detail, new RegExp(`OID ${String(factsAfter['oid'])}, was ${String(factsBefore['oid'])}`));
			const keptUrl = new URL(database.url);
			keptUrl.pathname = `/${announced}`;
			assert.equal((await databaseFacts(announced!)).oid, factsBefore['oid']);
			const kept = await contentsOf(keptUrl.toString());
			assert.ok('audit.events' in kept && 'public.cutover_migrations' in kept, 'the replaced database is as the migration left it');
			assert.deepEqual(await databasesLike(`${database.name}\\_cutover\\_restore\\_%`), [], 'no restore database is left over');

			// The run's connections work again, on the restored database, and the run lock is held there.
			assert.deepEqual(await connections.database.rowCounts(), artifact.sourceCounts);
			assert.deepEqual((await connections.migrator.plan()).applied, []);
			assert.equal((await connections.database.fingerprint()).database, database.name);
			assert.equal((await createPostgresRunLock(target).inspect())?.runId, 'run-exact');
			await assert.rejects(createPostgresRunLock(target).acquire({runId: 'other', operator: 'Bo (bo)', host: os.hostname(), pid: process.pid, since: Date.now()}), RunLockedError);
		} finally {
			await opened.close();
			await runLock.release();
			await database.drop();
		}
	});

	test('another session connected to the database: refused, named, nothing changed', {timeout: 60_000}, async () => {
		const {database, target, artifact} = await seeded('cutover_busy');
		const stray = new pg.Client({connectionString: database.url, application_name: 'stray-report'});
		await stray.connect();
		try {
			await database.sql('CREATE SCHEMA later; CREATE FUNCTION later.f() RETURNS int LANGUAGE sql AS \'SELECT 1\'');
			const schema = schemaOf(database.url);
			const facts = await databaseFacts(database.name);
			const pid = (await stray.query<{pid: number}>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
			await assert.rejects(createPostgresBackupTool(target, {lockTimeoutMs: 300}).restore(artifact), (error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, new RegExp(`1 other session is connected to it: pid ${pid} \\(postgres, stray-report, 127\\.0\\.0\\.1/32; idle`));
				assert.match(error.message, /nothing was changed/);
				assert.match(error.hint, /pg_terminate_backend/);
				return true;
			});
			assert.equal(schemaOf(database.url), schema);
			assert.deepEqual(await databaseFacts(database.name), facts);
			assert.deepEqual(await databasesLike(`${database.name}\\_cutover\\_%`), []);
		} finally {
			await stray.end();
			await database.drop();
		}
	});

	test('a session that connects while pg_restore runs: the swap is refused, the database untouched, the new one dropped', {timeout: 60_000}, async () => {
		const {database, target, artifact} = await seeded('cutover_late');
		try {
			await database.sql('CREATE TABLE later (id int)');
			const schema = schemaOf(database.url);
			const facts = await databaseFacts(database.name);
			// The real pg_restore, and a client of the original that connects just as it ends and stays a few seconds.
			const wrapper = path.join(directory, 'late-client-pg-restore.sh');
			writeFileSync(wrapper, `#!/bin/sh\npg_restore "$@"; status=$?\n[ "$1" = "--list" ] || psql --quiet --no-psqlrc --dbname="${database.url}?application_name=late-client" -c 'SELECT pg_sleep(4)' >/dev/null 2>&1 &\nsleep 0.5\nexit $status\n`, {mode: 0o755});
			await assert.rejects(createPostgresBackupTool(target, {pgRestore: wrapper, lockTimeoutMs: 300}).restore(artifact), (error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, /1 other session connected to it while it was restored: pid \d+ \(postgres, late-client/);
				assert.match(error.message, /the database was not touched and the new database was dropped/);
				return true;
			});
			assert.equal(schemaOf(database.url), schema);
			assert.deepEqual(await databaseFacts(database.name), facts);
			assert.deepEqual(await databasesLike(`${database.name}\\_cutover\\_%`), []);
		} finally {
			await database.drop();
		}
	});

	test('pg_restore failing leaves the database untouched and drops the new one', {timeout: 60_000}, async () => {
		const {database, target, artifact} = await seeded('cutover_fails');
		try {
			await database.sql('CREATE TABLE later (id int)');
			const schema = schemaOf(database.url);
			const facts = await databaseFacts(database.name);
			// The real pg_restore reads the listing; the restore itself fails.
			const fake = path.join(directory, 'failing-pg-restore.sh');
			writeFileSync(fake, '#!/bin/sh\n[ "$1" = "--list" ] && exec pg_restore "$@"\necho "pg_restore: error: could not execute query: out of disk" >&2\nexit 1\n', {mode: 0o755});
			await assert.rejects(createPostgresBackupTool(target, {pgRestore: fake}).restore(artifact), (error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, /pg_restore exited with code 1: pg_restore: error: could not execute query: out of disk/);
				assert.match(error.message, /the database was not touched and the new database was dropped/);
				return true;
			});
			assert.equal(schemaOf(database.url), schema);
			assert.deepEqual(await databaseFacts(database.name), facts);
			assert.deepEqual(await databasesLike(`${database.name}\\_cutover\\_%`), []);
		} finally {
			await database.drop();
		}
	});

	test('a role that cannot create databases, or does not own the target, is told so before choosing restore', {timeout: 60_000}, async () => {
		const owner = `cutover_owner_${randomBytes(3).toString('hex')}`;
		const builder = `cutover_builder_${randomBytes(3).toString('hex')}`;
		const database = await createThrowawayDatabase('cutover_rights');
		try {
			await withClient(adminUrl, async client => {
				await client.query(`CREATE ROLE ${owner} LOGIN`);
				await client.query(`CREATE ROLE ${builder} LOGIN CREATEDB`);
				await client.query(`ALTER DATABASE ${database.name} OWNER TO ${owner}`);
			});
			await database.sql(`CREATE TABLE t (id int); ALTER TABLE t OWNER TO ${owner}`);
			const as = (role: string) => {
				const url = new URL(database.url);
				url.username = role;
				return targetFor(url.toString());
			};

			const artifact = await createPostgresBackupTool(as(owner)).backup({directory, fileName: `${database.name}.dump`, onProgress() {}});
			const noCreate = await createPostgresBackupTool(as(owner)).describeRestore(artifact);
			assert.equal(noCreate.available, false);
			assert.match(noCreate.note, new RegExp(`the role ${owner} cannot create databases.*ALTER ROLE ${owner} CREATEDB`));
			await assert.rejects(createPostgresBackupTool(as(owner)).restore(artifact), /cannot create databases.*nothing was changed/);

			const notOwner = await createPostgresBackupTool(as(builder)).describeRestore(artifact);
			assert.equal(notOwner.available, false);
			assert.match(notOwner.note, new RegExp(`does not own "${database.name}" \\(its owner is ${owner}\\).*GRANT ${owner} TO ${builder}`));

			// With CREATEDB the owner itself restores, objects owned as before, without being a superuser.
			await withClient(adminUrl, async client => client.query(`ALTER ROLE ${owner} CREATEDB`));
			assert.equal((await createPostgresBackupTool(as(owner)).describeRestore(artifact)).available, true);
			await database.sql('CREATE TABLE later (id int)');
			// Another role's setting in this database is not the owner's to copy: noted, and the restore goes on.
			await database.sql(`ALTER ROLE ${reader} IN DATABASE ${database.name} SET work_mem = '4MB'`);
			const outcome = await createPostgresBackupTool(as(owner)).restore(artifact);
			assert.match(outcome.detail, /owners kept/);
			assert.match(outcome.detail, new RegExp(`copied, except: could not copy "ALTER ROLE "${reader}" IN DATABASE "${database.name}" SET "work_mem" TO '4MB'": permission denied`));
			const tables = await database.sql('SELECT tablename, tableowner FROM pg_tables WHERE schemaname = \'public\' ORDER BY 1');
			assert.deepEqual(tables.rows, [{tablename: 't', tableowner: owner}]);
			assert.equal((await databaseFacts(database.name))['owner'], owner);
		} finally {
			await database.drop();
			await withClient(adminUrl, async client => {
				await client.query(`DROP ROLE IF EXISTS ${owner}`);
				await client.query(`DROP ROLE IF EXISTS ${builder}`);
			});
		}
	});
});

describe('restore names and settings', () => {
	test('the fresh and replaced names keep their suffix within 63 bytes', () => {
		const long = 'é'.repeat(40);
		for (const name of [freshName(long, 'abcd1234'), replacedName(long, Date.UTC(2026, 11, 1, 12, 0, 0))]) {
			assert.ok(Buffer.byteLength(name) <= 63, name);
		}

		assert.equal(freshName('billing', 'abcd1234'), 'billing_cutover_restore_abcd1234');
		assert.equal(replacedName('billing', Date.UTC(2026, 11, 1, 12, 0, 5)), 'billing_cutover_replaced_20261201t120005z');
		assert.match(replacedName(long, 0), /^é+_cutover_replaced_19700101t000000z$/);
	});

	test('a list setting is split as the server writes it', () => {
		assert.deepEqual(splitList('"$user", public, x'), ['$user', 'public', 'x']);
		assert.deepEqual(splitList('"a ""b""",c'), ['a "b"', 'c']);
		assert.deepEqual(splitList('""'), ['']);
		assert.deepEqual(splitList(''), []);
	});
});
