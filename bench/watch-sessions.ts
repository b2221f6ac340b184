import pg from 'pg';
import {onCleanup} from './cleanup.js';

export type SessionSetup = {idle: number; waiting: number};

/**
 * The picture: many idle sessions, and a queue of sessions waiting on one held lock
 * (a holder in an open transaction with ACCESS EXCLUSIVE on a table, readers behind it). All
 * connections are ended by the bench's clean-up.
 */
export async function openSessions(url: string, want: SessionSetup): Promise<SessionSetup & {open: (name: string) => Promise<pg.Client>}> {
	const open = async (name: string) => {
		const client = new pg.Client({connectionString: url, application_name: name});
		client.on('error', () => {});
		await client.connect();
		onCleanup(name, async () => client.end().catch(() => {}));
		return client;
	};

	const admin = await open('bench admin');
	await admin.query('CREATE TABLE meters (id int PRIMARY KEY, reading int); INSERT INTO meters SELECT g, 0 FROM generate_series(1, 100) g');
	const {rows: [room]} = await admin.query<{free: number}>(`SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
		- (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS free`);
	// The holder, the watch, the probe and a little slack.
	const idle = Math.min(want.idle, room!.free - want.waiting - 6);
	if (idle < want.idle) {
		console.error(`the server has room for ${room!.free} more sessions: running with ${idle} idle sessions instead of ${want.idle} (let the bench start its own cluster: unset CUTOVER_BENCH_PG)`);
	}

	for (let i = 0; i < idle; i++) {
		// eslint-disable-next-line no-await-in-loop -- connections one by one, not a storm
		await open(`idle ${i}`);
	}

	const holder = await open('holder');
	await holder.query('BEGIN');
	await holder.query('LOCK TABLE meters IN ACCESS EXCLUSIVE MODE');
	for (let i = 0; i < want.waiting; i++) {
		// eslint-disable-next-line no-await-in-loop
		const waiter = await open(`waiter ${i}`);
		void waiter.query('SELECT count(*) FROM meters').catch(() => {});
	}

	for (let polls = 0; ; polls++) {
		// eslint-disable-next-line no-await-in-loop -- polling
		const {rows: [seen]} = await admin.query<{n: number}>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
		if (seen!.n >= want.waiting) {
			break;
		}

		if (polls > 500) {
			throw new Error(`only ${seen!.n} of ${want.waiting} sessions are waiting on the lock`);
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 20));
	}

	return {idle, waiting: want.waiting, open};
}
