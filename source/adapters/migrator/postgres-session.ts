import pg from 'pg';
import {TargetError} from '../../errors/index.js';
import type {Row, Session} from './session.js';
import {messageOf} from './session.js';

/** One pg.Client: PostgreSQL runs DDL inside transactions, so a migration and its log row commit together. */
export async function openPostgresSession(target: {connectionString: string; password: string | undefined; display: string}): Promise<Session> {
	const client = new pg.Client({
		connectionString: target.connectionString,
		...(target.password === undefined ? {} : {password: target.password}),
		application_name: 'cutover migrator',
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

	const run = async (sql: string, params: readonly unknown[] = []): Promise<Row[]> => {
		const result = await client.query(sql, [...params]);
		return result.rows as Row[];
	};

	return {
		engine: 'postgres',
		run,
		async transaction(work) {
			await run('BEGIN');
			try {
				const value = await work();
				await run('COMMIT');
				return value;
			} catch (error) {
				await run('ROLLBACK').catch(() => undefined);
				throw error;
			}
		},
		async close() {
			await client.end();
		},
	};
}
