import type {ActivityRow} from './types.js';

export type SortKey = 'query' | 'transaction' | 'backend';

export const SORT_KEYS: readonly SortKey[] = ['query', 'transaction', 'backend'];

/** The steps the minimum-duration key cycles through. */
export const MIN_DURATIONS_MS: readonly number[] = [0, 1000, 5000, 30_000, 60_000];

export type Filter = {
	/** Regex source, matched case-insensitively; '' matches everything. */
	pattern: string;
	minDurationMs: number;
};

export const NO_FILTER: Filter = {pattern: '', minDurationMs: 0};

/** The regex for a pattern, or why it does not compile (the screen shows it and keeps the old one). */
export function compilePattern(pattern: string): RegExp | string {
	try {
		return new RegExp(pattern, 'i');
	} catch (error) {
		return error instanceof Error ? error.message : String(error);
	}
}

export function ageOf(row: ActivityRow, key: SortKey): number | null {
	return key === 'query' ? row.queryMs : key === 'transaction' ? row.xactMs : row.backendMs;
}

/**
 * A session the role cannot see has no query to match: it stays whenever the pattern could
 * match what is visible of it (database, user, application), so hidden rows are never lost
 * silently to a filter that was meant for queries.
 */
export function matches(row: ActivityRow, regex: RegExp | null, filter: Filter, key: SortKey): boolean {
	if (filter.minDurationMs > 0 && (ageOf(row, key) ?? 0) < filter.minDurationMs) {
		return false;
	}

	if (regex === null || filter.pattern === '') {
		return true;
	}

	return [row.database, row.user, row.application, row.query].some(text => text !== null && regex.test(text));
}

export function sortRows(rows: readonly ActivityRow[], key: SortKey): ActivityRow[] {
	return [...rows].sort((a, b) => (ageOf(b, key) ?? -1) - (ageOf(a, key) ?? -1) || a.pid - b.pid);
}

export const isIdle = (row: ActivityRow) => row.state === 'idle';

export const isIdleInTransaction = (row: ActivityRow) => row.state !== null && row.state.startsWith('idle in transaction');

/** Running: everything neither idle nor idle in transaction, including sessions whose state the role cannot see. */
export const isRunning = (row: ActivityRow) => !isIdle(row) && !isIdleInTransaction(row);
