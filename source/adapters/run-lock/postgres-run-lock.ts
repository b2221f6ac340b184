import type pg from 'pg';
import {RunLockedError} from '../../errors/index.js';
import type {RunLock, RunLockHandle, RunLockHolder} from '../../ports/run-lock.js';
import {connectPostgres} from '../postgres/connect.js';
import type {PostgresTarget} from '../postgres/postgres-target.js';
import {holderFromRow, inspectHolder} from './postgres-holder.js';
import {lockKeySql, RUN_LOCK_TABLE} from './postgres-lock-key.js';

export {RUN_LOCK_TABLE} from './postgres-lock-key.js';

/**
 * A session advisory lock on a connection of its own, held for the whole run. When the process
 * dies, the server ends the session and the lock goes with it: nothing is left stuck.
 */
export function createPostgresRunLock(target: PostgresTarget): RunLock {
	return {
		async acquire(holder) {
			const {client, replaced} = await take(target, holder);
			return handle(target, holder, client, replaced);
		},
		async inspect() {
			const client = await connect(target, 'cutover status');
			try {
				return await inspectHolder(client);
			} finally {
				await client.end().catch(() => undefined);
			}
		},
	};
}

/** A session of its own holding the advisory lock, its holder written down. */
async function take(target: PostgresTarget, holder: RunLockHolder): Promise<{client: pg.Client; replaced: RunLockHolder | null}> {
	const client = await connect(target, `cutover run ${holder.runId}`);
	try {
		await prepareSession(client);
		// Taken, then released before the holder could be read: try again, a bounded number of times.
		for (let round = 1; ; round++) {
			// eslint-disable-next-line no-await-in-loop
			const got = await client.query<{got: boolean}>(`SELECT pg_try_advisory_lock(${lockKeySql}) AS got`);
			if (got.rows[0]?.got === true) {
				break;
			}

			// eslint-disable-next-line no-await-in-loop
			const current = await inspectHolder(client);
			if (current !== null || round === 3) {
				throw new RunLockedError(target.display, current ?? unknownHolder(), {
					hint: `wait for that run to finish, or look at it with: cutover status --db ${target.display}; the lock goes by itself when that run's database session ends`,
				});
			}
		}

		return {client, replaced: await describeHolder(client, holder)};
	} catch (error) {
		await client.end().catch(() => undefined);
		throw error;
	}
}

async function connect(target: PostgresTarget, applicationName: string): Promise<pg.Client> {
	return connectPostgres(target, {
		// At most 63 bytes survive on the server.
		application_name: applicationName.slice(0, 63),
		connectionTimeoutMillis: 15_000,
		// The connection idles for the whole run; keepalives stop a firewall from dropping it quietly.
		keepAlive: true,
	});
}

async function prepareSession(client: pg.Client): Promise<void> {
	// An idle-session limit would end the session, and the lock with it, in the middle of a run (PostgreSQL 14 and later).
	await client.query('SET idle_session_timeout = 0').catch(() => undefined);
	// Creating or writing the holder's row must not queue behind someone else's lock for long.
	await client.query('SET lock_timeout = \'5s\'');
}

/**
 * Writes who holds the lock. Best effort: the lock is held already, and a run must not fail
 * because the holder's description could not be written (no CREATE right, say); inspect then
 * falls back to what pg_stat_activity says. Returns the holder of a row left by a run whose
 * session ended without releasing.
 */
async function describeHolder(client: pg.Client, holder: RunLockHolder): Promise<RunLockHolder | null> {
	try {
		await client.query(`CREATE TABLE IF NOT EXISTS ${RUN_LOCK_TABLE} (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	run_id text NOT NULL,
	operator text NOT NULL,
	host text NOT NULL,
	pid integer NOT NULL,
	since bigint NOT NULL,
	backend_pid integer NOT NULL
)`);
		const previous = await client.query(`SELECT run_id, operator, host, pid, since FROM ${RUN_LOCK_TABLE}`);
		await client.query(
			`INSERT INTO ${RUN_LOCK_TABLE} (singleton, run_id, operator, host, pid, since, backend_pid) VALUES (true, $1, $2, $3, $4, $5, pg_backend_pid())
			ON CONFLICT (singleton) DO UPDATE SET run_id = excluded.run_id, operator = excluded.operator, host = excluded.host, pid = excluded.pid, since = excluded.since, backend_pid = excluded.backend_pid`,
			[holder.runId, holder.operator, holder.host, holder.pid, holder.since],
		);
		const row = previous.rows[0] as Record<string, unknown> | undefined;
		return row === undefined ? null : holderFromRow(row);
	} catch {
		return null;
	}
}

function handle(target: PostgresTarget, holder: RunLockHolder, first: pg.Client, replaced: RunLockHolder | null): RunLockHandle {
	let client: pg.Client | null = first;
	let released: Promise<void> | undefined;
	return {
		replaced,
		async release() {
			released ??= (async () => {
				const current = client;
				client = null;
				if (current === null) {
					return;
				}

				try {
					await current.query(`DELETE FROM ${RUN_LOCK_TABLE} WHERE backend_pid = pg_backend_pid()`).catch(() => undefined);
					await current.query(`SELECT pg_advisory_unlock(${lockKeySql})`);
				} catch {
					// The session is gone already, and the lock with it.
				} finally {
					await current.end().catch(() => undefined);
				}
			})();
			return released;
		},
		async stepAside() {
			const current = client;
			client = null;
			// The holder row stays: it describes this run, which goes on.
			await current?.query(`SELECT pg_advisory_unlock(${lockKeySql})`).catch(() => undefined);
			await current?.end().catch(() => undefined);
		},
		async retake() {
			if (client === null && released === undefined) {
				client = (await take(target, holder)).client;
			}
		},
	};
}

function unknownHolder(): RunLockHolder {
	return {runId: 'unknown', operator: 'unknown', host: 'unknown', pid: 0, since: Date.now()};
}
