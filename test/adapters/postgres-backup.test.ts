import {createHash} from 'node:crypto';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {createPostgresBackupTool} from '../../source/adapters/postgres/backup-tool.js';
import {openPostgresDatabase} from '../../source/adapters/postgres/database.js';
import type {BackupArtifact, BackupProgress} from '../../source/engine/model.js';
import {BackupError, TargetError} from '../../source/errors/index.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

type PostgresTarget = Extract<ReturnType<typeof parseTarget>, {engine: 'postgres'}>;

const seedSql = `
	CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT '2024-01-01T00:00:00Z');
	INSERT INTO users (id, name) SELECT g, 'user ' || g FROM generate_series(1, 20000) g;
	CREATE TABLE meters (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id), serial text NOT NULL);
	INSERT INTO meters SELECT g, 1 + g % 20000, md5(g::text) FROM generate_series(1, 30000) g;
	CREATE SCHEMA billing;
	CREATE TABLE billing."Invoices" (id int PRIMARY KEY, amount numeric(12, 2) NOT NULL);
	INSERT INTO billing."Invoices" SELECT g, g * 1.5 FROM generate_series(1, 700) g;
	CREATE TABLE readings (taken_on date NOT NULL, value int NOT NULL) PARTITION BY RANGE (taken_on);
	CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	CREATE TABLE readings_2025 PARTITION OF readings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
	INSERT INTO readings SELECT DATE '2024-06-01' + g % 400, g FROM generate_series(1, 5000) g;
`;

const seededCounts = {'billing.Invoices': 700, meters: 30_000, readings: 5000, users: 20_000};

/** Everything a restore must bring back, as one comparable value. */
const stateSql = `SELECT
	(SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u) AS users,
	(SELECT md5(string_agg(m::text, ',' ORDER BY id)) FROM meters m) AS meters,
	(SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM billing."Invoices" i) AS invoices,
	(SELECT md5(string_agg(r::text, ',' ORDER BY value)) FROM readings r) AS readings,
	(SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE relkind IN ('r', 'p') AND nspname IN ('public', 'billing')) AS tables`;

const password = 'Sup3r-Secret-Pa55word';

function targetFor(url: string, withPassword?: string): PostgresTarget {
	const parsed = new URL(url);
	if (withPassword !== undefined) {
		parsed.password = withPassword;
	}

	const target = parseTarget(parsed.toString());
	assert.equal(target.engine, 'postgres');
	return target as PostgresTarget;
}

function sha256(file: string): string {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function assertNoPassword(error: unknown): void {
	assert.ok(error instanceof Error);
	const texts = [error.message, error.stack ?? '', String(error), (error as {hint?: string}).hint ?? '', JSON.stringify(error)];
	for (const text of texts) {
		assert.ok(!text.includes(password), `the password leaked into: ${text}`);
	}
}

describe('PostgreSQL backup tool', () => {
	let database: ThrowawayDatabase;
	let target: PostgresTarget;
	let directory: string;
	let artifact: BackupArtifact;
	const progress: BackupProgress[] = [];

	before(async () => {
		database = await createThrowawayDatabase('cutover_backup');
		await database.sql(seedSql);
		// The password goes along although the test server trusts everyone: it must still never show.
		target = targetFor(database.url, password);
		directory = mkdtempSync(path.join(tmpdir(), 'cutover-pg-backup-'));
		artifact = await createPostgresBackupTool(target).backup({
			directory,
			fileName: 'seeded.dump',
			onProgress: snapshot => progress.push(snapshot),
		});
	});

	after(async () => {
		await database?.drop();
		if (directory !== undefined) {
			rmSync(directory, {recursive: true, force: true});
		}
	});

	test('a backup of a seeded database is a custom-format dump with its checksum and row counts', () => {
		assert.equal(artifact.format, 'pg-custom');
		assert.equal(artifact.path, path.join(directory, 'seeded.dump'));
		assert.equal(artifact.bytes, readFileSync(artifact.path).length);
		assert.equal(artifact.sha256, sha256(artifact.path));
		assert.deepEqual(artifact.sourceCounts, seededCounts);
		assert.equal(readFileSync(artifact.path).subarray(0, 5).toString(), 'PGDMP');
	});

	test('progress reports tables and bytes, ending at the final size', () => {
		assert.ok(progress.length >= 1);
		const last = progress.at(-1)!;
		// users, meters, billing.Invoices and the two partitions of readings carry data.
		assert.equal(last.tablesTotal, 5);
		assert.equal(last.tablesDone, 5);
		assert.equal(last.bytes, artifact.bytes);
		assert.ok((last.estimatedBytes ?? 0) > 0);
		const named = progress.map(snapshot => snapshot.currentTable).filter(name => name !== undefined);
		assert.ok(named.length > 0, 'some report names the table being dumped');
		for (const name of named) {
			assert.ok(['users', 'meters', 'billing.Invoices', 'readings_2024', 'readings_2025'].includes(name!), `unexpected table ${name}`);
		}

		for (let index = 1; index < progress.length; index++) {
			assert.ok(progress[index]!.bytes >= progress[index - 1]!.bytes, 'bytes never go back');
		}
	});

	test('the backup verifies', async () => {
		const verification = await createPostgresBackupTool(target).verify(artifact);
		assert.deepEqual(verification.items.map(item => [item.name, item.ok]), [
			['file', true],
			['checksum', true],
			['archive contents', true],
			['archive readable to the end', true],
			['table data', true],
		]);
		assert.equal(verification.ok, true);
		assert.match(verification.items[2]!.detail, /\d+ entries/);
	});

	test('a dump with one byte flipped fails its checksum', async () => {
		const copy = path.join(directory, 'flipped.dump');
		const bytes = readFileSync(artifact.path);
		const at = bytes.length - 100;
		bytes[at] = bytes[at]! ^ 0xff;
		writeFileSync(copy, bytes);
		const verification = await createPostgresBackupTool(target).verify({...artifact, path: copy});
		assert.equal(verification.ok, false);
		const byName = Object.fromEntries(verification.items.map(item => [item.name, item]));
		assert.equal(byName['file']?.ok, true);
		assert.equal(byName['checksum']?.ok, false);
		assert.match(byName['checksum']!.detail, /changed since it was written/);
	});

	test('a truncated dump fails on its size and its checksum', async () => {
		const copy = path.join(directory, 'truncated.dump');
		writeFileSync(copy, readFileSync(artifact.path).subarray(0, Math.floor(artifact.bytes / 2)));
		const verification = await createPostgresBackupTool(target).verify({...artifact, path: copy});
		assert.equal(verification.ok, false);
		const byName = Object.fromEntries(verification.items.map(item => [item.name, item]));
		assert.equal(byName['file']?.ok, false);
		assert.match(byName['file']!.detail, new RegExp(`the backup wrote ${artifact.bytes}`));
		assert.equal(byName['checksum']?.ok, false);
		assert.equal(byName['archive readable to the end']?.ok, false);
	});

	test('a missing file fails verification without throwing', async () => {
		const verification = await createPostgresBackupTool(target).verify({...artifact, path: path.join(directory, 'gone.dump')});
		assert.equal(verification.ok, false);
		assert.deepEqual(verification.items.map(item => [item.name, item.ok]), [['file', false]]);
	});

	test('a table the dump has no data for is named', async () => {
		const verification = await createPostgresBackupTool(target).verify({...artifact, sourceCounts: {...artifact.sourceCounts, ghosts: 3}});
		assert.equal(verification.ok, false);
		const tableData = verification.items.find(item => item.name === 'table data');
		assert.equal(tableData?.ok, false);
		assert.match(tableData!.detail, /ghosts/);
		assert.doesNotMatch(tableData!.detail, /users|readings/);
	});

	test('restore after a change brings back the backup state and drops the new table', async () => {
		// A separate database, so the other tests keep the seeded state.
		const scratch = await createThrowawayDatabase('cutover_restore');
		const directoryForScratch = mkdtempSync(path.join(tmpdir(), 'cutover-pg-restore-'));
		try {
			await scratch.sql(seedSql);
			const scratchTarget = targetFor(scratch.url, password);
			const tool = createPostgresBackupTool(scratchTarget);
			const backup = await tool.backup({directory: directoryForScratch, fileName: 'before.dump', onProgress() {}});
			const before = (await scratch.sql(stateSql)).rows[0];

			await scratch.sql(`
				INSERT INTO users (id, name) SELECT g, 'late ' || g FROM generate_series(20001, 20100) g;
				UPDATE billing."Invoices" SET amount = 0 WHERE id = 1;
				DELETE FROM readings WHERE value < 10;
				ALTER TABLE users ADD COLUMN status text;
				CREATE TABLE meters_archive (id int PRIMARY KEY REFERENCES meters (id));
				INSERT INTO meters_archive VALUES (1), (2);
				CREATE TABLE cutover_migrations (name text PRIMARY KEY);
			`);
			assert.notDeepEqual((await scratch.sql(stateSql)).rows[0], before);

			const description = await tool.describeRestore(backup);
			assert.equal(description.available, true);
			assert.match(description.note, /restores into a new database .* keeps the replaced database as "cutover_restore_\w+_cutover_replaced_\w+"/);

			const outcome = await tool.restore(backup);
			assert.match(outcome.detail, /the replaced database is kept as "cutover_restore_\w+_cutover_replaced_\w+"/);
			assert.deepEqual((await scratch.sql(stateSql)).rows[0], before);

			const restored = await openPostgresDatabase(scratchTarget);
			try {
				assert.deepEqual(await restored.rowCounts(), backup.sourceCounts);
			} finally {
				await restored.close();
			}

		} finally {
			await scratch.drop();
			rmSync(directoryForScratch, {recursive: true, force: true});
		}
	});

	// The timeout only keeps a regression from hanging the suite.
	test('restore refuses while another session is connected, naming it, and changes nothing', {timeout: 60_000}, async () => {
		const before = (await database.sql(stateSql)).rows[0];
		const holder = new pg.Client({connectionString: database.url});
		await holder.connect();
		try {
			await holder.query('BEGIN');
			await holder.query('SELECT count(*) FROM users');
			const tool = createPostgresBackupTool(target, {lockTimeoutMs: 500});
			await assert.rejects(tool.restore(artifact), (error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, /1 other session is connected to it: pid \d+ \(postgres, 127\.0\.0\.1\/32; idle in transaction: SELECT count\(\*\) FROM users\); nothing was changed/);
				assert.match(error.hint, /no other session may be connected/);
				return true;
			});
		} finally {
			await holder.end();
		}

		assert.deepEqual((await database.sql(stateSql)).rows[0], before);
	});

	test('restore refuses a dump whose checksum changed, and changes nothing', async () => {
		const copy = path.join(directory, 'tampered.dump');
		const bytes = readFileSync(artifact.path);
		const at = bytes.length - 50;
		bytes[at] = bytes[at]! ^ 0x01;
		writeFileSync(copy, bytes);
		await database.sql('CREATE TABLE created_later (id int)');
		try {
			await assert.rejects(createPostgresBackupTool(target).restore({...artifact, path: copy}), (error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, /changed since it was written/);
				// The fresh database is made while the checksum is read: once the checksum fails it is dropped, nothing restored into it.
				assert.match(error.message, /the database was not touched and the new database was dropped/);
				return true;
			});
			const tables = (await database.sql(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'created_later'`)).rows[0] as {n: number};
			assert.equal(tables.n, 1);
			const fresh = (await database.sql(`SELECT count(*)::int AS n FROM pg_database WHERE starts_with(datname, current_database() || '_cutover_restore_')`)).rows[0] as {n: number};
			assert.equal(fresh.n, 0);
		} finally {
			await database.sql('DROP TABLE created_later');
		}
	});

	// The sessions wait below is 10 minutes: the test's timeout fails it if the restore waits for the session before
	// saying the backup changed (the check ends the wait); and nothing is created for a backup already known bad.
	test('a changed backup is refused at once, even while another session would make the restore wait', {timeout: 60_000}, async () => {
		const copy = path.join(directory, 'tampered-waiting.dump');
		const bytes = readFileSync(artifact.path);
		bytes[bytes.length - 60] = bytes[bytes.length - 60]! ^ 0x01;
		writeFileSync(copy, bytes);
		const holder = new pg.Client({connectionString: database.url});
		await holder.connect();
		try {
			const tool = createPostgresBackupTool(target, {lockTimeoutMs: 600_000});
			await assert.rejects(tool.restore({...artifact, path: copy}), (error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, /changed since it was written/);
				return true;
			});
		} finally {
			await holder.end();
		}

		const fresh = (await database.sql(`SELECT count(*)::int AS n FROM pg_database WHERE starts_with(datname, current_database() || '_cutover_restore_')`)).rows[0] as {n: number};
		assert.equal(fresh.n, 0);
	});

	test('an existing file is never overwritten', async () => {
		const original = sha256(artifact.path);
		await assert.rejects(
			createPostgresBackupTool(target).backup({directory, fileName: 'seeded.dump', onProgress() {}}),
			(error: unknown) => error instanceof BackupError && /already exists/.test(error.message),
		);
		assert.equal(sha256(artifact.path), original);
	});

	test('a failing pg_dump leaves no partial file and says which tool failed', async () => {
		await assert.rejects(
			createPostgresBackupTool(target, {pgDump: 'false'}).backup({directory, fileName: 'failing.dump', onProgress() {}}),
			(error: unknown) => error instanceof BackupError && /pg_dump exited with code 1/.test(error.message),
		);
		assert.equal(existsSync(path.join(directory, 'failing.dump')), false);
	});

	test('a missing pg_dump says what to install', async () => {
		await assert.rejects(
			createPostgresBackupTool(target, {pgDump: 'pg_dump_not_installed'}).backup({directory, fileName: 'missing-tool.dump', onProgress() {}}),
			(error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, /pg_dump_not_installed cannot be run/);
				assert.match(error.hint, /postgresql-client/);
				return true;
			},
		);
		assert.equal(existsSync(path.join(directory, 'missing-tool.dump')), false);
	});

	test('a cancelled backup stops and removes its file', async () => {
		const controller = new AbortController();
		await assert.rejects(
			createPostgresBackupTool(target).backup({
				directory,
				fileName: 'cancelled.dump',
				signal: controller.signal,
				// Cancel as soon as the backup reports, which is before pg_dump has finished.
				onProgress: () => controller.abort(),
			}),
			(error: unknown) => error instanceof BackupError && /cancelled/.test(error.message),
		);
		assert.equal(existsSync(path.join(directory, 'cancelled.dump')), false);
		assert.deepEqual(readdirSync(directory).filter(name => name.startsWith('cancelled')), []);
	});

	test('a wrong database name is a TargetError that names the database', async () => {
		const url = new URL(database.url);
		url.pathname = '/no_such_database_here';
		await assert.rejects(openPostgresDatabase(targetFor(url.toString(), password)), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /no_such_database_here/);
			assert.match(error.hint, /no_such_database_here/);
			assertNoPassword(error);
			return true;
		});
	});

	test('the password never appears in an error, whatever fails', async () => {
		const trusted = await openPostgresDatabase(target);
		await trusted.close();

		const badHost = new URL(database.url);
		badHost.hostname = 'no-such-host.invalid';
		const unreachable = targetFor(badHost.toString(), password);
		await assert.rejects(openPostgresDatabase(unreachable), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /no-such-host\.invalid/);
			assertNoPassword(error);
			return true;
		});

		const tool = createPostgresBackupTool(unreachable);
		await assert.rejects(tool.backup({directory, fileName: 'unreachable.dump', onProgress() {}}), (error: unknown) => {
			assert.ok(error instanceof BackupError);
			assertNoPassword(error);
			return true;
		});
		await assert.rejects(tool.restore(artifact), (error: unknown) => {
			assert.ok(error instanceof BackupError);
			assertNoPassword(error);
			return true;
		});

		// A stand-in pg_dump that reports what it was given: the password comes by environment, never argv.
		const fakeDump = path.join(directory, 'fake-pg-dump.sh');
		writeFileSync(fakeDump, '#!/bin/sh\necho "argv: $*" >&2\n[ -n "$PGPASSWORD" ] && echo "env: PGPASSWORD set" >&2\nexit 2\n', {mode: 0o755});
		await assert.rejects(createPostgresBackupTool(target, {pgDump: fakeDump}).backup({directory, fileName: 'fake.dump', onProgress() {}}), (error: unknown) => {
			assert.ok(error instanceof BackupError);
			assert.match(error.message, /argv: .*--dbname=host='127\.0\.0\.1' port='\d+' user='postgres' dbname='cutover_backup_\w+'/);
			assert.match(error.message, /env: PGPASSWORD set/);
			assertNoPassword(error);
			return true;
		});
	});
});
