import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {createPostgresActivityMonitor} from '../../source/adapters/postgres/activity-monitor.js';
import {createPostgresLockSampler} from '../../source/adapters/postgres/lock-sampler.js';
import {parseTarget} from '../../source/target.js';
import {buildBlockingTree} from '../../source/watch/blocking-tree.js';
import type {ActivityRow} from '../../source/watch/types.js';
import {adminUrl, createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

function postgresTarget(url: string) {
	const target = parseTarget(url);
	assert.equal(target.engine, 'postgres');
	return target as Extract<typeof target, {engine: 'postgres'}>;
}

type Session = {client: pg.Client; pid: number; name: string};

/** Sessions of the chain, each with its own connection, named so pg_stat_activity shows who is who. */
async function open(url: string, name: string): Promise<Session> {
	const client = new pg.Client({connectionString: url, application_name: name});
	client.on('error', () => {});
	await client.connect();
	const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
	return {client, pid, name};
}

/** Polls pg_stat_activity (never a blind sleep) until `ready` holds for the sessions waiting on a lock. */
async function until(db: ThrowawayDatabase, what: string, ready: (waiting: Set<number>) => boolean): Promise<void> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		// eslint-disable-next-line no-await-in-loop -- polling
		const result = await db.sql(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
		if (ready(new Set(result.rows.map(row => Number(row.pid))))) {
			return;
		}

		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

describe('blocking tree from real PostgreSQL sessions', () => {
	let db: ThrowawayDatabase;
	const sessions: Session[] = [];
	const pending: Array<Promise<unknown>> = [];
	let holder: Session;
	let waiter: Session;
	let ddl: Session;
	let readers: Session[];
	const outcomes = new Map<string, unknown>();

	before(async () => {
		db = await createThrowawayDatabase('cutover_watch');
		await db.sql('CREATE TABLE meters (id int PRIMARY KEY, reading int); INSERT INTO meters SELECT g, 0 FROM generate_series(1, 10) g');
		holder = await open(db.url, 'holder');
		waiter = await open(db.url, 'waiter');
		ddl = await open(db.url, 'ddl');
		readers = [await open(db.url, 'reader-1'), await open(db.url, 'reader-2')];
		sessions.push(holder, waiter, ddl, ...readers);
		const run = (session: Session, sql: string) => {
			const promise = session.client.query(sql).then(() => {
				outcomes.set(session.name, 'done');
			}, (error: unknown) => {
				outcomes.set(session.name, error);
			});
			pending.push(promise);
			return promise;
		};

		await holder.client.query('BEGIN');
		await holder.client.query('UPDATE meters SET reading = 1 WHERE id = 1');
		void run(waiter, 'UPDATE meters SET reading = 2 WHERE id = 1');
		await until(db, 'the waiter', waiting => waiting.has(waiter.pid));
		void run(ddl, 'ALTER TABLE meters ADD COLUMN note text');
		await until(db, 'the ALTER TABLE', waiting => waiting.has(ddl.pid));
		for (const reader of readers) {
			void run(reader, 'SELECT count(*) FROM meters');
		}

		await until(db, 'the readers', waiting => readers.every(reader => waiting.has(reader.pid)));
	});

	after(async () => {
		for (const session of sessions) {
			// eslint-disable-next-line no-await-in-loop
			await session.client.end().catch(() => {});
		}

		await Promise.allSettled(pending);
		await db?.drop();
	});

	const ours = (rows: ActivityRow[]) => rows.filter(row => row.database === db.name);

	it('puts the readers under the waiting ALTER TABLE, which waits under the waiter and the holder', async () => {
		const monitor = createPostgresActivityMonitor(postgresTarget(db.url));
		try {
			const snapshot = await monitor.refresh();
			assert.ok(!snapshot.rows.some(row => row.pid === snapshot.ownPid), 'the watch lists itself');
			const tree = buildBlockingTree(ours(snapshot.rows));
			const shape = tree.map(line => [line.row?.application ?? String(line.pid), line.level, line.alsoWaitsFor.map(pid => sessions.find(s => s.pid === pid)?.name)]);
			assert.deepEqual(shape.slice(0, 3), [['holder', 0, []], ['waiter', 1, []], ['ddl', 2, ['holder']]]);
			assert.deepEqual(shape.slice(3).map(([, level, also]) => [level, also]), [[3, []], [3, []]]);
			assert.deepEqual(new Set(tree.slice(3).map(line => line.row!.application)), new Set(['reader-1', 'reader-2']));
			assert.equal(tree[0]!.blocking, 4);
			const ddlRow = snapshot.rows.find(row => row.pid === ddl.pid)!;
			assert.deepEqual(new Set(ddlRow.blockedBy), new Set([holder.pid, waiter.pid]));
			assert.match(ddlRow.query ?? '', /ALTER TABLE meters/);
		} finally {
			await monitor.close();
		}
	});

	it('samples the longest waiters, bounded, with whom they wait for', async () => {
		const sampler = createPostgresLockSampler(postgresTarget(db.url), {limit: 2});
		try {
			const sample = await sampler.sample();
			const mine = new Set(sessions.map(s => s.pid));
			// Only this database's sessions: its 4 waiters, 2 of them cut.
			assert.equal(sample.waiters.length, 2);
			assert.equal(sample.more, 2);
			assert.ok(sample.waiters.every(w => mine.has(w.pid)), 'the sample holds a session of another database');
			assert.ok(sample.waiters[0]!.waitingMs >= sample.waiters[1]!.waitingMs);
		} finally {
			await sampler.close();
		}
	});

	it('cancel really ends the reader\'s query, terminate really ends the holder\'s session', async () => {
		const monitor = createPostgresActivityMonitor(postgresTarget(db.url));
		try {
			const cancelled = await monitor.signal('cancel', readers[0]!.pid);
			assert.equal(cancelled.ok, true, cancelled.detail);
			await until(db, 'the cancelled reader to stop waiting', waiting => !waiting.has(readers[0]!.pid));
			await Promise.race(pending);
			for (let i = 0; i < 200 && !outcomes.has('reader-1'); i++) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 20));
			}

			assert.equal((outcomes.get('reader-1') as {code?: string}).code, '57014', 'the reader was not cancelled');

			const terminated = await monitor.signal('terminate', holder.pid);
			assert.equal(terminated.ok, true, terminated.detail);
			const deadline = Date.now() + 10_000;
			// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
			while ((await db.sql(`SELECT 1 FROM pg_stat_activity WHERE pid = ${holder.pid}`)).rowCount !== 0) {
				assert.ok(Date.now() < deadline, 'the terminated holder is still there');
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 20));
			}

			await assert.rejects(holder.client.query('SELECT 1'));
			// With the holder gone the chain drains: the waiter, the DDL and the other reader finish.
			await Promise.allSettled(pending);
			assert.equal(outcomes.get('waiter'), 'done');
			assert.equal(outcomes.get('ddl'), 'done');
			assert.equal(outcomes.get('reader-2'), 'done');

			const gone = await monitor.signal('cancel', holder.pid);
			assert.equal(gone.ok, false);
		} finally {
			await monitor.close();
		}
	});
});

describe('the run\'s lock sample', () => {
	it('holds the lock waits of the target database only, not those of another database on the cluster', async () => {
		const target = await createThrowawayDatabase('cutover_sample');
		const other = await createThrowawayDatabase('cutover_other');
		const opened: Session[] = [];
		const pending: Array<Promise<unknown>> = [];
		try {
			for (const db of [target, other]) {
				// eslint-disable-next-line no-await-in-loop -- setup, one database after the other
				await db.sql('CREATE TABLE meters (id int PRIMARY KEY, reading int); INSERT INTO meters VALUES (1, 0)');
			}

			const wait = async (db: ThrowawayDatabase, label: string) => {
				const holder = await open(db.url, `${label}-holder`);
				const waiter = await open(db.url, `${label}-waiter`);
				opened.push(holder, waiter);
				await holder.client.query('BEGIN');
				await holder.client.query('UPDATE meters SET reading = 1 WHERE id = 1');
				pending.push(waiter.client.query('UPDATE meters SET reading = 2 WHERE id = 1').catch(() => {}));
				await until(db, `the ${label} waiter`, waiting => waiting.has(waiter.pid));
				return {holder, waiter};
			};

			const ours = await wait(target, 'ours');
			const theirs = await wait(other, 'theirs');
			const sampler = createPostgresLockSampler(postgresTarget(target.url));
			try {
				const sample = await sampler.sample();
				assert.deepEqual(sample.waiters.map(w => [w.pid, w.application, w.blockedBy]), [[ours.waiter.pid, 'ours-waiter', [ours.holder.pid]]]);
				assert.equal(sample.more, 0);
				assert.ok(!sample.waiters.some(w => w.pid === theirs.waiter.pid), 'the other database\'s waiter is in the sample');
			} finally {
				await sampler.close();
			}
		} finally {
			for (const session of opened) {
				// eslint-disable-next-line no-await-in-loop -- teardown
				await session.client.end().catch(() => {});
			}

			await Promise.allSettled(pending);
			await target.drop();
			await other.drop();
		}
	});
});

describe('idle sessions', () => {
	it('are counted, not listed, unless a waiter is blocked by one (a session-level advisory lock)', async () => {
		const db = await createThrowawayDatabase('cutover_watch');
		const idle = [await open(db.url, 'idle-1'), await open(db.url, 'idle-2'), await open(db.url, 'idle-3')];
		const locker = await open(db.url, 'advisory-holder');
		const waiter = await open(db.url, 'advisory-waiter');
		const monitor = createPostgresActivityMonitor(postgresTarget(db.url));
		let waiting: Promise<unknown> = Promise.resolve();
		try {
			await locker.client.query('SELECT pg_advisory_lock(42)');
			waiting = waiter.client.query('SELECT pg_advisory_lock(42)').catch(() => {});
			await until(db, 'the advisory waiter', pids => pids.has(waiter.pid));
			const snapshot = await monitor.refresh();
			const mine = snapshot.rows.filter(row => row.database === db.name);
			// The idle holder is listed because someone waits for it; plain idle sessions are not.
			assert.deepEqual(new Set(mine.map(row => row.application)), new Set(['advisory-holder', 'advisory-waiter']));
			assert.equal(mine.find(row => row.pid === locker.pid)?.state, 'idle');
			assert.ok(snapshot.idleSessions >= idle.length, `${snapshot.idleSessions} idle sessions counted`);
			const tree = buildBlockingTree(mine);
			assert.deepEqual(tree.map(line => [line.row?.application, line.level]), [['advisory-holder', 0], ['advisory-waiter', 1]]);
			await locker.client.query('SELECT pg_advisory_unlock(42)');
			await waiting;
		} finally {
			await monitor.close();
			for (const session of [...idle, locker, waiter]) {
				// eslint-disable-next-line no-await-in-loop
				await session.client.end().catch(() => {});
			}

			await waiting;
			await db.drop();
		}
	});
});

describe('a role without pg_monitor', () => {
	it('sees other users\' sessions as hidden rows instead of losing them; with pg_monitor it sees them', async () => {
		const db = await createThrowawayDatabase('cutover_watch');
		const role = `cutover_watch_${randomBytes(4).toString('hex')}`;
		const other = await open(db.url, 'someone-else');
		await db.sql(`CREATE ROLE ${role} LOGIN`);
		try {
			await other.client.query('BEGIN');
			await other.client.query('SELECT 1');
			const url = new URL(db.url);
			url.username = role;
			const target = postgresTarget(url.toString());
			let monitor = createPostgresActivityMonitor(target);
			try {
				const row = (await monitor.refresh()).rows.find(r => r.pid === other.pid);
				assert.ok(row, 'the other user\'s session was dropped');
				assert.equal(row.visible, false);
				assert.equal(row.query, null);
				assert.equal(row.user, 'postgres');
				const refused = await monitor.signal('cancel', other.pid);
				assert.equal(refused.ok, false);
				assert.match(refused.detail, /refused: .*permission denied|must be a (member|superuser)/i);
			} finally {
				await monitor.close();
			}

			await db.sql(`GRANT pg_monitor TO ${role}`);
			monitor = createPostgresActivityMonitor(target);
			try {
				const row = (await monitor.refresh()).rows.find(r => r.pid === other.pid);
				assert.equal(row?.visible, true);
				assert.equal(row?.state, 'idle in transaction');
				assert.equal(row?.query, 'SELECT 1');
			} finally {
				await monitor.close();
			}
		} finally {
			await other.client.end().catch(() => {});
			await db.drop();
			// Roles are cluster-wide: dropped through the admin database once the throwaway one is gone.
			const admin = new pg.Client({connectionString: adminUrl});
			await admin.connect();
			await admin.query(`DROP ROLE IF EXISTS ${role}`);
			await admin.end();
		}
	});
});
