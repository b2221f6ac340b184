import type {ActivityMonitor} from '../ports/activity-monitor.js';
import type {FigureReader} from '../ports/figures.js';
import type {ActivitySnapshot} from '../watch/types.js';
import {ratesBetween} from '../watch/deltas.js';
import {cacheHitSinceReset, headerFigures} from '../watch/figures.js';
import type {HealthFigures} from './judge-thresholds.js';

/** Reads the figures through the watch's own refresh, keeping the last one to rate the cache hits between two reads. */
export function figureReader(monitor: Pick<ActivityMonitor, 'refresh'>): FigureReader {
	let last: ActivitySnapshot | null = null;
	return {
		async read(): Promise<HealthFigures> {
			const now = await monitor.refresh();
			const before = last;
			last = now;
			if (before === null) {
				return {...headerFigures(now, {cacheHitRatio: cacheHitSinceReset(now.stats.counters)}), cacheHitOver: {kind: 'since-reset'}};
			}

			const rates = ratesBetween({at: before.at, counters: before.stats.counters}, {at: now.at, counters: now.stats.counters});
			return {...headerFigures(now, rates), cacheHitOver: {kind: 'interval', ms: now.at - before.at}};
		},
	};
}
