import type {ActivityRow, Counters, Replication} from '../../watch/types.js';

type Raw = unknown[];

const num = (value: unknown): number | null => typeof value === 'number' ? value : value === null || value === undefined ? null : Number(value);
const text = (value: unknown): string | null => typeof value === 'string' ? value : null;

export function toActivityRow(raw: Raw): ActivityRow {
	const visible = raw[11] === true;
	return {
		pid: Number(raw[0]),
		leaderPid: num(raw[1]),
		database: text(raw[2]),
		user: text(raw[3]),
		application: text(raw[4]),
		client: text(raw[5]),
		backendType: text(raw[6]) ?? 'unknown',
		state: text(raw[7]),
		waitEventType: text(raw[8]),
		waitEvent: text(raw[9]),
		query: visible ? text(raw[10]) : null,
		visible,
		backendMs: num(raw[12]),
		xactMs: num(raw[13]),
		queryMs: num(raw[14]),
		stateMs: num(raw[15]),
		blockedBy: Array.isArray(raw[16]) ? raw[16].map(Number) : [],
	};
}

/** The constants read once per connection (serverSql). */
export function toServerInfo(raw: Raw): {maxConnections: number; reservedConnections: number; serverVersion: string; ownPid: number} {
	return {maxConnections: Number(raw[0]), reservedConnections: Number(raw[1]), serverVersion: text(raw[2]) ?? '', ownPid: Number(raw[3])};
}

/** The summary row of refreshSql: columns 18 on. */
export function toRefreshSummary(raw: Raw): {idleSessions: number; counters: Counters; replication: Replication | null; preparedTransactions: number} {
	const inRecovery = raw[21] === true;
	return {
		idleSessions: Number(raw[17]),
		counters: {blocksHit: num(raw[18]) ?? 0, blocksRead: num(raw[19]) ?? 0, transactions: num(raw[20]) ?? 0},
		replication: inRecovery ? null : {replicas: Number(raw[22]), lagBytes: num(raw[23]), lagMs: num(raw[24])},
		preparedTransactions: Number(raw[25]),
	};
}
