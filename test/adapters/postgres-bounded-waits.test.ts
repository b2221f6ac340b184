// Nothing cutover sends to a PostgreSQL target waits for a lock without bound: a backup started
// while a session holds a table, or while an ALTER waits in the lock queue, fails in seconds and
// says who is in the way; a check past its timeout, or cancelled, stops.
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {createPostgresBackupTool} from '../../source/adapters/postgres/backup-tool.js';
import {openPostgresDatabase} from '../../source/adapters/postgres/database.js';
import {BackupError, CutoverError, QueryStoppedError} from '../../source/errors/index.js';
import type {Database} from '../../source/ports/index.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';
import {rowsOf} from '../support/outcome.js';

type PostgresTarget = Extract<ReturnType<typeof parseTarget>, {engine: 'postgres'}>;

describe('bounded lock waits on PostgreSQL', () => {
	let database: ThrowawayDatabase;
	let target: PostgresTarget;
	let directory: string;
	const others: pg.Client[] = [];

	/** Another application's session. */
	async function session(name: string): Promise<pg.Client> {
		const client = new pg.Client({connectionString: database.url, application_name: name});
		client.on('error', () => {});
		await client.connect();
		others.push(client);
		return client;
	}

	async function pidOf(client: pg.Client): Promise<number> {
		return Number((await client.query<{pid: number}>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
	}

	/** Until the session with that pid waits for a lock. */
	async function waitingForLock(pid: number): Promise<void> {
		for (let i = 0; i < 100; i++) {
			// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
			const {rows} = await database.sql(`SELECT 1 FROM pg_stat_activity WHERE pid = ${pid} AND wait_event_type = 'Lock'`);
			if (rows.length > 0) {
				return;
			}

			// eslint-disable-next-line no-await-in-loop -- polling
			await new Promise(resolve => setTimeout(resolve, 50));
		}

		throw new Error(`session ${pid} never waited for a lock`);
	}

	before(async () => {
		database = await createThrowawayDatabase('cutover_waits');
		await database.sql(`CREATE TABLE users (id int PRIMARY KEY, name text);
			INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 100) g;
			CREATE TABLE cutover_migrations (name text PRIMARY KEY)`);
		const parsed = parseTarget(database.url);
		assert.equal(parsed.engine, 'postgres');
		target = parsed as PostgresTarget;
		directory = mkdtempSync(path.join(tmpdir(), 'cutover-waits-'));
	});

	afterEach(async () => {
		for (const client of others.splice(0)) {
			// eslint-disable-next-line no-await-in-loop -- in order, one at a time
			await client.end().catch(() => {});
		}
	});

	after(async () => {
		await database?.drop();
		rmSync(directory, {recursive: true, force: true});
	});

	test('a backup while another session holds ACCESS EXCLUSIVE fails within the lock wait, naming the holder and the table', async () => {
		const holder = await session('app holding users');
		const holderPid = await pidOf(holder);
		await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
		const started = Date.now();
		const error = await createPostgresBackupTool(target, {backupLockWaitMs: 1000}).backup({directory, fileName: 'held.dump', onProgress() {}}).then(
			() => assert.fail('the backup should have failed'),
			(error: unknown) => error,
		);
		const took = Date.now() - started;
		assert.ok(error instanceof BackupError, String(error));
		assert.match(error.message, /could not take its locks within 1 s/);
		assert.match(error.message, new RegExp(`pid ${holderPid} \\(postgres, app holding users, idle in transaction: BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE\\)`));
		assert.match(error.message, /holds or waits for a lock on table users; try again when it is done/);
		assert.match(error.hint, /nothing was written/);
		assert.ok(took < 5000, `failed after ${took} ms`);
		assert.equal(existsSync(path.join(directory, 'held.dump')), false, 'no file is left behind');
	});

	test('a backup queued behind an ALTER that waits for a long reader fails naming the ALTER', async () => {
		const reader = await session('long reader');
		await reader.query('BEGIN; SELECT count(*) FROM users');
		const alter = await session('migration tool');
		const alterPid = await pidOf(alter);
		const altering = alter.query('ALTER TABLE users ADD COLUMN note text').catch((error: unknown) => error);
		await waitingForLock(alterPid);
		const started = Date.now();
		const error = await createPostgresBackupTool(target, {backupLockWaitMs: 1000}).backup({directory, fileName: 'queued.dump', onProgress() {}}).then(
			() => assert.fail('the backup should have failed'),
			(error: unknown) => error,
		);
		assert.ok(error instanceof BackupError, String(error));
		assert.ok(Date.now() - started < 5000);
		assert.match(error.message, new RegExp(`pid ${alterPid} \\(postgres, migration tool, active: ALTER TABLE users ADD COLUMN note text\\) holds or waits for a lock on table users`));
		await reader.query('ROLLBACK');
		await altering;
	});

	test('pg_dump itself waits at most --lock-wait-timeout for a table the counts do not read', async () => {
		// cutover's bookkeeping table is dumped but not counted: the wait happens in pg_dump.
		const holder = await session('app holding the log');
		const holderPid = await pidOf(holder);
		await holder.query('BEGIN; LOCK TABLE cutover_migrations IN ACCESS EXCLUSIVE MODE');
		const commands: string[] = [];
		const tool = createPostgresBackupTool(target, {
			backupLockWaitMs: 1000,
			observe: {started: command => (commands.push(command), {finished() {}})},
		});
		const started = Date.now();
		const error = await tool.backup({directory, fileName: 'dump-waits.dump', onProgress() {}}).then(
			() => assert.fail('the backup should have failed'),
			(error: unknown) => error,
		);
		assert.ok(error instanceof BackupError, String(error));
		assert.ok(Date.now() - started < 6000);
		assert.ok(commands.some(command => command.includes('--lock-wait-timeout=1000')), commands.join('\n'));
		assert.match(error.message, new RegExp(`could not take its locks within 1 s: pid ${holderPid} \\(postgres, app holding the log, idle in transaction: .*\\) holds or waits for a lock on table (public\\.)?cutover_migrations`));
		assert.deepEqual(readdirSync(directory).filter(name => name.startsWith('dump-waits')), []);
	});

	test('a backup whose lock wait is cut short by leaving stops at once', async () => {
		const holder = await session('app holding users');
		await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
		const abort = new AbortController();
		setTimeout(() => abort.abort(), 300);
		const started = Date.now();
		const error = await createPostgresBackupTool(target, {backupLockWaitMs: 20_000}).backup({directory, fileName: 'left.dump', signal: abort.signal, onProgress() {}}).then(
			() => assert.fail('the backup should have stopped'),
			(error: unknown) => error,
		);
		assert.ok(error instanceof BackupError, String(error));
		assert.match(error.message, /cancelled/);
		assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
	});

	describe('the Database port', () => {
		let db: Database;
		before(async () => {
			db = await openPostgresDatabase(target, {lockWaitMs: 1000});
		});
		after(async () => {
			await db?.close();
		});

		test('row counts behind a held lock fail within the lock wait, naming the holder', async () => {
			const holder = await session('app holding users');
			const holderPid = await pidOf(holder);
			await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
			const started = Date.now();
			const error = await db.rowCounts().then(() => assert.fail('the counts should have failed'), (error: unknown) => error);
			assert.ok(error instanceof CutoverError, String(error));
			assert.ok(Date.now() - started < 5000);
			assert.match(error.message, new RegExp(`row counts of .* could not take their locks within 1 s: pid ${holderPid} \\(.*\\) holds or waits for a lock on table users; try again when it is done`));
			await holder.query('ROLLBACK');
			assert.deepEqual(await db.rowCounts(), {users: 100}, 'the session is usable afterwards');
		});

		test('a snapshot behind a held lock fails within the lock wait, naming the holder; a signal stops it sooner', async () => {
			const holder = await session('app holding users');
			const holderPid = await pidOf(holder);
			await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
			const started = Date.now();
			const error = await db.snapshot().then(() => assert.fail('the snapshot should have failed'), (error: unknown) => error);
			assert.ok(error instanceof CutoverError, String(error));
			assert.ok(Date.now() - started < 5000);
			assert.match(error.message, new RegExp(`the snapshot of .* could not take its locks within 1 s: pid ${holderPid} \\(.*\\) holds or waits for a lock on table users; try again when it is done`));

			const leaving = new AbortController();
			setTimeout(() => leaving.abort(), 200);
			const stoppedAt = Date.now();
			const stopped = await openPostgresDatabase(target, {lockWaitMs: 20_000}).then(async slow => {
				try {
					return await slow.snapshot({signal: leaving.signal}).then(() => assert.fail('the snapshot should have stopped'), (error: unknown) => error);
				} finally {
					await slow.close();
				}
			});
			assert.ok(stopped instanceof QueryStoppedError, String(stopped));
			assert.ok(Date.now() - stoppedAt < 3000, `stopped after ${Date.now() - stoppedAt} ms`);
			await holder.query('ROLLBACK');
			assert.deepEqual((await db.snapshot()).tables.map(t => [t.name, t.rows]), [['users', 100]], 'the session is usable afterwards');
		});

		test('a check past its timeout is stopped by the server', async () => {
			const started = Date.now();
			const error = await db.query('select pg_sleep(30)', {timeoutMs: 1000}).then(() => assert.fail('should time out'), (error: unknown) => error);
			const took = Date.now() - started;
			assert.ok(error instanceof QueryStoppedError, String(error));
			assert.equal(error.reason, 'timed-out');
			assert.ok(took >= 900 && took < 4000, `took ${took} ms`);
			assert.deepEqual(rowsOf(await db.query('SELECT 1 AS one')), [[1]], 'the session is usable afterwards');
		});

		test('a check cancelled through its signal stops at once, and the next check is not cancelled', async () => {
			const abort = new AbortController();
			setTimeout(() => abort.abort(), 300);
			const started = Date.now();
			const error = await db.query('select pg_sleep(30)', {timeoutMs: 60_000, signal: abort.signal}).then(() => assert.fail('should be cancelled'), (error: unknown) => error);
			assert.ok(error instanceof QueryStoppedError, String(error));
			assert.equal(error.reason, 'cancelled');
			assert.ok(Date.now() - started < 3000);
			assert.deepEqual(rowsOf(await db.query('SELECT pg_sleep(0.2), 2 AS two')), [['', 2]]);
		});

		test('every statement of the session has a lock timeout', async () => {
			assert.deepEqual(rowsOf(await db.query('SHOW lock_timeout')), [['1s']]);
		});
	});
});
