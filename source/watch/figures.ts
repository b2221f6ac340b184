import {countSessions} from './counts.js';
import type {Rates} from './deltas.js';
import type {ActivitySnapshot, Counters, Replication, ServerStats} from './types.js';

/** Connection slots a client may take: max_connections less the slots kept for superusers. */
export const usableConnections = (stats: Pick<ServerStats, 'maxConnections' | 'reservedConnections'>): number =>
	stats.maxConnections - stats.reservedConnections;

/** The all-time ratio of pg_stat_database since its counters were last reset; null when nothing was ever read. */
export function cacheHitSinceReset(counters: Counters): number | null {
	const asked = counters.blocksHit + counters.blocksRead;
	return asked <= 0 ? null : counters.blocksHit / asked;
}

/** The figures the watch's header judges against the maintenance handbook's thresholds. */
export type HeaderFigures = {
	connections: {used: number; usable: number};
	cacheHitRatio: number | null;
	lockWait: {waiting: number; longestMs: number | null};
	/** null on a standby. */
	replication: Replication | null;
};

/** From one refresh and the rates since the one before: what `cutover watch` shows and `cutover health` judges. */
export function headerFigures(snapshot: ActivitySnapshot, rates: Pick<Rates, 'cacheHitRatio'>): HeaderFigures {
	const counts = countSessions(snapshot.rows, snapshot.idleSessions);
	return {
		connections: {used: counts.clients, usable: usableConnections(snapshot.stats)},
		cacheHitRatio: rates.cacheHitRatio,
		lockWait: {waiting: counts.waiting, longestMs: counts.longestLockWaitMs},
		replication: snapshot.stats.replication,
	};
}
