import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {createPostgresActivityMonitor} from '../../source/adapters/postgres/activity-monitor.js';
import {createPostgresLockSampler} from '../../source/adapters/postgres/lock-sampler.js';
import type {Entry, RunEvent} from '../../source/engine/events.js';
import type {ActivityMonitor, LockSampler} from '../../source/ports/activity-monitor.js';
import {handleBackendActions} from '../../source/run/backend-actions.js';
import {createSession, type Session} from '../../source/run/session.js';
import {parseTarget} from '../../source/target.js';
import {App} from '../../screens/app.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {backupDone, baseline, cleanPlanned, fingerprinted, orphanReadings, started, T0, upgradeEvents, verified, windowConfirmed, windowPlanned} from '../support/run-fixtures.js';

/** A run at the upgrade step, as the journal of a live one would hold it. */
const prior: Entry[] = ([
	started, fingerprinted, cleanPlanned, windowPlanned, ...windowConfirmed, ...backupDone, verified(true),
	{type: 'check.finished', result: orphanReadings}, baseline, ...upgradeEvents,
] satisfies RunEvent[]).map((event, seq) => ({seq, at: T0 + (seq * 1000), event}));

describe('the console ends a blocking session of a real server, and the record keeps it', () => {
	let db: ThrowawayDatabase;
	let monitor: ActivityMonitor;
	let sampler: LockSampler;
	let screen: Rendered | undefined;
	const clients: pg.Client[] = [];

	before(async () => {
		db = await createThrowawayDatabase('cutover_actions');
		await db.sql('CREATE TABLE tariffs (id int PRIMARY KEY); INSERT INTO tariffs VALUES (1)');
		const target = parseTarget(db.url);
		assert.equal(target.engine, 'postgres');
		const postgres = target as Extract<typeof target, {engine: 'postgres'}>;
		monitor = createPostgresActivityMonitor(postgres);
		sampler = createPostgresLockSampler(postgres);
	});

	after(async () => {
		screen?.unmount();
		await monitor?.close();
		await sampler?.close();
		await Promise.all(clients.map(async c => c.end().catch(() => {})));
		await db?.drop();
	});

	it('↓ k y on the blocker terminates it; the waiter goes on and the answer is on screen', async () => {
		const connect = async (application: string) => {
			const client = new pg.Client({connectionString: db.url, application_name: application});
			client.on('error', () => {});
			await client.connect();
			clients.push(client);
			return {client, pid: Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)};
		};

		const holder = await connect('nightly report');
		await holder.client.query('BEGIN');
		await holder.client.query('LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE');
		const waiter = await connect('shop-web');
		const reading = waiter.client.query('SELECT count(*)::int AS n FROM tariffs');

		// The sampler, as the run's lock watch takes it, until the waiter shows up behind the holder.
		let sample = await sampler.sample();
		for (let tries = 0; !sample.waiters.some(w => w.pid === waiter.pid && w.blockedBy.includes(holder.pid)); tries++) {
			assert.ok(tries < 500, `the waiter never showed in a sample: ${JSON.stringify(sample)}`);
			// eslint-disable-next-line no-await-in-loop -- polling the server
			await new Promise(resolve => setTimeout(resolve, 20));
			// eslint-disable-next-line no-await-in-loop
			sample = await sampler.sample();
		}

		const journal: Entry[] = [];
		let now = T0 + 100_000;
		const session: Session = createSession({path: 'mem', append: entry => journal.push(entry), close() {}}, {now: () => now++}, prior);
		const handler = handleBackendActions(session, monitor);
		session.emit({type: 'watch.sampled', sample});

		const view = () => (
			<App state={session.state} now={session.state.now} interactive onQuit={() => {}} onDecision={event => session.emit(event)}/>
		);
		screen = render(view());
		session.subscribe(() => screen?.rerender(view()));

		await screen.waitForFrame('↑↓ pick one of');
		screen.stdin.write(keys.down);
		// The blocker waits for nothing, yet the sample names it and its query: the operator sees what they end.
		await screen.waitForFrame(`▸ ${holder.pid} postgres/nightly report blocks ${waiter.pid}: LOCK TABLE tariffs`);
		screen.stdin.write('k');
		const confirm = await screen.waitForFrame(`Terminate the session of pid ${holder.pid}`);
		assert.match(confirm, /LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE/);
		assert.doesNotMatch(confirm, /not in the lock sample/);
		screen.stdin.write('y');
		const frame = await screen.waitForFrame(`✓ terminate ${holder.pid}: pg_terminate_backend(${holder.pid}) sent`, 10_000);
		assert.deepEqual(overflowing(frame), []);
		await handler.stop();

		assert.equal((await reading).rows[0].n, 1);
		const {rows} = await db.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${holder.pid}`);
		assert.equal(rows[0].n, 0);
		assert.deepEqual(journal.map(e => e.event.type), ['watch.sampled', 'operator.backend-action', 'backend-action.finished']);
		const asked = journal[1]?.event as {query: string | null; user: string | null};
		assert.match(asked.query ?? '', /^LOCK TABLE tariffs IN ACCESS EXCLUSIVE MODE/);
		assert.equal(asked.user, 'postgres');
		assert.match(session.state.decisions.at(-1)?.summary ?? '', new RegExp(`asked to terminate backend ${holder.pid} \\(postgres\\): LOCK TABLE tariffs`));
	});
});
