import type {Counters} from './types.js';

export type Rates = {
	/** Blocks found in shared buffers over blocks asked for, this interval only; null when nothing was read. */
	cacheHitRatio: number | null;
	transactionsPerSecond: number | null;
};

/**
 * Rates between two refreshes. The all-time ratio in pg_stat_database hides a cold cache after
 * a restart behind months of warm history; an interval shows what is happening now. A counter
 * that went backwards (stats reset, server restart) gives no rate rather than a negative one.
 */
export function ratesBetween(before: {at: number; counters: Counters} | null, after: {at: number; counters: Counters}): Rates {
	if (before === null) {
		return {cacheHitRatio: null, transactionsPerSecond: null};
	}

	const hit = after.counters.blocksHit - before.counters.blocksHit;
	const read = after.counters.blocksRead - before.counters.blocksRead;
	const transactions = after.counters.transactions - before.counters.transactions;
	const seconds = (after.at - before.at) / 1000;
	const reset = hit < 0 || read < 0 || transactions < 0;
	return {
		cacheHitRatio: reset || hit + read === 0 ? null : hit / (hit + read),
		transactionsPerSecond: reset || seconds <= 0 ? null : transactions / seconds,
	};
}
