import type pg from 'pg';
import {connectPostgres} from './connect.js';
import type {PostgresTarget} from './postgres-target.js';

export const WATCH_APPLICATION_NAME = 'cutover watch';

/**
 * A connection for watching: named so operators (and the watch itself) can tell it apart, with
 * short timeouts so a stuck catalog read never freezes the screen or queues behind a DDL.
 */
export async function connectWatch(target: PostgresTarget, statementTimeoutMs = 2000): Promise<pg.Client> {
	// A server restart ends the connection; connectPostgres's error listener keeps that from killing the process, and the next refresh reconnects.
	return connectPostgres(target, {
		application_name: WATCH_APPLICATION_NAME,
		connectionTimeoutMillis: 5000,
		statement_timeout: statementTimeoutMs,
		lock_timeout: 500,
		idle_in_transaction_session_timeout: 10_000,
	});
}
