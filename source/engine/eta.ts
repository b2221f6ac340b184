import type {ExpectedDuration} from './model.js';
import type {MigrationRow} from './state.js';

export type UpgradeEstimate = {
	done: number;
	total: number;
	/** Whole percent of migrations done. */
	percent: number;
	/** Time still to go; null when nothing is known to estimate from. */
	remainingMs: number | null;
	/** What the estimate rests on: earlier runs of the same migrations, this run's durations so far, or both. */
	basis: 'history' | 'so-far' | 'both' | null;
};

/**
 * How far the upgrade is and how long it may still take. A migration an earlier run applied
 * (same checksum) is expected to take what it took then; any other one the mean of those done
 * in this run. The running one counts for what is left of its expected time.
 */
export function estimateUpgrade(rows: readonly MigrationRow[], history: readonly ExpectedDuration[], now: number): UpgradeEstimate {
	const total = rows.length;
	const finished = rows.filter(r => r.status === 'done');
	const done = finished.length;
	const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
	const soFar = finished.filter(r => r.durationMs !== null);
	const mean = soFar.length > 0 ? soFar.reduce((sum, r) => sum + (r.durationMs ?? 0), 0) / soFar.length : null;
	const past = new Map(history.map(h => [h.name, h.durationMs]));
	let remainingMs = 0;
	let fromHistory = false;
	let fromSoFar = false;
	for (const row of rows) {
		if (row.status === 'done') {
			continue;
		}

		const expected = past.get(row.name) ?? mean;
		if (expected === null || row.status === 'failed') {
			return {done, total, percent, remainingMs: null, basis: null};
		}

		if (past.has(row.name)) {
			fromHistory = true;
		} else {
			fromSoFar = true;
		}

		const elapsed = row.status === 'running' && row.startedAt !== null ? Math.max(0, now - row.startedAt) : 0;
		remainingMs += Math.max(0, expected - elapsed);
	}

	const basis = fromHistory && fromSoFar ? 'both' : (fromHistory ? 'history' : (fromSoFar ? 'so-far' : null));
	return {done, total, percent, remainingMs: Math.round(remainingMs), basis};
}

/** The whole upgrade's length as earlier runs saw it: null unless every pending migration has a past duration. */
export function expectedUpgradeMs(pending: ReadonlyArray<{name: string}>, history: readonly ExpectedDuration[]): {ms: number; known: number} | null {
	const past = new Map(history.map(h => [h.name, h.durationMs]));
	const known = pending.filter(m => past.has(m.name));
	if (known.length === 0) {
		return null;
	}

	return {ms: known.reduce((sum, m) => sum + (past.get(m.name) ?? 0), 0), known: known.length};
}
