import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {nextSize, paceAfter, walFull} from '../../source/adapters/migrator/backfill.js';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {MigrationError, MigrationStoppedError} from '../../source/errors/index.js';
import type {BackfillProgress} from '../../source/ports/migrator.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const made: string[] = [];
after(() => {
	for (const dir of made) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function directory(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-backfill-'));
	made.push(dir);
	for (const [name, content] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), content);
	}

	return dir;
}

const context = {runId: 'run-backfill', appliedBy: 'tester@host'};

/** Adds the column (again, on a resume: IF NOT EXISTS) and fills it from another, with no `where`: only the durable position keeps it exactly once. */
const expand = (options: string) => `export const transaction = false;
export async function up({engine, query, backfill}) {
	// SQLite has no ADD COLUMN IF NOT EXISTS: a resume looks first.
	const there = engine === 'sqlite' && (await query("SELECT 1 FROM pragma_table_info('readings') WHERE name = 'watts_x2'")).length > 0;
	if (!there) {
		await query(\`ALTER TABLE readings ADD COLUMN \${engine === 'postgres' ? 'IF NOT EXISTS ' : ''}watts_x2 integer\`);
	}

	return backfill({table: 'readings', set: 'watts_x2 = watts * 2', ${options}});
}
export async function down({query}) {
	await query('ALTER TABLE readings DROP COLUMN IF EXISTS watts_x2');
}
`;

/** Each row counts its own updates, so "exactly once" is read from the rows, not from the helper's word. */
const seedPostgres = (rows: number) => `CREATE TABLE readings (id integer PRIMARY KEY, watts integer NOT NULL, updates integer NOT NULL DEFAULT 0);
INSERT INTO readings (id, watts) SELECT g * 3, g FROM generate_series(1, ${rows}) g;
CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updates := OLD.updates + 1; RETURN NEW; END $$;
CREATE TRIGGER readings_updates BEFORE UPDATE ON readings FOR EACH ROW EXECUTE FUNCTION count_update();`;

const tally = `SELECT count(*)::int AS rows, count(*) FILTER (WHERE updates = 1)::int AS once, count(*) FILTER (WHERE watts_x2 = watts * 2)::int AS filled, max(updates) AS most FROM readings`;

describe('backfill on postgres', () => {
	test('20,000 rows in batches: every row updated exactly once, batch sizes follow the time, progress from start to end, positions forgotten with the log row', async () => {
		const database = await createThrowawayDatabase('cutover_backfill');
		await database.sql(seedPostgres(20_000));
		const migrator = await openMigrator({target: parseTarget(database.url), directory: directory({'0001_expand.mjs': expand('batchSize: 200, maxLockMs: 200')})});
		try {
			const reports: BackfillProgress[] = [];
			await migrator.up('0001_expand', {...context, onBackfill: p => reports.push(p) > 0});
			assert.deepEqual((await database.sql(tally)).rows, [{rows: 20_000, once: 20_000, filled: 20_000, most: 1}]);
			assert.deepEqual(reports[0], {table: 'readings', rows: 0, total: 20_000, resumedFrom: 0, batches: 0, batchSize: 200, longestBatchMs: 0, longestServerMs: 0, maxLockMs: 200, overBound: 0, rowsPerSecond: 0, etaMs: null, finished: false});
			const last = reports.at(-1)!;
			assert.equal(last.finished, true);
			assert.equal(last.rows, 20_000);
			assert.equal(last.total, 20_000);
			assert.ok(last.batches > 1 && last.batches < 100, `batches: ${last.batches}`);
			assert.ok(Math.max(...reports.map(r => r.batchSize)) > 200, 'fast batches grew');
			assert.ok(last.longestBatchMs > 0 && last.rowsPerSecond > 0);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_backfill')).rows[0]?.['n'], 0, 'the position went with the log row');
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations WHERE name = \'0001_expand\'')).rows[0]?.['n'], 1);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('stopped between batches, then run again: it goes on after the last committed batch; every row updated exactly once', async () => {
		const database = await createThrowawayDatabase('cutover_backfill');
		await database.sql(seedPostgres(20_000));
		const migrator = await openMigrator({target: parseTarget(database.url), directory: directory({'0001_expand.mjs': expand('batchSize: 1000, maxBatchSize: 1000, maxLockMs: 60_000')})});
		try {
			let asked = 0;
			await assert.rejects(migrator.up('0001_expand', {...context, stopBetweenStatements: () => ++asked === 7}), MigrationStoppedError);
			// Asked before batches 2..8, stopped before the 8th: seven committed.
			const half = await database.sql('SELECT last_key, rows::int AS rows, done FROM cutover_backfill');
			assert.deepEqual(half.rows, [{last_key: String(7000 * 3), rows: 7000, done: false}]);
			assert.deepEqual((await database.sql('SELECT count(*) FILTER (WHERE updates = 1)::int AS once, count(*) FILTER (WHERE updates = 0)::int AS untouched FROM readings')).rows, [{once: 7000, untouched: 13_000}]);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations WHERE name = \'0001_expand\'')).rows[0]?.['n'] ?? 0, 0, 'not logged');

			const reports: BackfillProgress[] = [];
			await migrator.up('0001_expand', {...context, onBackfill: p => reports.push(p) > 0});
			assert.deepEqual((await database.sql(tally)).rows, [{rows: 20_000, once: 20_000, filled: 20_000, most: 1}]);
			assert.equal(reports[0]?.resumedFrom, 7000);
			assert.equal(reports[0]?.rows, 7000);
			assert.equal(reports.at(-1)?.batches, 13);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('a report the record cannot take stops it before the next batch, the batch before committed', async () => {
		const database = await createThrowawayDatabase('cutover_backfill');
		await database.sql(seedPostgres(3000));
		const migrator = await openMigrator({target: parseTarget(database.url), directory: directory({'0001_expand.mjs': expand('batchSize: 1000, maxBatchSize: 1000')})});
		try {
			// The start is recorded, the first batch's report is not.
			let reports = 0;
			await assert.rejects(migrator.up('0001_expand', {...context, onBackfill: () => ++reports < 2}), MigrationStoppedError);
			assert.deepEqual((await database.sql('SELECT rows::int AS rows FROM cutover_backfill')).rows, [{rows: 1000}]);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('a revert forgets the positions: the next up backfills every row again, once', async () => {
		const database = await createThrowawayDatabase('cutover_backfill');
		await database.sql(seedPostgres(2500));
		const migrator = await openMigrator({target: parseTarget(database.url), directory: directory({'0001_expand.mjs': expand('batchSize: 1000, maxBatchSize: 1000')})});
		try {
			await assert.rejects(migrator.up('0001_expand', {...context, stopBetweenStatements: () => true}), MigrationStoppedError);
			await migrator.down('0001_expand', {...context, partlyApplied: true});
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_backfill')).rows[0]?.['n'], 0);
			await database.sql('ALTER TABLE readings DISABLE TRIGGER readings_updates; UPDATE readings SET updates = 0; ALTER TABLE readings ENABLE TRIGGER readings_updates');
			await migrator.up('0001_expand', context);
			assert.deepEqual((await database.sql(tally)).rows, [{rows: 2500, once: 2500, filled: 2500, most: 1}]);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('a batch meeting a row locked by another session waits no longer than maxLockMs, is retried on the record, and goes on once the lock is gone', async () => {
		const database = await createThrowawayDatabase('cutover_backfill');
		await database.sql(seedPostgres(5000));
		const migrator = await openMigrator({target: parseTarget(database.url), directory: directory({'0001_fill.mjs': 'export const transaction = false;\nexport async function up({backfill}) {\n\tawait backfill({table: \'readings\', set: \'watts_x2 = watts * 2\', batchSize: 500, maxBatchSize: 500, maxLockMs: 50});\n}\n'}), lock: {backoffMs: 300, maxAttempts: 10}});
		const holder = new pg.Client({connectionString: database.url});
		await holder.connect();
		try {
			// The column is there before: the holder's lock is on one row, in the way of one batch only.
			await database.sql('ALTER TABLE readings ADD COLUMN watts_x2 integer');
			await holder.query('BEGIN');
			await holder.query('SELECT 1 FROM readings WHERE id = 6000 FOR UPDATE');
			const retries: string[] = [];
			const release = setTimeout(() => {
				void holder.query('COMMIT');
			}, 1200);
			await migrator.up('0001_fill', {...context, onRetry: retry => retries.push(retry.error)});
			clearTimeout(release);
			assert.ok(retries.length >= 1, 'the batch over the locked row was retried');
			assert.match(retries[0]!, /backfill of readings, batch \d+: canceling statement due to lock timeout/);
			assert.deepEqual((await database.sql(tally)).rows, [{rows: 5000, once: 5000, filled: 5000, most: 1}]);
		} finally {
			await holder.end();
			await migrator.close();
			await database.drop();
		}
	});

	test('refuses a key that is not unique, a missing table, bad options, and a backfill inside a transaction, each saying what to do', async () => {
		const database = await createThrowawayDatabase('cutover_backfill');
		await database.sql('CREATE TABLE loose (n integer, v integer)');
		const call = (options: string) => `export const transaction = false;\nexport async function up({backfill}) { await backfill(${options}); }\n`;
		const migrator = await openMigrator({target: parseTarget(database.url), directory: directory({
			'0001_not_unique.mjs': call('{table: \'loose\', key: \'n\', set: \'v = 1\'}'),
			'0002_no_table.mjs': call('{table: \'nowhere\', set: \'v = 1\'}'),
			'0003_bad_size.mjs': call('{table: \'loose\', set: \'v = 1\', batchSize: 0}'),
			'0004_in_transaction.mjs': 'export async function up({backfill}) { await backfill({table: \'loose\', set: \'v = 1\'}); }\n',
		})});
		try {
			await assert.rejects(migrator.up('0001_not_unique', context), /loose\.n is not a unique NOT NULL column.*pass the primary key as key/s);
			await assert.rejects(migrator.up('0002_no_table', context), /there is no table nowhere; name it as the catalog spells it/);
			await assert.rejects(migrator.up('0003_bad_size', context), /batchSize must be a whole number from 1 to 1000000 \(got 0\)/);
			await assert.rejects(migrator.up('0004_in_transaction', context), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.match(error.message, /calls backfill inside its transaction/);
				assert.match(error.hint, /export const transaction = false; to 0004_in_transaction\.mjs/);
				return true;
			});
		} finally {
			await migrator.close();
			await database.drop();
		}
	});
});

describe('backfill on sqlite', () => {
	const seed = (file: string, rows: number) => {
		const db = new BetterSqlite3(file);
		db.exec(`CREATE TABLE readings (id integer PRIMARY KEY, watts integer NOT NULL, updates integer NOT NULL DEFAULT 0);
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${rows}) INSERT INTO readings (id, watts) SELECT n * 3, n FROM g;
CREATE TRIGGER readings_updates AFTER UPDATE ON readings BEGIN UPDATE readings SET updates = updates + 1 WHERE id = NEW.id; END;`);
		db.close();
	};

	const counts = (file: string) => {
		const db = new BetterSqlite3(file, {readonly: true});
		try {
			return db.prepare('SELECT count(*) AS rows, sum(updates = 1) AS once, sum(watts_x2 = watts * 2) AS filled, max(updates) AS most FROM readings').get();
		} finally {
			db.close();
		}
	};

	test('5,000 rows stopped after two batches, run again: every row updated exactly once', async () => {
		const dir = directory({'0001_expand.mjs': expand('batchSize: 500, maxBatchSize: 500, maxLockMs: 60_000')});
		const file = path.join(dir, 'target.db');
		seed(file, 5000);
		const migrator = await openMigrator({target: parseTarget(`sqlite:${file}`), directory: dir});
		try {
			let asked = 0;
			// Asked before the module's second query (the ALTER), then before batches 2 and 3.
			await assert.rejects(migrator.up('0001_expand', {...context, stopBetweenStatements: () => ++asked === 3}), MigrationStoppedError);
			const reports: BackfillProgress[] = [];
			await migrator.up('0001_expand', {...context, onBackfill: p => reports.push(p) > 0});
			assert.equal(reports[0]?.resumedFrom, 1000);
			assert.equal(reports.at(-1)?.rows, 5000);
			assert.deepEqual(counts(file), {rows: 5000, once: 5000, filled: 5000, most: 1});
		} finally {
			await migrator.close();
		}
	});
});

describe('batch size', () => {
	test('the time per row: an average moving 30% a batch, but a batch past the overshoot line counts at once', () => {
		assert.equal(paceAfter(null, 30, 3000, 50), 0.01, 'the first batch sets it');
		assert.equal(paceAfter(0.01, 60, 2000, 50), 0.03, 'a batch past the overshoot line is believed at once');
		assert.ok(Math.abs(paceAfter(0.01, 45, 1500, 50) - 0.016) < 1e-12, 'a slow batch under the line moves it 30% of the way to 0.03');
		assert.ok(Math.abs(paceAfter(0.03, 10, 1000, 50) - 0.024) < 1e-12, 'a fast one too: 30% of the way from 0.03 to 0.01');
		assert.equal(paceAfter(0.01, 120, 1000, 50), 0.12);
	});

	test('PostgreSQL: the WAL is flushed before a batch when what is unwritten and what the batch writes would fill more than half of wal_buffers', () => {
		const mb = 1024 * 1024;
		assert.equal(walFull(5000, {buffers: 4 * mb, unwritten: 0, perRow: 200}), false, '1 MB of WAL to come, none unwritten');
		assert.equal(walFull(5000, {buffers: 4 * mb, unwritten: 0.5 * mb, perRow: 200}), false, '1.5 MB in all');
		assert.equal(walFull(5000, {buffers: 4 * mb, unwritten: 1.5 * mb, perRow: 200}), true, '2.5 MB in all: flushed first');
		assert.equal(walFull(20_000, {buffers: 4 * mb, unwritten: 0, perRow: 200}), true, 'a batch of 4 MB alone');
	});

	test('sized to the target at that pace, growing by half at most, shrinking at once however far, within the bounds', () => {
		assert.equal(nextSize(1000, 0.001, 20, 100_000), 1500, 'fast: grows by half, not to the 20,000 the pace allows');
		assert.equal(nextSize(1000, 0.016, 20, 100_000), 1250);
		assert.equal(nextSize(1000, 0.08, 20, 100_000), 250, 'an overshoot of four times shrinks to a quarter in one step');
		assert.equal(nextSize(80_000, 0.000_01, 20, 100_000), 100_000);
		assert.equal(nextSize(1, 1000, 20, 100_000), 1);
	});

	test('after one slow batch the sizes come back step by step, and a lucky fast batch does not size the next to the bound', () => {
		// 10 µs a row, one batch at four times that (100 ms, past the 50 ms line), 10 µs again, one at a quarter: the sizes picked.
		let size = 2000;
		let pace: number | null = null;
		const sizes: number[] = [];
		for (const msPerRow of [0.01, 0.01, 0.04, 0.01, 0.01, 0.01, 0.01, 0.01, 0.0025, 0.01]) {
			pace = paceAfter(pace, msPerRow * size, size, 50);
			size = nextSize(size, pace, 25, 100_000);
			sizes.push(size);
		}

		assert.deepEqual(sizes, [2500, 2500, 625, 806, 1012, 1232, 1453, 1662, 2216, 2294]);
		// The batch after the lucky one (four times as fast) takes 22 ms at the usual pace: sized from that batch alone, as
		// before, it doubled to 6,000 rows, 60 ms at the usual pace and 240 ms in a slow spell like the third batch's.
		assert.ok(sizes[8]! * 0.01 <= 25, `${sizes[8]} rows`);
	});
});
