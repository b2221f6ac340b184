import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {backoffAfter, resolveLockPolicy} from '../../source/adapters/migrator/lock-policy.js';
import {CutoverError, MigrationError} from '../../source/errors/index.js';
import type {LockPolicy, LockRetry} from '../../source/ports/migrator.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile} from '../support/sqlite.js';
import {parseTarget} from '../../source/target.js';

const context = {runId: 'run-lock-0001', appliedBy: 'tester@host'};
const dirs: string[] = [];
after(() => {
	for (const dir of dirs) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function migrations(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-migrator-lock-'));
	dirs.push(dir);
	for (const [name, text] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), text);
	}

	return dir;
}

const addNote = {
	'0001_add_note.up.sql': 'ALTER TABLE accounts ADD COLUMN note text;\n',
	'0001_add_note.down.sql': 'ALTER TABLE accounts DROP COLUMN note;\n',
};

test('backoff doubles from the base and stops at the cap; defaults fill what is not given', () => {
	const policy: LockPolicy = {lockTimeoutMs: 100, maxAttempts: 10, backoffMs: 1000};
	assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(attempt => backoffAfter(policy, attempt)), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
	assert.deepEqual(resolveLockPolicy({maxAttempts: 5}), {lockTimeoutMs: 5000, maxAttempts: 5, backoffMs: 1000});
	assert.equal(resolveLockPolicy({maxAttempts: 0}).maxAttempts, 1);
});

describe('lock timeouts on PostgreSQL', () => {
	/** A database with an accounts table, and a second client that reads it in a transaction it keeps open. */
	async function withHolder(work: (db: ThrowawayDatabase, holder: pg.Client, holderPid: number) => Promise<void>) {
		const db = await createThrowawayDatabase('cutover_lock');
		const holder = new pg.Client({connectionString: db.url, application_name: 'reporting job'});
		try {
			await db.sql('CREATE TABLE accounts (id int PRIMARY KEY); INSERT INTO accounts VALUES (1), (2)');
			await holder.connect();
			const pid = Number((await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
			await holder.query('BEGIN');
			// ACCESS SHARE on accounts until the transaction ends: ALTER TABLE must wait for it.
			await holder.query('SELECT count(*) FROM accounts');
			await work(db, holder, pid);
		} finally {
			await holder.end().catch(() => undefined);
			await db.drop();
		}
	}

	const columns = async (db: ThrowawayDatabase) => (await db.sql('SELECT column_name FROM information_schema.columns WHERE table_name = \'accounts\' ORDER BY ordinal_position')).rows.map(r => String(r.column_name));
	const logTable = async (db: ThrowawayDatabase) => (await db.sql('SELECT to_regclass(\'cutover_migrations\') AS t')).rows[0].t as unknown;

	test('each lock timeout is retried after a doubling backoff; the last one fails naming the holder, and nothing changed', async () => {
		await withHolder(async (db, _holder, holderPid) => {
			const migrator = await openMigrator({target: pgTarget(db), directory: migrations(addNote), lock: {lockTimeoutMs: 200, maxAttempts: 3, backoffMs: 50}});
			const retries: LockRetry[] = [];
			try {
				await assert.rejects(migrator.up('0001_add_note', {...context, onRetry: retry => retries.push(retry)}), (error: unknown) => {
					assert.ok(error instanceof MigrationError, String(error));
					assert.match(error.message, /^0001_add_note \(up\) gave up waiting for a lock after 3 attempts of 3 \(lock timeout 200 ms each\) at statement 1 of 1 in 0001_add_note\.up\.sql: canceling statement due to lock timeout/);
					assert.match(error.message, new RegExp(`held by pid ${holderPid} \\(postgres, reporting job, idle in transaction: SELECT count\\(\\*\\) FROM accounts\\)`));
					assert.match(error.hint, new RegExp(`pg_terminate_backend\\(${holderPid}\\)`));
					assert.match(error.hint, /lock-timeout/);
					assert.equal(error.statement, 'ALTER TABLE accounts ADD COLUMN note text');
					return true;
				});
			} finally {
				await migrator.close();
			}

			assert.deepEqual(retries.map(({attempt, maxAttempts, waitMs}) => ({attempt, maxAttempts, waitMs})), [
				{attempt: 1, maxAttempts: 3, waitMs: 50},
				{attempt: 2, maxAttempts: 3, waitMs: 100},
			]);
			for (const retry of retries) {
				assert.match(retry.error, new RegExp(`lock timeout; held by pid ${holderPid} `));
			}

			assert.deepEqual(await columns(db), ['id']);
			assert.equal(await logTable(db), null, 'the log table, created in the same transaction, was rolled back too');
		});
	});

	test('a holder that lets go during the backoff: the next attempt applies the migration', async () => {
		await withHolder(async (db, holder) => {
			const migrator = await openMigrator({target: pgTarget(db), directory: migrations(addNote), lock: {lockTimeoutMs: 200, maxAttempts: 3, backoffMs: 500}});
			const retries: LockRetry[] = [];
			let released: Promise<unknown> | undefined;
			try {
				await migrator.up('0001_add_note', {...context, onRetry(retry) {
					retries.push(retry);
					released ??= holder.query('COMMIT');
				}});
			} finally {
				await released;
				await migrator.close();
			}

			assert.ok(retries.length >= 1, 'the first attempt timed out');
			assert.equal(retries[0]?.attempt, 1);
			assert.deepEqual(await columns(db), ['id', 'note']);
			assert.deepEqual((await db.sql('SELECT name, run_id FROM cutover_migrations')).rows, [{name: '0001_add_note', run_id: context.runId}]);
		});
	});

	test('a SQL migration\'s own lock timeout wins over the migrator\'s', {timeout: 30_000}, async () => {
		await withHolder(async db => {
			const directory = migrations({
				'0001_add_note.up.sql': '-- Adds a note.\n-- cutover: lock-timeout=150ms\nALTER TABLE accounts ADD COLUMN note text;\n',
			});
			const migrator = await openMigrator({target: pgTarget(db), directory, lock: {lockTimeoutMs: 60_000, maxAttempts: 1}});
			try {
				await assert.rejects(migrator.up('0001_add_note', context), /after 1 attempt of 1 \(lock timeout 150 ms each\)/);
			} finally {
				await migrator.close();
			}
		});
	});

	test('a module migration\'s exported lockTimeoutMs wins over the migrator\'s', {timeout: 30_000}, async () => {
		await withHolder(async db => {
			const directory = migrations({
				'0001_add_note.mjs': 'export const lockTimeoutMs = 150;\nexport async function up({query}) {\n\tawait query(\'ALTER TABLE accounts ADD COLUMN note text\');\n}\n',
			});
			const migrator = await openMigrator({target: pgTarget(db), directory, lock: {lockTimeoutMs: 60_000, maxAttempts: 1}});
			try {
				await assert.rejects(migrator.up('0001_add_note', context), /after 1 attempt of 1 \(lock timeout 150 ms each\) at statement 1 in 0001_add_note\.mjs/);
			} finally {
				await migrator.close();
			}
		});
	});

	test('a run stopped during the backoff fails at once instead of trying again', {timeout: 30_000}, async () => {
		await withHolder(async db => {
			const migrator = await openMigrator({target: pgTarget(db), directory: migrations(addNote), lock: {lockTimeoutMs: 100, maxAttempts: 5, backoffMs: 20_000}});
			const stop = new AbortController();
			const retries: LockRetry[] = [];
			try {
				await assert.rejects(migrator.up('0001_add_note', {...context, signal: stop.signal, onRetry(retry) {
					retries.push(retry);
					stop.abort();
				}}), /was not tried again because the run is stopping \(1 attempt of 5\)/);
			} finally {
				await migrator.close();
			}

			assert.equal(retries.length, 1);
			assert.deepEqual(await columns(db), ['id']);
		});
	});
});

describe('lock timeouts on SQLite (the busy timeout)', () => {
	async function withWriter(work: (file: string, writer: BetterSqlite3.Database) => Promise<void>) {
		const sqlite = await createSqliteFile('CREATE TABLE accounts (id integer PRIMARY KEY); INSERT INTO accounts VALUES (1), (2);');
		const writer = new BetterSqlite3(sqlite.path);
		try {
			// Another process's write transaction: SQLite lets one writer at a time.
			writer.exec('BEGIN IMMEDIATE');
			await work(sqlite.path, writer);
		} finally {
			writer.close();
			await sqlite.cleanup();
		}
	}

	const columns = (file: string) => {
		const db = new BetterSqlite3(file, {readonly: true});
		try {
			return (db.prepare('SELECT name FROM pragma_table_info(\'accounts\')').all() as Array<{name: string}>).map(r => r.name);
		} finally {
			db.close();
		}
	};

	test('SQLITE_BUSY is retried, then fails to the rollback prompt with a hint', async () => {
		await withWriter(async file => {
			const migrator = await openMigrator({target: {engine: 'sqlite', path: file, display: file}, directory: migrations(addNote), lock: {lockTimeoutMs: 100, maxAttempts: 2, backoffMs: 10}});
			const retries: LockRetry[] = [];
			try {
				await assert.rejects(migrator.up('0001_add_note', {...context, onRetry: retry => retries.push(retry)}), (error: unknown) => {
					assert.ok(error instanceof MigrationError, String(error));
					assert.match(error.message, /gave up waiting for a lock after 2 attempts of 2 \(lock timeout 100 ms each\) in 0001_add_note\.up\.sql: database is locked; another connection holds the database's write lock/);
					assert.match(error.hint, /fuser or lsof/);
					return true;
				});
			} finally {
				await migrator.close();
			}

			assert.deepEqual(retries.map(r => [r.attempt, r.maxAttempts, r.waitMs]), [[1, 2, 10]]);
			assert.deepEqual(columns(file), ['id']);
		});
	});

	test('a writer that commits during the backoff lets the next attempt through', async () => {
		await withWriter(async (file, writer) => {
			const migrator = await openMigrator({target: {engine: 'sqlite', path: file, display: file}, directory: migrations(addNote), lock: {lockTimeoutMs: 100, maxAttempts: 2, backoffMs: 10}});
			const retries: LockRetry[] = [];
			try {
				await migrator.up('0001_add_note', {...context, onRetry(retry) {
					retries.push(retry);
					writer.exec('COMMIT');
				}});
				assert.deepEqual((await migrator.plan()).applied.map(a => a.name), ['0001_add_note']);
			} finally {
				await migrator.close();
			}

			assert.equal(retries.length, 1);
			assert.deepEqual(columns(file), ['id', 'note']);
		});
	});
});

test('a misspelt lock directive is refused when the migrations are read', async () => {
	const sqlite = await createSqliteFile('CREATE TABLE accounts (id integer PRIMARY KEY);');
	const directory = migrations({'0001_add_note.up.sql': '-- cutover: lock-timout=5s\nALTER TABLE accounts ADD COLUMN note text;\n'});
	const migrator = await openMigrator({target: {engine: 'sqlite', path: sqlite.path, display: sqlite.path}, directory});
	try {
		await assert.rejects(migrator.plan(), (error: unknown) => error instanceof CutoverError && /0001_add_note\.up\.sql: "-- cutover: lock-timout=5s" is not a directive cutover knows/.test(error.message));
	} finally {
		await migrator.close();
		await sqlite.cleanup();
	}
});

function pgTarget(db: ThrowawayDatabase) {
	return parseTarget(db.url);
}
