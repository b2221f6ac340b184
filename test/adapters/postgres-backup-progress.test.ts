// The backup bar follows what pg_dump reports (tables and their sizes), not compressed bytes against the raw size.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {createPostgresBackupTool} from '../../source/adapters/postgres/backup-tool.js';
import {DumpWork} from '../../source/adapters/postgres/dump-work.js';
import type {BackupProgress} from '../../source/engine/model.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

type PostgresTarget = Extract<ReturnType<typeof parseTarget>, {engine: 'postgres'}>;

// Different sizes, the biggest first in pg_dump's order (by name), where a bar without a pace would sit at zero longest.
const seedSql = `
	CREATE TABLE a_readings (id int PRIMARY KEY, meter text NOT NULL, note text NOT NULL);
	INSERT INTO a_readings SELECT g, md5(g::text), repeat(md5((g * 7)::text), 3) FROM generate_series(1, 300000) g;
	CREATE TABLE b_meters (id int PRIMARY KEY, serial text NOT NULL);
	INSERT INTO b_meters SELECT g, md5(g::text) FROM generate_series(1, 60000) g;
	CREATE TABLE c_tariffs (id int PRIMARY KEY, name text NOT NULL);
	INSERT INTO c_tariffs SELECT g, 'tariff ' || g FROM generate_series(1, 50) g;
	CREATE TABLE d_empty (id int);
	CREATE TABLE e_users (id int PRIMARY KEY, name text NOT NULL);
	INSERT INTO e_users SELECT g, 'user ' || g FROM generate_series(1, 20000) g;
`;

describe('PostgreSQL backup progress', () => {
	let database: ThrowawayDatabase;
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-progress-'));
	before(async () => {
		database = await createThrowawayDatabase('cutover_progress');
		await database.sql(seedSql);
	});
	after(async () => {
		await database?.drop();
		rmSync(directory, {recursive: true, force: true});
	});

	test('a real pg_dump: monotonic, weighted by table size, all tables reached before the finish, never far below the time spent', async () => {
		const target = parseTarget(database.url) as PostgresTarget;
		const seen: Array<{at: number; progress: BackupProgress}> = [];
		const started = Date.now();
		const artifact = await createPostgresBackupTool(target).backup({directory, fileName: 'progress.dump', onProgress: progress => seen.push({at: Date.now(), progress})});
		const finished = Date.now();
		const last = seen.at(-1)!;
		const before = seen.slice(0, -1);
		assert.ok(before.length >= 3, `a few reports during the dump (got ${before.length})`);
		const total = last.progress.dataTotal!;
		assert.ok(total > 0);
		assert.equal(last.progress.dataDone, total, 'the final report is the whole data');
		assert.equal(last.progress.tablesDone, 5);
		assert.equal(last.progress.bytes, artifact.bytes);
		for (const [i, {progress}] of seen.entries()) {
			assert.equal(progress.dataTotal, total, 'the total stays what was read before the dump');
			assert.ok(i === 0 || progress.dataDone! >= seen[i - 1]!.progress.dataDone!, `monotonic at report ${i}`);
		}

		// The last table's line comes before pg_dump ends: the count reaches its end before the finish.
		assert.ok(before.some(s => s.progress.tablesDone === 5), 'tables 5/5 before the finish');
		const lines = before.map(s => `${s.at - started} ms: ${s.progress.dataDone}/${total} tables ${s.progress.tablesDone} bytes ${s.progress.bytes}`).join('\n');
		// Against the time spent on the data (the truth an operator feels, once pg_dump writes): once a fifth of it has passed,
		// never more than 40 points below it. pg_dump's catalog reads before it, which a loaded machine stretches, are not data.
		const dataStarted = before.find(s => s.progress.bytes > 0)?.at ?? started;
		const span = finished - dataStarted;
		for (const {at, progress} of before.filter(s => s.at >= dataStarted)) {
			const time = (at - dataStarted) / span;
			const bar = progress.dataDone! / total;
			assert.ok(time < 0.2 || bar >= time - 0.4, `at ${Math.round(time * 100)} % of the time the bar showed ${Math.round(bar * 100)} %\n${lines}`);
		}

		// Not the old picture: compressed bytes against the database's size stay far below the end.
		assert.ok(artifact.bytes < (last.progress.estimatedBytes ?? 0) * 0.6, 'a compressed dump is much smaller than the database');
	});
});

describe('DumpWork', () => {
	const sizes = new Map([['public.big', 900_000], ['public.small', 100_000]]);
	test('finished tables count in full, the current one by its bytes at the finished ones\' ratio, capped', () => {
		const work = new DumpWork(sizes);
		assert.equal(work.total, 1_000_000);
		assert.equal(work.done(100), 0);
		work.started('public.big', 100);
		assert.equal(work.done(100_100), 300_000, 'the first table at 3 data bytes per dump byte');
		assert.equal(work.done(1_000_000), 810_000, 'capped at 90 % of its size');
		work.started('public.small', 300_100);
		assert.equal(work.done(300_100), 900_000);
		// The ratio is now 900 000 / 300 000 = 3.
		assert.equal(work.done(310_100), 930_000);
		assert.equal(work.done(200), 930_000, 'never goes down');
		assert.equal(work.done(10_000_000), 990_000);
	});

	test('an unknown or empty table still weighs something', () => {
		const work = new DumpWork(new Map([['public.empty', 0]]));
		assert.equal(work.total, 8192);
		work.started('public.other', 0);
		assert.ok(work.done(1_000_000) <= work.total);
	});
});
