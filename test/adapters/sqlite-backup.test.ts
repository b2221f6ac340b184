import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {createSqliteBackupTool} from '../../source/adapters/sqlite/backup-tool.js';
import {openSqliteDatabase} from '../../source/adapters/sqlite/database.js';
import type {BackupArtifact, BackupProgress, BackupVerification} from '../../source/engine/model.js';
import {BackupError, TargetError} from '../../source/errors/index.js';
import {createSqliteFile, type SqliteFile} from '../support/sqlite.js';

/** About 5 MB: enough pages for the copy to take several steps. */
const seed = (readings: number) => `
	CREATE TABLE sites (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
	INSERT INTO sites (name) VALUES ('north'), ('south'), ('east');
	CREATE TABLE readings (id INTEGER PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id), note TEXT NOT NULL);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${readings})
	INSERT INTO readings (site_id, note) SELECT 1 + i % 3, printf('%04d-%s', i, hex(randomblob(40))) FROM n;
	CREATE TABLE cutover_migrations (name TEXT PRIMARY KEY);
	INSERT INTO cutover_migrations VALUES ('001-init');
`;
const readings = 60_000;

function item(verification: BackupVerification, name: string) {
	const found = verification.items.find(entry => entry.name === name);
	assert.ok(found, `verification has an item named ${name}: ${JSON.stringify(verification.items)}`);
	return found;
}

function countsOf(file: string): Record<string, unknown> {
	const db = new BetterSqlite3(file, {readonly: true, fileMustExist: true});
	try {
		return {
			sites: db.prepare('SELECT count(*) FROM sites').pluck().get(),
			readings: db.prepare('SELECT count(*) FROM readings').pluck().get(),
		};
	} finally {
		db.close();
	}
}

describe('SQLite backup tool', () => {
	let source: SqliteFile;
	let artifact: BackupArtifact;
	const progress: BackupProgress[] = [];

	before(async () => {
		source = await createSqliteFile(seed(readings));
		artifact = await createSqliteBackupTool({path: source.path}).backup({
			directory: path.join(source.directory, 'backups', 'nested'),
			fileName: 'app-before.db',
			onProgress: report => progress.push(report),
		});
	});

	after(async () => source.cleanup());

	test('copies the file into a new directory and records size, sha256 and source counts', () => {
		assert.equal(artifact.path, path.join(source.directory, 'backups', 'nested', 'app-before.db'));
		assert.equal(artifact.format, 'sqlite-file');
		assert.equal(artifact.bytes, statSync(artifact.path).size);
		assert.match(artifact.sha256, /^[\da-f]{64}$/);
		assert.deepEqual(artifact.sourceCounts, {readings, sites: 3});
		assert.ok(artifact.bytes > 4_000_000, `the test database is several MB (${artifact.bytes})`);
	});

	test('reports progress in pages with growing pagesDone, ending at the full copy', () => {
		const paged = progress.filter(report => report.pagesDone !== undefined);
		assert.ok(paged.length >= 2, `at least two paged reports, got ${paged.length}`);
		for (const [index, report] of paged.entries()) {
			assert.ok(report.pagesDone! >= (paged[index - 1]?.pagesDone ?? 0), 'pagesDone never goes back');
			assert.equal(report.pagesTotal, paged[0]!.pagesTotal);
			assert.equal(report.estimatedBytes, artifact.bytes);
		}

		assert.ok(paged[0]!.pagesDone! < paged[0]!.pagesTotal!, 'an early report shows the copy unfinished');
		const last = progress.at(-1)!;
		assert.equal(last.pagesDone, last.pagesTotal);
		assert.equal(last.bytes, artifact.bytes);
	});

	test('a fresh backup verifies, every item ok', async () => {
		const verification = await createSqliteBackupTool({path: source.path}).verify(artifact);
		assert.deepEqual(verification.items.map(entry => [entry.name, entry.ok]), [
			['file', true],
			['sha256', true],
			['integrity check', true],
			['row counts', true],
		]);
		assert.equal(verification.ok, true);
	});

	test('never overwrites an existing file', async () => {
		const before = readFileSync(artifact.path);
		await assert.rejects(
			createSqliteBackupTool({path: source.path}).backup({directory: path.dirname(artifact.path), fileName: 'app-before.db', onProgress() {}}),
			(error: unknown) => error instanceof BackupError && /already exists/.test(error.message) && error.hint.length > 0,
		);
		assert.deepEqual(readFileSync(artifact.path), before);
	});
});

describe('SQLite backup verification of a damaged copy', () => {
	let source: SqliteFile;
	let fresh: () => Promise<BackupArtifact>;
	let copies = 0;
	const tool = () => createSqliteBackupTool({path: source.path});

	before(async () => {
		source = await createSqliteFile(seed(20_000));
		fresh = async () => tool().backup({directory: path.join(source.directory, 'backups'), fileName: `copy-${copies++}.db`, onProgress() {}});
	});

	after(async () => source.cleanup());

	test('flipped bytes in the middle fail the sha256', async () => {
		const artifact = await fresh();
		const bytes = readFileSync(artifact.path);
		const middle = Math.floor(bytes.length / 2);
		for (let i = middle; i < middle + 16; i++) {
			bytes[i] = bytes[i]! ^ 0xff;
		}

		writeFileSync(artifact.path, bytes);
		const verification = await tool().verify(artifact);
		assert.equal(verification.ok, false);
		assert.equal(item(verification, 'file').ok, true, 'same size');
		assert.equal(item(verification, 'sha256').ok, false);
		assert.match(item(verification, 'sha256').detail, /recorded/);
	});

	test('a zeroed page fails the integrity check', async () => {
		const artifact = await fresh();
		const bytes = readFileSync(artifact.path);
		const pageSize = bytes.readUInt16BE(16);
		const page = Math.floor(bytes.length / pageSize / 2);
		bytes.fill(0, page * pageSize, (page + 1) * pageSize);
		writeFileSync(artifact.path, bytes);
		const verification = await tool().verify(artifact);
		assert.equal(verification.ok, false);
		assert.equal(item(verification, 'integrity check').ok, false);
		assert.match(item(verification, 'integrity check').detail, /integrity_check/);
	});

	test('a truncated copy fails on its size', async () => {
		const artifact = await fresh();
		truncateSync(artifact.path, Math.floor(artifact.bytes / 2));
		const verification = await tool().verify(artifact);
		assert.equal(verification.ok, false);
		assert.equal(item(verification, 'file').ok, false);
		assert.match(item(verification, 'file').detail, new RegExp(`${Math.floor(artifact.bytes / 2)} bytes, the backup recorded ${artifact.bytes}`));
		assert.equal(item(verification, 'sha256').ok, false);
	});

	test('a deleted row fails the row counts, naming the table and both counts', async () => {
		const artifact = await fresh();
		const db = new BetterSqlite3(artifact.path, {fileMustExist: true});
		db.exec('DELETE FROM readings WHERE id = 7');
		db.close();
		const verification = await tool().verify(artifact);
		assert.equal(verification.ok, false);
		assert.equal(item(verification, 'integrity check').ok, true, 'the file itself is sound');
		const counts = item(verification, 'row counts');
		assert.equal(counts.ok, false);
		assert.equal(counts.detail, 'readings has 19999 rows, the source had 20000');
	});

	test('a dropped table is named as missing', async () => {
		const artifact = await fresh();
		const db = new BetterSqlite3(artifact.path, {fileMustExist: true});
		db.exec('DROP TABLE readings');
		db.close();
		const counts = item(await tool().verify(artifact), 'row counts');
		assert.equal(counts.ok, false);
		assert.equal(counts.detail, 'readings missing from the copy');
	});

	test('a missing file fails every item without throwing', async () => {
		const artifact = await fresh();
		const verification = await tool().verify({...artifact, path: `${artifact.path}.gone`});
		assert.equal(verification.ok, false);
		assert.ok(verification.items.every(entry => !entry.ok));
		assert.match(item(verification, 'file').detail, /does not exist/);
	});
});

describe('SQLite backup in WAL mode', () => {
	test('copies rows still only in the WAL, and verifying leaves no side files behind', async () => {
		const source = await createSqliteFile(seed(1000), {wal: true});
		const writer = new BetterSqlite3(source.path);
		try {
			writer.pragma('wal_autocheckpoint = 0');
			writer.exec(`INSERT INTO sites (name) VALUES ('west')`);
			assert.ok(statSync(`${source.path}-wal`).size > 0, 'the new row sits in the WAL');
			const tool = createSqliteBackupTool({path: source.path});
			const directory = path.join(source.directory, 'backups');
			const artifact = await tool.backup({directory, fileName: 'wal.db', onProgress() {}});
			assert.deepEqual(artifact.sourceCounts, {readings: 1000, sites: 4});
			const verification = await tool.verify(artifact);
			assert.equal(verification.ok, true, JSON.stringify(verification.items));
			assert.deepEqual(readdirSync(directory), ['wal.db']);
		} finally {
			writer.close();
			await source.cleanup();
		}
	});
});

describe('SQLite backup cancellation and failures', () => {
	test('an abort mid-copy throws BackupError and removes the partial file', async () => {
		const source = await createSqliteFile(seed(400_000));
		try {
			const controller = new AbortController();
			const directory = path.join(source.directory, 'backups');
			await assert.rejects(
				createSqliteBackupTool({path: source.path}).backup({
					directory,
					fileName: 'cancelled.db',
					signal: controller.signal,
					onProgress(report) {
						if (report.pagesDone !== undefined) {
							controller.abort();
						}
					},
				}),
				(error: unknown) => error instanceof BackupError && /cancelled/.test(error.message),
			);
			assert.deepEqual(readdirSync(directory), []);
		} finally {
			await source.cleanup();
		}
	});

	test('a source another connection keeps locked fails after the busy timeout, saying so, and leaves no file', async () => {
		const source = await createSqliteFile(seed(100));
		const holder = new BetterSqlite3(source.path);
		try {
			holder.exec('BEGIN EXCLUSIVE');
			const directory = path.join(source.directory, 'backups');
			await assert.rejects(
				createSqliteBackupTool({path: source.path}).backup({directory, fileName: 'locked.db', onProgress() {}}),
				(error: unknown) => error instanceof BackupError && /stayed locked by another connection/.test(error.message) && /exclusive lock/.test(error.hint),
			);
			assert.deepEqual(readdirSync(directory), [], 'no copy, empty or partial, is left');
		} finally {
			holder.close();
			await source.cleanup();
		}
	});

	test('an abort while the source is locked cancels within a second, and the process lives on', async () => {
		const source = await createSqliteFile(seed(100));
		const holder = new BetterSqlite3(source.path);
		try {
			holder.exec('BEGIN EXCLUSIVE');
			const controller = new AbortController();
			const directory = path.join(source.directory, 'backups');
			const started = Date.now();
			setTimeout(() => controller.abort(), 300);
			await assert.rejects(
				createSqliteBackupTool({path: source.path}).backup({directory, fileName: 'locked.db', signal: controller.signal, onProgress() {}}),
				(error: unknown) => error instanceof BackupError && /cancelled/.test(error.message),
			);
			// Before, the worker sat in one five-second native wait and was stopped from outside, which aborted the process.
			assert.ok(Date.now() - started < 4000, `cancelled after ${Date.now() - started} ms`);
			assert.deepEqual(readdirSync(directory), []);
		} finally {
			holder.close();
			await source.cleanup();
		}
	});

	test('a missing source fails with TargetError when opened and BackupError when backed up', async () => {
		const source = await createSqliteFile('CREATE TABLE t (a)');
		try {
			const missing = path.join(source.directory, 'no-such.db');
			await assert.rejects(openSqliteDatabase({path: missing}), (error: unknown) => error instanceof TargetError && /does not exist/.test(error.message) && error.hint !== '');
			assert.equal(existsSync(missing), false, 'no empty database was created');
			const directory = path.join(source.directory, 'backups');
			await assert.rejects(
				createSqliteBackupTool({path: missing}).backup({directory, fileName: 'x.db', onProgress() {}}),
				(error: unknown) => error instanceof BackupError && error.cause instanceof TargetError,
			);
			assert.equal(existsSync(path.join(directory, 'x.db')), false);
		} finally {
			await source.cleanup();
		}
	});
});

describe('SQLite backup of something that is not a database', () => {
	test('fails with BackupError carrying the reason and hint, and leaves no file', async () => {
		const source = await createSqliteFile('CREATE TABLE t (a)');
		try {
			const bogus = path.join(source.directory, 'notes.db');
			writeFileSync(bogus, 'plain text, not SQLite. '.repeat(100));
			const directory = path.join(source.directory, 'backups');
			await assert.rejects(
				createSqliteBackupTool({path: bogus}).backup({directory, fileName: 'x.db', onProgress() {}}),
				(error: unknown) => error instanceof BackupError && /is not a SQLite database: it does not begin with the SQLite header/.test(error.message) && /--db/.test(error.hint),
			);
			assert.deepEqual(readdirSync(directory), []);
		} finally {
			await source.cleanup();
		}
	});
});

describe('SQLite restore', () => {
	test('swaps the backup in and keeps the replaced file', async () => {
		const source = await createSqliteFile(seed(2000));
		try {
			const tool = createSqliteBackupTool({path: source.path}, {now: () => Date.UTC(2025, 2, 14, 9, 30, 5)});
			const artifact = await tool.backup({directory: path.join(source.directory, 'backups'), fileName: 'before.db', onProgress() {}});
			source.exec('DELETE FROM readings WHERE id > 1500; ALTER TABLE sites ADD COLUMN code TEXT');
			const outcome = await tool.restore(artifact);
			const aside = `${source.path}.replaced-2025-03-14T09-30-05Z`;
			assert.match(outcome.detail, new RegExp(aside.replaceAll('.', '\\.')));
			assert.deepEqual(countsOf(source.path), {readings: 2000, sites: 3});
			assert.deepEqual(countsOf(aside), {readings: 1500, sites: 3});
			assert.deepEqual(readFileSync(source.path), readFileSync(artifact.path));
			assert.deepEqual(readdirSync(source.directory).sort(), ['app.db', 'app.db.replaced-2025-03-14T09-30-05Z', 'backups']);
			assert.match((await tool.describeRestore(artifact)).note, /kept aside as .*\.replaced-/);
		} finally {
			await source.cleanup();
		}
	});

	test('moves a stale WAL aside with the replaced file instead of applying it to the backup', async () => {
		const source = await createSqliteFile(seed(500), {wal: true});
		try {
			const tool = createSqliteBackupTool({path: source.path}, {now: () => Date.UTC(2025, 0, 2, 3, 4, 5)});
			const artifact = await tool.backup({directory: path.join(source.directory, 'backups'), fileName: 'before.db', onProgress() {}});
			// A writer killed mid-run leaves its rows in the -wal file, never checkpointed.
			const crash = spawnSync(process.execPath, ['--input-type=module', '-e', `
				import Database from 'better-sqlite3';
				const db = new Database(${JSON.stringify(source.path)});
				db.pragma('wal_autocheckpoint = 0');
				db.exec("INSERT INTO sites (name) VALUES ('crashed')");
				process.kill(process.pid, 'SIGKILL');
			`], {cwd: process.cwd()});
			assert.equal(crash.signal, 'SIGKILL', crash.stderr.toString());
			assert.ok(statSync(`${source.path}-wal`).size > 0, 'the crash left a WAL');
			const outcome = await tool.restore(artifact);
			const aside = `${source.path}.replaced-2025-01-02T03-04-05Z`;
			assert.match(outcome.detail, /replaced-2025-01-02T03-04-05Z/);
			assert.equal(existsSync(`${source.path}-wal`), false);
			assert.ok(existsSync(`${aside}-wal`), 'the WAL went with the replaced file');
			assert.deepEqual(countsOf(source.path), {readings: 500, sites: 3});
			assert.deepEqual(countsOf(aside), {readings: 500, sites: 4}, 'the replaced file with its WAL still holds the crashed write');
		} finally {
			await source.cleanup();
		}
	});

	test('refuses a backup whose sha256 changed, leaving the target alone', async () => {
		const source = await createSqliteFile(seed(100));
		try {
			const tool = createSqliteBackupTool({path: source.path});
			const artifact = await tool.backup({directory: path.join(source.directory, 'backups'), fileName: 'before.db', onProgress() {}});
			const target = readFileSync(source.path);
			await assert.rejects(tool.restore({...artifact, sha256: '0'.repeat(64)}), (error: unknown) => error instanceof BackupError && /changed since it was made/.test(error.message));
			assert.deepEqual(readFileSync(source.path), target);
			assert.deepEqual(readdirSync(source.directory).sort(), ['app.db', 'backups']);
		} finally {
			await source.cleanup();
		}
	});
});
