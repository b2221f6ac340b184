import type {BackfillProgress} from './model.js';
import {describeSpan} from './observation.js';

const count = (n: number) => n.toLocaleString('en-US');

/** One backfill report in words, the same on the upgrade screen, in replay and in the record's text. */
export function describeBackfill(p: BackfillProgress): string {
	const percent = p.total === 0 ? 100 : Math.floor((p.rows / p.total) * 100);
	const head = `backfill ${p.table}: ${count(p.rows)} of ${count(p.total)} rows (${percent} %)`;
	const resumed = p.resumedFrom > 0 ? ` · went on after ${count(p.resumedFrom)}` : '';
	const over = p.overBound > 0 ? `, ${count(p.overBound)} over ${p.maxLockMs} ms` : '';
	if (p.finished) {
		return `${head} · done${p.batches === 0 ? ' (already, before this attempt)' : ` in ${count(p.batches)} batches, longest ${p.longestBatchMs} ms${over}`}${resumed}`;
	}

	if (p.batches === 0) {
		return `${head} · starting, batches of ${count(p.batchSize)}${resumed}`;
	}

	const eta = p.etaMs === null ? '' : ` · about ${describeSpan(p.etaMs)} left`;
	return `${head}${eta} · ${count(p.rowsPerSecond)} rows/s · batch ${count(p.batchSize)}, longest ${p.longestBatchMs} ms${over}${resumed}`;
}
