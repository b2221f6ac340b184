import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {createPostgresActivityMonitor} from '../../source/adapters/postgres/activity-monitor.js';
import type {EventOf, RunEvent} from '../../source/engine/events.js';
import type {ActivityMonitor} from '../../source/ports/activity-monitor.js';
import {handleBackendActions} from '../../source/run/backend-actions.js';
import {createSession, type Session} from '../../source/run/session.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

type Client = {client: pg.Client; pid: number};

async function connect(url: string, application: string): Promise<Client> {
	const client = new pg.Client({connectionString: url, application_name: application});
	client.on('error', () => {});
	await client.connect();
	return {client, pid: Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)};
}

/** Polls pg_stat_activity (never a blind sleep) until `ready` holds for the row of `pid` (undefined: no such session). */
async function until(db: ThrowawayDatabase, what: string, pid: number, ready: (row: {state: string; wait_event: string | null} | undefined) => boolean): Promise<void> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		// eslint-disable-next-line no-await-in-loop -- polling
		const {rows} = await db.sql(`SELECT state, wait_event FROM pg_stat_activity WHERE pid = ${pid}`);
		if (ready(rows[0] as {state: string; wait_event: string | null} | undefined)) {
			return;
		}

		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

const isFinished = (event: RunEvent): event is EventOf<'backend-action.finished'> => event.type === 'backend-action.finished';

/** Decides like the screen does and waits for the journaled answer. */
async function decide(session: Session, action: 'cancel' | 'terminate', pid: number, query: string | null = null) {
	const answer = session.next(isFinished);
	session.emit({type: 'operator.backend-action', action, pid, query, user: 'postgres'});
	return answer;
}

describe('handleBackendActions against real PostgreSQL sessions', () => {
	let db: ThrowawayDatabase;
	let monitor: ActivityMonitor;
	let session: Session;
	let handler: {stop(): Promise<void>};
	const lines: unknown[] = [];
	const clients: pg.Client[] = [];

	before(async () => {
		db = await createThrowawayDatabase('cutover_actions');
		await db.sql('CREATE TABLE tariffs (id int PRIMARY KEY)');
		const target = parseTarget(db.url);
		assert.equal(target.engine, 'postgres');
		monitor = createPostgresActivityMonitor(target as Extract<typeof target, {engine: 'postgres'}>);
		let now = 1000;
		session = createSession({path: 'mem', append: entry => lines.push(entry), close() {}}, {now: () => now++});
		handler = handleBackendActions(session, monitor);
	});

	after(async () => {
		await handler?.stop();
		await monitor?.close();
		await Promise.all(clients.map(async c => c.end().catch(() => {})));
		await db?.drop();
	});

	it('cancels a running query: it fails with 57014 and the answer is journaled', async () => {
		const report = await connect(db.url, 'nightly report');
		clients.push(report.client);
		const sleeping = report.client.query('SELECT pg_sleep(30)').then(() => 'finished', (error: {code?: string}) => error.code);
		await until(db, 'the report to sleep', report.pid, row => row?.wait_event === 'PgSleep');

		const answer = await decide(session, 'cancel', report.pid, 'SELECT pg_sleep(30)');
		assert.equal(answer.ok, true, answer.detail);
		assert.equal(answer.pid, report.pid);
		assert.equal(answer.action, 'cancel');
		assert.equal(await sleeping, '57014');
		const recorded = session.state.backendActions.at(-1);
		assert.equal(recorded?.pid, report.pid);
		assert.deepEqual(recorded?.result?.ok, true);
		// Journaled in order: the decision, then its answer.
		assert.deepEqual(session.entries.slice(-2).map(e => e.event.type), ['operator.backend-action', 'backend-action.finished']);
		assert.equal(lines.length, session.entries.length);
	});

	it('terminates a session holding a lock: it leaves pg_stat_activity', async () => {
		const holder = await connect(db.url, 'psql');
		clients.push(holder.client);
		await holder.client.query('BEGIN');
		await holder.client.query('LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE');
		await until(db, 'the holder to sit idle in its transaction', holder.pid, row => row?.state === 'idle in transaction');

		const answer = await decide(session, 'terminate', holder.pid, 'LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE');
		assert.equal(answer.ok, true, answer.detail);
		assert.match(answer.detail, /pg_terminate_backend/);
		await until(db, 'the terminated session to go', holder.pid, row => row === undefined);
		const {rows} = await db.sql('SELECT count(*)::int AS n FROM pg_locks WHERE relation = \'tariffs\'::regclass');
		assert.equal(rows[0].n, 0);
	});

	it('refuses cutover\'s own sessions and leaves them running', async () => {
		const migrator = await connect(db.url, 'cutover migrator');
		clients.push(migrator.client);
		await migrator.client.query('BEGIN');
		await migrator.client.query('LOCK TABLE tariffs IN SHARE MODE');
		await until(db, 'the migrator to sit in its transaction', migrator.pid, row => row?.state === 'idle in transaction');

		const answer = await decide(session, 'terminate', migrator.pid);
		assert.equal(answer.ok, false);
		assert.match(answer.detail, /cutover's own session \(cutover migrator\)/);
		assert.match(answer.detail, /nothing sent/);
		const {rows} = await db.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${migrator.pid}`);
		assert.equal(rows[0].n, 1);
		assert.equal((await migrator.client.query('SELECT 1 AS one')).rows[0].one, 1);
		await migrator.client.query('ROLLBACK');
	});

	it('answers a gone session and a prepared transaction with what happened, in the order decided', async () => {
		const gone = await connect(db.url, 'short-lived');
		const {pid} = gone;
		await gone.client.end();
		await until(db, 'the closed session to go', pid, row => row === undefined);

		const answers: Array<EventOf<'backend-action.finished'>> = [];
		const off = session.subscribe((_, entry) => {
			if (isFinished(entry.event)) {
				answers.push(entry.event);
			}
		});
		const last = session.next((event): event is EventOf<'backend-action.finished'> => isFinished(event) && event.pid === 0);
		session.emit({type: 'operator.backend-action', action: 'cancel', pid, query: null, user: null});
		session.emit({type: 'operator.backend-action', action: 'terminate', pid: 0, query: null, user: null});
		await last;
		off();

		assert.deepEqual(answers.map(a => [a.pid, a.ok]), [[pid, false], [0, false]]);
		assert.match(answers[0]!.detail, new RegExp(`no session with pid ${pid} `));
		assert.match(answers[1]!.detail, /prepared transaction/);
		const pending = session.state.backendActions.filter(a => a.result === null);
		assert.deepEqual(pending, []);
	});
});
