// A backup reports while it reads the catalog, before pg_dump says anything: a table size read
// behind another session's lock gives up quickly for the catalog's page counts, and a row count
// waiting for a lock says which table it waits on. Each lock here is let go by what the backup
// reports (never by the clock), with a fallback release a few seconds on for a backup that stays silent.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, test} from 'node:test';
import pg from 'pg';
import {createPostgresBackupTool, type PostgresBackupOptions} from '../../source/adapters/postgres/backup-tool.js';
import {dumpedTableSizes} from '../../source/adapters/postgres/user-tables.js';
import type {BackupArtifact, BackupProgress} from '../../source/engine/model.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

type PostgresTarget = Extract<ReturnType<typeof parseTarget>, {engine: 'postgres'}>;

/** How long a silent backup keeps the lock before the test lets it go anyway, so the old behaviour fails instead of hanging. */
const fallbackReleaseMs = 4000;
/** The reports come every 250 ms; six times that is a generous bound for the longest silence on a loaded machine (the old code was silent for the whole 2 s lock). */
const longestSilenceMs = 1500;

const seedSql = `
	CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
	INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 20000) g;
	CREATE TABLE readings (id int PRIMARY KEY, account_id int NOT NULL REFERENCES accounts (id), value int NOT NULL);
	INSERT INTO readings SELECT g, 1 + g % 20000, g FROM generate_series(1, 50000) g;
	CREATE TABLE zones (id int PRIMARY KEY, name text NOT NULL);
	INSERT INTO zones SELECT g, 'zone ' || g FROM generate_series(1, 100) g;
	CREATE TABLE cutover_migrations (name text PRIMARY KEY);
	INSERT INTO cutover_migrations VALUES ('001_init');
`;

type Hold = {
	/** Lets the lock go (once); `byReport` says why, for the assertion. */
	release(byReport: boolean): Promise<void>;
	releasedByReport(): boolean | null;
	released: Promise<void>;
};

describe('PostgreSQL backup: no long silence before pg_dump reports', () => {
	let database: ThrowawayDatabase;
	let target: PostgresTarget;
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-pg-gaps-'));
	const sessions: pg.Client[] = [];

	async function session(name: string): Promise<pg.Client> {
		const client = new pg.Client({connectionString: database.url, application_name: name});
		client.on('error', () => {});
		await client.connect();
		sessions.push(client);
		return client;
	}

	/** Another session holds ACCESS EXCLUSIVE on `table` until released, or for fallbackReleaseMs at most. */
	async function hold(table: string): Promise<Hold> {
		const holder = await session(`app holding ${table}`);
		await holder.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
		let why: boolean | null = null;
		let done: Promise<void> | null = null;
		let timer: NodeJS.Timeout | undefined;
		let settle = () => {};
		const released = new Promise<void>(resolve => {
			settle = resolve;
		});
		const release = async (byReport: boolean) => {
			if (done === null) {
				clearTimeout(timer);
				why = byReport;
				done = holder.query('COMMIT').then(settle);
			}

			return done;
		};

		timer = setTimeout(() => void release(false), fallbackReleaseMs);
		return {release, releasedByReport: () => why, released};
	}

	/** Runs a backup, timing each report; the gaps include the start to the first report and the last one to the end. */
	async function backup(options: PostgresBackupOptions, fileName: string, onReport: (progress: BackupProgress) => void) {
		const reports: BackupProgress[] = [];
		const started = performance.now();
		let last = started;
		let longest = 0;
		const artifact: BackupArtifact = await createPostgresBackupTool(target, {backupLockWaitMs: 20_000, ...options}).backup({
			directory,
			fileName,
			onProgress(progress) {
				const now = performance.now();
				longest = Math.max(longest, now - last);
				last = now;
				reports.push(progress);
				onReport(progress);
			},
		});
		longest = Math.max(longest, performance.now() - last);
		return {artifact, reports, longest};
	}

	before(async () => {
		database = await createThrowawayDatabase('cutover_gaps');
		await database.sql(seedSql);
		// The page counts the size read falls back to are VACUUM's.
		await database.sql('VACUUM ANALYZE');
		target = parseTarget(database.url) as PostgresTarget;
	});

	afterEach(async () => {
		for (const client of sessions.splice(0)) {
			// eslint-disable-next-line no-await-in-loop -- one at a time
			await client.end().catch(() => undefined);
		}
	});

	after(async () => {
		await database?.drop();
		rmSync(directory, {recursive: true, force: true});
	});

	test('the size read does not wait behind a held table: the totals are reported while the lock is still held', async () => {
		// cutover's bookkeeping table is dumped (so sized) but not counted: only the size read, then pg_dump, would wait.
		const held = await hold('cutover_migrations');
		const {artifact, reports, longest} = await backup({policy: {format: 'custom'}}, 'sized.dump', progress => {
			if (progress.dataTotal !== undefined) {
				void held.release(true);
			}
		});
		await held.released;
		assert.equal(held.releasedByReport(), true, 'the sizes were reported while the lock was held, not after it was let go');
		assert.equal(artifact.format, 'pg-custom');
		assert.ok(existsSync(artifact.path));
		assert.deepEqual(artifact.sourceCounts, {accounts: 20_000, readings: 50_000, zones: 100});
		const final = reports.at(-1)!;
		assert.equal(final.bytes, artifact.bytes);
		assert.equal(final.tablesDone, 4);
		assert.ok(longest <= longestSilenceMs, `the longest silence was ${Math.round(longest)} ms`);
	});

	test('a row count waiting for a lock reports which table it counts, every few hundred ms, until the lock is let go (directory format, 2 jobs)', async () => {
		const held = await hold('readings');
		let waiting = 0;
		const {artifact, reports, longest} = await backup({policy: {format: 'directory', jobs: 2}, cores: 2}, 'counted.dump', progress => {
			// Four reports while the count waits: the backup is seen alive, and says on what.
			if (progress.countingTable === 'readings' && ++waiting === 4) {
				void held.release(true);
			}
		});
		await held.released;
		assert.equal(held.releasedByReport(), true, `the count's wait was reported (${waiting} reports named readings)`);
		assert.equal(artifact.format, 'pg-directory');
		assert.deepEqual(artifact.sourceCounts, {accounts: 20_000, readings: 50_000, zones: 100});
		const counted = reports.map(progress => progress.countingTable).filter(name => name !== undefined);
		assert.ok(counted.every(name => ['accounts', 'readings', 'zones'].includes(name)), counted.join(', '));
		// Once pg_dump names a table, the counting is over.
		const dumping = reports.findIndex(progress => progress.currentTable !== undefined);
		assert.ok(dumping > 0);
		assert.ok(reports.slice(dumping).every(progress => progress.countingTable === undefined));
		const final = reports.at(-1)!;
		assert.equal(final.bytes, artifact.bytes);
		assert.equal(final.dataDone, final.dataTotal);
		assert.ok(longest <= longestSilenceMs, `the longest silence was ${Math.round(longest)} ms`);
	});

	test('dumpedTableSizes returns the catalog\'s page counts while a table is held, whatever the session\'s lock timeout', async () => {
		const client = await session('sizes');
		await client.query('SET lock_timeout = 20000');
		const pages = await client.query<{name: string; bytes: string}>(`SELECT relname AS name, (relpages::bigint * current_setting('block_size')::bigint)::text AS bytes
			FROM pg_class WHERE relname IN ('accounts', 'readings', 'zones', 'cutover_migrations') AND relkind = 'r'`);
		const held = await hold('readings');
		const sizes = await dumpedTableSizes(client);
		const stillHeld = held.releasedByReport() === null;
		await held.release(true);
		assert.ok(stillHeld, 'the sizes came back while the lock was still held');
		for (const {name, bytes} of pages.rows) {
			assert.equal(sizes.get(`public.${name}`), Number(bytes), name);
		}

		assert.ok((sizes.get('public.readings') ?? 0) > 0, 'a vacuumed table has pages');
		// Without a lock in the way, the sizes are pg_table_size's, and the session is left as it was.
		const free = await dumpedTableSizes(client);
		const exact = await client.query<{bytes: string}>('SELECT pg_table_size(\'readings\')::text AS bytes');
		assert.equal(free.get('public.readings'), Number(exact.rows[0]!.bytes));
		assert.equal((await client.query<{lock_timeout: string}>('SHOW lock_timeout')).rows[0]!.lock_timeout, '20s');
	});
});
