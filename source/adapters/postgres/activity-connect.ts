import pg from 'pg';
import {connectionError} from './connect.js';
import type {PostgresTarget} from './postgres-target.js';

export const WATCH_APPLICATION_NAME = 'cutover watch';

/**
 * A connection for watching: named so operators (and the watch itself) can tell it apart, with
 * short timeouts so a stuck catalog read never freezes the screen or queues behind a DDL.
 */
export async function connectWatch(target: PostgresTarget, statementTimeoutMs = 2000): Promise<pg.Client> {
	const client = new pg.Client({
		connectionString: target.connectionString,
		application_name: WATCH_APPLICATION_NAME,
		connectionTimeoutMillis: 5000,
		statement_timeout: statementTimeoutMs,
		lock_timeout: 500,
		idle_in_transaction_session_timeout: 10_000,
	});
	if (target.password !== undefined) {
		client.password = target.password;
	}

	// A server restart ends the connection; the next refresh notices and reconnects.
	client.on('error', () => {});
	try {
		await client.connect();
	} catch (error) {
		await client.end().catch(() => {});
		throw connectionError(target, error);
	}

	return client;
}
