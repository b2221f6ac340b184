import type pg from 'pg';
import {TargetError} from '../../errors/index.js';
import type {ActivityMonitor} from '../../ports/activity-monitor.js';
import type {ActionOutcome, ActivitySnapshot} from '../../watch/types.js';
import {connectWatch} from './activity-connect.js';
import {toActivityRow, toRefreshSummary, toServerInfo} from './activity-rows.js';
import {databaseSizeSql, REFRESH_STATEMENT, refreshSql, serverSql} from './activity-sql.js';
import {connectionError} from './connect.js';
import type {PostgresTarget} from './postgres-target.js';

export type ActivityMonitorOptions = {
	statementTimeoutMs?: number;
	now?: () => number;
};

/** The live session view over its own connection, re-opened after the server went away. */
export function createPostgresActivityMonitor(target: PostgresTarget, options: ActivityMonitorOptions = {}): ActivityMonitor {
	const now = options.now ?? Date.now;
	let client: pg.Client | undefined;
	let server: ReturnType<typeof toServerInfo> | undefined;
	let closed = false;

	const connected = async (): Promise<pg.Client> => {
		if (closed) {
			throw new Error('the activity monitor is closed');
		}

		if (client === undefined) {
			const fresh = await connectWatch(target, options.statementTimeoutMs);
			try {
				server = toServerInfo((await fresh.query({text: serverSql, rowMode: 'array'})).rows[0]!);
			} catch (error) {
				await fresh.end().catch(() => {});
				throw connectionError(target, error);
			}

			client = fresh;
		}

		return client;
	};

	/** Runs work; a lost connection is dropped so the next call reconnects, and reported as a TargetError. */
	const using = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
		const current = await connected();
		try {
			return await work(current);
		} catch (error) {
			if (isConnectionLoss(error)) {
				client = undefined;
				await current.end().catch(() => {});
				throw connectionError(target, error);
			}

			throw new TargetError(`reading activity from ${target.display} failed: ${error instanceof Error ? error.message : String(error)}`, {
				target: target.display,
				hint: 'the watch retries by itself; a statement timeout means the server is very busy',
				cause: error,
			});
		}
	};

	return {
		async refresh(): Promise<ActivitySnapshot> {
			return using(async current => {
				// Named: the server plans it once per connection (pg re-prepares it on a new one).
				const {rows} = await current.query({name: REFRESH_STATEMENT, text: refreshSql, rowMode: 'array'});
				// The summary row is the one without a pid; UNION ALL promises no order.
				const at = rows.findIndex(raw => raw[0] === null);
				const summary = toRefreshSummary(rows[at]!);
				const {ownPid, ...constants} = server!;
				return {
					at: now(),
					stats: {...constants, counters: summary.counters, replication: summary.replication, preparedTransactions: summary.preparedTransactions},
					rows: rows.filter((_, index) => index !== at).map(toActivityRow),
					idleSessions: summary.idleSessions,
					ownPid,
				};
			});
		},
		async databaseSize() {
			return using(async current => Number((await current.query({text: databaseSizeSql, rowMode: 'array'})).rows[0]![0]));
		},
		async signal(kind, pid): Promise<ActionOutcome> {
			const fn = kind === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
			try {
				const result = await using(async current => current.query<[boolean]>({text: `SELECT ${fn}($1)`, values: [pid], rowMode: 'array'}));
				const ok = result.rows[0]?.[0] === true;
				return {kind, pid, ok, detail: ok ? `${fn}(${pid}) sent` : `${fn}(${pid}) found no such session (it may have ended)`};
			} catch (error) {
				const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
				return {kind, pid, ok: false, detail: `${fn}(${pid}) refused: ${cause}`};
			}
		},
		async close() {
			closed = true;
			await client?.end().catch(() => {});
			client = undefined;
		},
	};
}

function isConnectionLoss(error: unknown): boolean {
	const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
	// 57P01–57P03: admin shutdown, crash shutdown, cannot connect now; 08xxx: connection exceptions.
	return /^(57P0[1-3]|08)/.test(code) || /Connection terminated|not queryable|ECONNRESET|ECONNREFUSED|EPIPE/i.test(error instanceof Error ? error.message : String(error));
}
