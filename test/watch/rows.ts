import type {ActivityRow} from '../../source/watch/types.js';

/** A visible, active client session; override what a case is about. */
export function row(pid: number, change: Partial<ActivityRow> = {}): ActivityRow {
	return {
		pid,
		leaderPid: null,
		database: 'shop',
		user: 'app',
		application: `app-${pid}`,
		client: '10.0.0.5',
		backendType: 'client backend',
		state: 'active',
		waitEventType: null,
		waitEvent: null,
		query: `SELECT ${pid}`,
		visible: true,
		backendMs: 60_000,
		xactMs: 1000,
		queryMs: 1000,
		stateMs: 1000,
		blockedBy: [],
		...change,
	};
}

export const waiting = (pid: number, blockedBy: number[], change: Partial<ActivityRow> = {}): ActivityRow =>
	row(pid, {waitEventType: 'Lock', waitEvent: 'relation', blockedBy, ...change});
