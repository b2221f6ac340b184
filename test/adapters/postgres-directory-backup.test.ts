// The directory format with parallel jobs: chosen by size, followed table by table, hashed file by
// file, verified, and restored with pg_restore -j; and the custom format's older records still verify.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {sha256Artifact} from '../../source/adapters/postgres/artifact-digest.js';
import {createPostgresBackupTool, type PostgresBackupOptions} from '../../source/adapters/postgres/backup-tool.js';
import type {BackupArtifact, BackupProgress} from '../../source/engine/model.js';
import {BackupError} from '../../source/errors/index.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

type PostgresTarget = Extract<ReturnType<typeof parseTarget>, {engine: 'postgres'}>;

const seedSql = `
	CREATE TABLE a_readings (id int PRIMARY KEY, meter text NOT NULL, note text NOT NULL);
	INSERT INTO a_readings SELECT g, md5(g::text), repeat(md5((g * 7)::text), 3) FROM generate_series(1, 200000) g;
	CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
	INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 20000) g;
	CREATE SCHEMA billing;
	CREATE TABLE billing."Invoices" (id int PRIMARY KEY, user_id int REFERENCES users (id), amount numeric(12, 2) NOT NULL);
	INSERT INTO billing."Invoices" SELECT g, 1 + g % 20000, g * 1.5 FROM generate_series(1, 700) g;
	CREATE TABLE readings (taken_on date NOT NULL, value int NOT NULL) PARTITION BY RANGE (taken_on);
	CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
	CREATE TABLE readings_2025 PARTITION OF readings FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
	INSERT INTO readings SELECT DATE '2024-06-01' + g % 400, g FROM generate_series(1, 5000) g;
	CREATE TABLE empty_one (id int);
`;

const stateSql = `SELECT
	(SELECT md5(string_agg(a::text, ',' ORDER BY id)) FROM a_readings a) AS readings_a,
	(SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u) AS users,
	(SELECT md5(string_agg(i::text, ',' ORDER BY id)) FROM billing."Invoices" i) AS invoices,
	(SELECT md5(string_agg(r::text, ',' ORDER BY value)) FROM readings r) AS readings,
	(SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE relkind IN ('r', 'p') AND nspname IN ('public', 'billing')) AS tables`;

/** Two jobs whatever this machine has, and a threshold any database passes. */
const parallel: PostgresBackupOptions = {policy: {format: 'auto', parallelThresholdBytes: 1024, jobs: 2}, cores: 2};

function sha256(file: string): string {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('PostgreSQL directory-format backup', () => {
	let database: ThrowawayDatabase;
	let target: PostgresTarget;
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-pg-dir-'));
	let artifact: BackupArtifact;
	const progress: BackupProgress[] = [];
	const commands: string[] = [];
	const observe = {
		started(command: string) {
			commands.push(command);
			return {finished() {}};
		},
	};

	before(async () => {
		database = await createThrowawayDatabase('cutover_dir');
		await database.sql(seedSql);
		target = parseTarget(database.url) as PostgresTarget;
		artifact = await createPostgresBackupTool(target, {...parallel, observe}).backup({directory, fileName: 'seeded.dump', onProgress: snapshot => progress.push(snapshot)});
	});

	after(async () => {
		await database?.drop();
		rmSync(directory, {recursive: true, force: true});
	});

	test('above the threshold: a directory written by pg_dump -Fd with 2 jobs and gzip level 1, the choice stated', () => {
		assert.equal(artifact.format, 'pg-directory');
		assert.equal(artifact.path, path.join(directory, 'seeded.dump'));
		assert.ok(statSync(artifact.path).isDirectory());
		assert.equal(artifact.jobs, 2);
		assert.deepEqual(artifact.compression, {method: 'gzip', level: 1});
		assert.match(artifact.chosen ?? '', /^directory format, 2 jobs \(the database, [\d.]+ MB, is at least the 1 kB threshold; jobs limited by/);
		const dump = commands.find(command => command.startsWith('pg_dump '));
		assert.match(dump ?? '', /--format=directory --jobs=2 --compress=1 /);
		assert.equal(createPostgresBackupTool(target).method, 'pg_dump custom, or directory with parallel jobs from 1 GB; gzip 1', 'the method the record and the screen show, by default');
		assert.equal(createPostgresBackupTool(target, {policy: {format: 'directory', jobs: 3, compression: 0}}).method, 'pg_dump directory format, up to 3 jobs, uncompressed');
		assert.deepEqual(artifact.sourceCounts, {a_readings: 200_000, 'billing.Invoices': 700, empty_one: 0, readings: 5000, users: 20_000});
	});

	test('the manifest names every file with its size and sha256, and hashes as sha256sum prints it', () => {
		const names = readdirSync(artifact.path).sort();
		assert.ok(names.includes('toc.dat'));
		assert.ok(names.filter(name => name.endsWith('.dat.gz')).length >= 6, names.join(', '));
		assert.deepEqual(artifact.files?.map(file => file.name), names);
		for (const file of artifact.files ?? []) {
			assert.equal(file.sha256, sha256(path.join(artifact.path, file.name)), file.name);
			assert.equal(file.bytes, statSync(path.join(artifact.path, file.name)).size, file.name);
		}

		assert.equal(artifact.bytes, artifact.files?.reduce((sum, file) => sum + file.bytes, 0));
		const bySha256sum = execFileSync('sh', ['-c', 'sha256sum * | sha256sum'], {cwd: artifact.path, env: {...process.env, LC_ALL: 'C'}}).toString().split(' ')[0];
		assert.equal(artifact.sha256, bySha256sum);
	});

	test('progress arrives table by table: tables done of total, bytes and data never go back, the end is the final size', () => {
		assert.ok(progress.length >= 3, `a few reports (got ${progress.length})`);
		const last = progress.at(-1)!;
		// a_readings, users, billing.Invoices, the two partitions of readings and empty_one.
		assert.equal(last.tablesTotal, 6);
		assert.equal(last.tablesDone, 6);
		assert.equal(last.bytes, artifact.bytes);
		assert.equal(last.dataDone, last.dataTotal);
		assert.ok((last.estimatedBytes ?? 0) > 0);
		assert.ok(progress.slice(0, -1).some(p => (p.tablesDone ?? 0) > 0 && (p.tablesDone ?? 0) < 6), 'some report in between');
		for (let index = 1; index < progress.length; index++) {
			assert.ok(progress[index]!.bytes >= progress[index - 1]!.bytes, `bytes never go back at report ${index}`);
			assert.ok(progress[index]!.dataDone! >= progress[index - 1]!.dataDone!, `data never goes back at report ${index}`);
		}

		const named = progress.flatMap(p => p.currentTable?.split(', ') ?? []);
		assert.ok(named.length > 0, 'some report names the tables being dumped');
		for (const name of named) {
			assert.ok(['a_readings', 'users', 'billing.Invoices', 'readings_2024', 'readings_2025', 'empty_one'].includes(name), `unexpected table ${name}`);
		}
	});

	test('it verifies: every file as recorded, pg_restore lists and reads it, every table has its data', async () => {
		const verification = await createPostgresBackupTool(target).verify(artifact);
		assert.deepEqual(verification.items.map(item => [item.name, item.ok]), [
			['directory', true],
			['checksum', true],
			['archive contents', true],
			['archive readable to the end', true],
			['table data', true],
		], JSON.stringify(verification.items));
		assert.match(verification.items[0]!.detail, new RegExp(`${artifact.files!.length} files, ${artifact.bytes} bytes`));
	});

	const copy = (name: string) => {
		const at = path.join(directory, name);
		cpSync(artifact.path, at, {recursive: true});
		return at;
	};

	const dataFile = () => artifact.files!.filter(file => file.name.endsWith('.dat.gz')).sort((a, b) => b.bytes - a.bytes)[0]!.name;

	test('a changed file fails the checksum, named', async () => {
		const at = copy('changed.dump');
		const file = path.join(at, dataFile());
		const bytes = readFileSync(file);
		bytes[100] = bytes[100]! ^ 0xff;
		writeFileSync(file, bytes);
		const verification = await createPostgresBackupTool(target).verify({...artifact, path: at});
		assert.equal(verification.ok, false);
		const byName = Object.fromEntries(verification.items.map(item => [item.name, item]));
		assert.equal(byName['directory']?.ok, true, 'same files, same sizes');
		assert.equal(byName['checksum']?.ok, false);
		assert.match(byName['checksum']!.detail, new RegExp(`${dataFile().replaceAll('.', '\\.')} has sha256 [0-9a-f]{64}, the backup recorded ${artifact.files!.find(f => f.name === dataFile())!.sha256}.*changed since it was written`));
	});

	test('a removed file fails the directory and the checksum, named; pg_restore cannot read it to the end', async () => {
		const at = copy('removed.dump');
		rmSync(path.join(at, dataFile()));
		const verification = await createPostgresBackupTool(target).verify({...artifact, path: at});
		assert.equal(verification.ok, false);
		const byName = Object.fromEntries(verification.items.map(item => [item.name, item]));
		assert.equal(byName['directory']?.ok, false);
		assert.match(byName['directory']!.detail, new RegExp(`missing: ${dataFile().replaceAll('.', '\\.')}`));
		assert.equal(byName['checksum']?.ok, false);
		assert.equal(byName['archive readable to the end']?.ok, false);
	});

	test('a file the backup did not write is named', async () => {
		const at = copy('extra.dump');
		appendFileSync(path.join(at, 'notes.txt'), 'left here\n');
		const verification = await createPostgresBackupTool(target).verify({...artifact, path: at});
		assert.equal(verification.ok, false);
		assert.match(verification.items.find(item => item.name === 'directory')!.detail, /not written by the backup: notes\.txt/);
	});

	test('a missing directory fails without throwing; a record whose manifest was edited fails its checksum', async () => {
		const gone = await createPostgresBackupTool(target).verify({...artifact, path: path.join(directory, 'gone.dump')});
		assert.deepEqual(gone.items.map(item => [item.name, item.ok]), [['directory', false]]);
		const edited = await createPostgresBackupTool(target).verify({...artifact, files: artifact.files!.slice(1)});
		assert.equal(edited.ok, false);
		assert.match(edited.items.find(item => item.name === 'checksum')!.detail, /does not hash to its sha256/);
	});

	test('the sha256 a resume compares is the manifest\'s', async () => {
		assert.equal(await sha256Artifact(artifact), artifact.sha256);
		const at = copy('for-resume.dump');
		rmSync(path.join(at, 'toc.dat'));
		assert.notEqual(await sha256Artifact({...artifact, path: at}), artifact.sha256);
	});

	test('restore with pg_restore -j 2 into a new database brings back the backup state; a tampered directory is refused', async () => {
		const scratch = await createThrowawayDatabase('cutover_dir_restore');
		const scratchDirectory = mkdtempSync(path.join(tmpdir(), 'cutover-pg-dir-restore-'));
		const seen: string[] = [];
		try {
			await scratch.sql(seedSql);
			const tool = createPostgresBackupTool(parseTarget(scratch.url) as PostgresTarget, {...parallel, observe: {started(command) {
				seen.push(command);
				return {finished() {}};
			}}});
			const backup = await tool.backup({directory: scratchDirectory, fileName: 'before.dump', onProgress() {}});
			assert.equal(backup.format, 'pg-directory');
			const state = (await scratch.sql(stateSql)).rows[0];
			await scratch.sql(`
				DELETE FROM a_readings WHERE id % 3 = 0;
				UPDATE billing."Invoices" SET amount = 0 WHERE id = 1;
				CREATE TABLE late (id int);
			`);
			assert.notDeepEqual((await scratch.sql(stateSql)).rows[0], state);

			const tampered = path.join(scratchDirectory, 'tampered.dump');
			cpSync(backup.path, tampered, {recursive: true});
			rmSync(path.join(tampered, 'toc.dat'));
			await assert.rejects(tool.restore({...backup, path: tampered}), (error: unknown) => {
				assert.ok(error instanceof BackupError);
				assert.match(error.message, /changed since it was written \(missing: toc\.dat/);
				return true;
			});
			assert.equal((await scratch.sql(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'late'`)).rows[0].n, 1, 'nothing was changed');

			const plan = await tool.describeRestore(backup);
			assert.match(plan.note, /pg_restore with up to 2 parallel jobs/);
			const outcome = await tool.restore(backup);
			assert.match(outcome.detail, /the replaced database is kept as/);
			assert.deepEqual((await scratch.sql(stateSql)).rows[0], state);
			const restore = seen.filter(command => command.startsWith('pg_restore ') && !command.includes('--list'));
			assert.equal(restore.length, 1, seen.join('\n'));
			assert.match(restore[0]!, /--jobs=2 --exit-on-error/);
			assert.doesNotMatch(restore[0]!, /--single-transaction/);
		} finally {
			await scratch.drop();
			rmSync(scratchDirectory, {recursive: true, force: true});
		}
	});

	test('under the threshold the same tool makes a custom-format file, its compression and choice stated', async () => {
		const artifactBelow = await createPostgresBackupTool(target, {policy: {parallelThresholdBytes: 1024 ** 4}, cores: 2}).backup({directory, fileName: 'small.dump', onProgress() {}});
		assert.equal(artifactBelow.format, 'pg-custom');
		assert.ok(statSync(artifactBelow.path).isFile());
		assert.equal(readFileSync(artifactBelow.path).subarray(0, 5).toString(), 'PGDMP');
		assert.deepEqual(artifactBelow.compression, {method: 'gzip', level: 1});
		assert.match(artifactBelow.chosen ?? '', /custom format \(the database, [\d.]+ MB, is under the 1 TB threshold for parallel jobs\)/);
		assert.equal(artifactBelow.files, undefined);
	});

	test('a record made before these fields (a custom-format file, no compression, no choice) still verifies, and its sha256 compares as before', async () => {
		const old = await createPostgresBackupTool(target, {policy: {format: 'custom', compression: 6}}).backup({directory, fileName: 'old.dump', onProgress() {}});
		const {compression: _compression, chosen: _chosen, ...asRecordedThen} = old;
		const recorded: BackupArtifact = JSON.parse(JSON.stringify(asRecordedThen)) as BackupArtifact;
		assert.deepEqual(Object.keys(recorded).sort(), ['bytes', 'format', 'path', 'sha256', 'sourceCounts']);
		const verification = await createPostgresBackupTool(target, parallel).verify(recorded);
		assert.equal(verification.ok, true, JSON.stringify(verification.items));
		assert.deepEqual(verification.items.map(item => item.name), ['file', 'checksum', 'archive contents', 'archive readable to the end', 'table data']);
		assert.equal(await sha256Artifact(recorded), recorded.sha256);
	});

	test('a cancelled directory backup stops its jobs and removes the directory', async () => {
		const controller = new AbortController();
		await assert.rejects(
			// Once the directory is there: the backup reports while it reads the catalog too, before pg_dump and its directory.
			createPostgresBackupTool(target, parallel).backup({directory, fileName: 'cancelled.dump', signal: controller.signal, onProgress() {
				if (existsSync(path.join(directory, 'cancelled.dump'))) {
					controller.abort();
				}
			}}),
			(error: unknown) => error instanceof BackupError && /cancelled; the partial directory was removed/.test(error.message),
		);
		await new Promise(resolve => setTimeout(resolve, 500));
		assert.equal(existsSync(path.join(directory, 'cancelled.dump')), false, 'nothing written after the cancel either');
	});

	test('a failing pg_dump leaves no partial directory', async () => {
		await assert.rejects(
			createPostgresBackupTool(target, {...parallel, pgDump: 'false'}).backup({directory, fileName: 'failing.dump', onProgress() {}}),
			(error: unknown) => error instanceof BackupError && /pg_dump exited with code 1/.test(error.message),
		);
		assert.equal(existsSync(path.join(directory, 'failing.dump')), false);
	});
});
