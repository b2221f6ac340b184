import type pg from 'pg';
import type {LockSample} from '../../engine/model.js';
import type {LockSampler} from '../../ports/activity-monitor.js';
import {toLockSample} from '../../watch/lock-sample.js';
import {connectWatch} from './activity-connect.js';
import {toActivityRow} from './activity-rows.js';
import {activitySql} from './activity-sql.js';
import type {PostgresTarget} from './postgres-target.js';

/**
 * Sessions of the target database waiting on a lock, and the sessions they wait for (whose
 * queries the operator needs to see before ending them): cheap enough to take every second. A
 * wait in another database of the cluster cannot be about our migration, and would read as if it were.
 */
const waitingSql = `WITH sessions (pid, leader_pid, datname, usename, application_name, client, backend_type, state, wait_event_type, wait_event, query, visible, backend_ms, xact_ms, query_ms, state_ms, blocked_by) AS (${activitySql}),
	waiting AS (SELECT * FROM sessions WHERE wait_event_type = 'Lock' AND datname = current_database())
	SELECT * FROM waiting
	UNION ALL SELECT * FROM sessions WHERE pid IN (SELECT unnest(blocked_by) FROM waiting) AND pid NOT IN (SELECT pid FROM waiting)`;

/**
 * Lock pictures for the run's journal, over a connection of its own (application_name
 * "cutover watch", 2 s statement timeout). `sample` returns the `limit` longest waiters and a
 * count of the rest; the connection is opened on the first sample.
 */
export function createPostgresLockSampler(target: PostgresTarget, options: {limit?: number} = {}): LockSampler {
	let client: Promise<pg.Client> | undefined;
	return {
		async sample(): Promise<LockSample> {
			client ??= connectWatch(target);
			let current: pg.Client;
			try {
				current = await client;
			} catch (error) {
				client = undefined;
				throw error;
			}

			try {
				const result = await current.query({text: waitingSql, rowMode: 'array'});
				return toLockSample(result.rows.map(toActivityRow), options.limit ?? 10);
			} catch (error) {
				// A lost connection is opened again on the next sample.
				client = undefined;
				await current.end().catch(() => {});
				throw error;
			}
		},
		async close() {
			const pending = client;
			client = undefined;
			await (await pending?.catch(() => undefined))?.end().catch(() => {});
		},
	};
}
