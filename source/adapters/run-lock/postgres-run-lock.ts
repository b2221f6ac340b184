import type pg from 'pg';
import {RunLockedError} from '../../errors/index.js';
import type {RunLock, RunLockHandle, RunLockHolder} from '../../ports/run-lock.js';
import {connectPostgres} from '../postgres/connect.js';
import type {PostgresTarget} from '../postgres/postgres-target.js';
import {holderFromRow, inspectHolder} from './postgres-holder.js';
import {lockKeySql, RUN_LOCK_TABLE} from './postgres-lock-key.js';
import {lossNotifier} from './loss-notifier.js';
import {watchSession} from './postgres-session-watch.js';

export {RUN_LOCK_TABLE} from './postgres-lock-key.js';

/**
 * A session advisory lock on a connection of its own, held for the whole run. When the process
 * dies, the server ends the session and the lock goes with it: nothing is left stuck. Taking
 * it writes nothing; the holder's row is written only once the window is confirmed.
 */
export function createPostgresRunLock(target: PostgresTarget): RunLock {
	return {
		async acquire(holder) {
			const client = await take(target, holder);
			return handle(target, holder, client, await previousHolder(client));
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

/** A session of its own holding the advisory lock; nothing written. */
async function take(target: PostgresTarget, holder: RunLockHolder): Promise<pg.Client> {
	// The application name says which run holds the lock before anything is written (at most 63 bytes survive).
	const client = await connect(target, `cutover run ${holder.runId}`);
	try {
		await prepareSession(client);
		// Taken, then released before the holder could be read: try again, a bounded number of times.
		for (let round = 1; ; round++) {
			// eslint-disable-next-line no-await-in-loop
			const got = await client.query<{got: boolean}>(`SELECT pg_try_advisory_lock(${lockKeySql}) AS got`);
			if (got.rows[0]?.got === true) {
				return client;
			}

			// eslint-disable-next-line no-await-in-loop
			const current = await inspectHolder(client);
			if (current !== null || round === 3) {
				throw new RunLockedError(target.display, current ?? unknownHolder(), {
					hint: `wait for that run to finish, or look at it with: cutover status --db ${target.display}; the lock goes by itself when that run's database session ends`,
				});
			}
		}
	} catch (error) {
		await client.end().catch(() => undefined);
		throw error;
	}
}

async function connect(target: PostgresTarget, applicationName: string): Promise<pg.Client> {
	return connectPostgres(target, {
		// At most 63 bytes survive on the server.
		application_name: applicationName.slice(0, 63),
		// The connection's own connect_timeout holds, or the 15 s every connection waits at most.
		// The connection idles for the whole run; keepalives stop a firewall from dropping it quietly.
		keepAlive: true,
	});
}

async function prepareSession(client: pg.Client): Promise<void> {
	// An idle-session limit would end the session, and the lock with it, in the middle of a run (PostgreSQL 14 and later).
	await client.query('SET idle_session_timeout = 0').catch(() => undefined);
	// Writing the holder's row must not queue behind someone else's lock for long, nor any statement of this session hang.
	await client.query('SET lock_timeout = \'5s\'');
	await client.query('SET statement_timeout = \'5s\'');
}

/** The row a run whose session ended without releasing left behind; read only, so a refused or abandoned run writes nothing. */
async function previousHolder(client: pg.Client): Promise<RunLockHolder | null> {
	try {
		const table = await client.query(`SELECT to_regclass('${RUN_LOCK_TABLE}') IS NOT NULL AS present`);
		if (table.rows[0]?.present !== true) {
			return null;
		}

		const row = (await client.query(`SELECT run_id, operator, host, pid, since FROM ${RUN_LOCK_TABLE}`)).rows[0] as Record<string, unknown> | undefined;
		return row === undefined ? null : holderFromRow(row);
	} catch {
		return null;
	}
}

/**
 * Writes who holds the lock. Best effort: the lock is held already, and a run must not fail
 * because the holder's description could not be written (no CREATE right, say); inspect then
 * falls back to what pg_stat_activity says.
 */
async function describeHolder(client: pg.Client, holder: RunLockHolder): Promise<void> {
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
		await client.query(
			`INSERT INTO ${RUN_LOCK_TABLE} (singleton, run_id, operator, host, pid, since, backend_pid) VALUES (true, $1, $2, $3, $4, $5, pg_backend_pid())
			ON CONFLICT (singleton) DO UPDATE SET run_id = excluded.run_id, operator = excluded.operator, host = excluded.host, pid = excluded.pid, since = excluded.since, backend_pid = excluded.backend_pid`,
			[holder.runId, holder.operator, holder.host, holder.pid, holder.since],
		);
	} catch {}
}

function handle(target: PostgresTarget, holder: RunLockHolder, first: pg.Client, replaced: RunLockHolder | null): RunLockHandle {
	const notifier = lossNotifier();
	let client: pg.Client | null = first;
	let watch = watchSession(first, detail => notifier.lose(detail));
	let released: Promise<void> | undefined;
	let described = false;
	return {
		replaced,
		async windowConfirmed() {
			if (!described && client !== null) {
				described = true;
				await describeHolder(client, holder);
			}
		},
		onLost: listener => notifier.onLost(listener),
		async release() {
			released ??= (async () => {
				const lost = notifier.lost;
				notifier.stop();
				watch.stop();
				const current = client;
				client = null;
				if (current === null) {
					return;
				}

				// A lost session answers nothing: giving the lock back is moot, and waiting for the answer would hang.
				if (!lost) {
					await within(2000, (async () => {
						if (described) {
							await current.query(`DELETE FROM ${RUN_LOCK_TABLE} WHERE backend_pid = pg_backend_pid()`).catch(() => undefined);
						}

						await current.query(`SELECT pg_advisory_unlock(${lockKeySql})`);
					})().catch(() => undefined));
				}

				await endNow(current);
			})();
			return released;
		},
		async stepAside() {
			const current = client;
			client = null;
			// Letting go on purpose is no loss; the holder row stays: it describes this run, which goes on.
			watch.stop();
			if (current !== null) {
				await within(2000, current.query(`SELECT pg_advisory_unlock(${lockKeySql})`).catch(() => undefined));
				await endNow(current);
			}
		},
		async retake() {
			if (client === null && released === undefined) {
				const next = await take(target, holder);
				client = next;
				watch = watchSession(next, detail => notifier.lose(detail));
				// The restored database holds the row of the old session (or none): describe this one.
				if (described) {
					await describeHolder(next, holder);
				}
			}
		},
	};
}

/** The work's result, or undefined when it takes longer than `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([work, new Promise<undefined>(resolve => {
			timer = setTimeout(() => resolve(undefined), ms);
		})]);
	} finally {
		clearTimeout(timer);
	}
}

/** Ends the connection; a cut network never answers the goodbye, and the socket must go anyway, or the process cannot exit. */
async function endNow(client: pg.Client): Promise<void> {
	if (await within(2000, client.end().then(() => true, () => true)) === undefined) {
		(client as unknown as {connection?: {stream?: {destroy(): void}}}).connection?.stream?.destroy();
	}
}

function unknownHolder(): RunLockHolder {
	return {runId: 'unknown', operator: 'unknown', host: 'unknown', pid: 0, since: Date.now()};
}
