import type pg from 'pg';
import {connectPostgres} from '../postgres/connect.js';
import type {PostgresTarget} from '../postgres/postgres-target.js';
import {blockerObserver} from './postgres-blockers.js';
import type {Row, Session} from './session.js';
import {errorCode} from './session.js';

async function connect(target: PostgresTarget, applicationName: string): Promise<pg.Client> {
	// The one connect path: the resolved parameters, sslmode, the password; a dropped connection rejects the running query instead of crashing.
	return connectPostgres(target, {application_name: applicationName});
}

/** One pg.Client: PostgreSQL runs DDL inside transactions, so a migration and its log row commit together. */
export async function openPostgresSession(target: PostgresTarget): Promise<Session> {
	const client = await connect(target, 'cutover migrator');
	// Outside a migration's transaction (reading the log, creating it) no statement waits long for a lock either; each migration sets its own.
	await client.query('SET lock_timeout = \'5s\'');
	const run = async (sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
		const result = await client.query(sql, [...params]);
		return result.rows as Row[];
	};

	let backendPid: Promise<number> | undefined;
	const observer = blockerObserver(
		async () => connect(target, 'cutover migrator lock watch'),
		async () => {
			backendPid ??= run('SELECT pg_backend_pid() AS pid').then(rows => Number(rows[0]?.['pid']));
			return backendPid;
		},
	);

	return {
		engine: 'postgres',
		where: target.display,
		run,
		async transaction(work, {lockTimeoutMs}) {
			try {
				// One round trip for both (a whole number of ms: nothing to quote). LOCAL: the timeout ends with the transaction, whichever way it ends.
				await run(`BEGIN; SET LOCAL lock_timeout = '${Math.max(1, Math.round(lockTimeoutMs))}ms'`);
				const value = await work();
				await run('COMMIT');
				return value;
			} catch (error) {
				await run('ROLLBACK').catch(() => undefined);
				throw error;
			}
		},
		async autocommit(work, {lockTimeoutMs}) {
			await run('SELECT set_config(\'lock_timeout\', $1, false)', [`${Math.max(1, Math.round(lockTimeoutMs))}ms`]);
			try {
				return await work();
			} finally {
				await run('SET lock_timeout = \'5s\'').catch(() => undefined);
			}
		},
		isLockTimeout: error => errorCode(error) === '55P03',
		watchBlockers: async intervalMs => observer.watch(intervalMs),
		async close() {
			await observer.close();
			await client.end();
		},
	};
}
