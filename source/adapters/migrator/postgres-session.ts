import pg from 'pg';
import {TargetError} from '../../errors/index.js';
import {blockerObserver} from './postgres-blockers.js';
import type {Row, Session} from './session.js';
import {errorCode, messageOf} from './session.js';

type PostgresTarget = {connectionString: string; password: string | undefined; display: string};

async function connect(target: PostgresTarget, applicationName: string): Promise<pg.Client> {
	const client = new pg.Client({
		connectionString: target.connectionString,
		...(target.password === undefined ? {} : {password: target.password}),
		application_name: applicationName,
	});
	try {
		await client.connect();
	} catch (error) {
		await client.end().catch(() => undefined);
		throw new TargetError(`cannot connect to ${target.display}: ${messageOf(error)}`, {
			target: target.display,
			hint: 'check that the server is up, the URL is right and the password is given (PGPASSWORD or the URL)',
			cause: error,
		});
	}

	// A dropped connection must reject the running query, not crash the process.
	client.on('error', () => undefined);
	return client;
}

/** One pg.Client: PostgreSQL runs DDL inside transactions, so a migration and its log row commit together. */
export async function openPostgresSession(target: PostgresTarget): Promise<Session> {
	const client = await connect(target, 'cutover migrator');
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
			await run('BEGIN');
			try {
				// LOCAL: the timeout ends with the transaction, whichever way it ends.
				await run('SELECT set_config(\'lock_timeout\', $1, true)', [`${Math.max(1, Math.round(lockTimeoutMs))}ms`]);
				const value = await work();
				await run('COMMIT');
				return value;
			} catch (error) {
				await run('ROLLBACK').catch(() => undefined);
				throw error;
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
