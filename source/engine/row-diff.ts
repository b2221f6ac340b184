import type {RowCountDiff, RowCounts} from './model.js';

/** Every table in either snapshot, with its change; tables that appeared or vanished have a null side. */
export function diffRowCounts(before: RowCounts, after: RowCounts): RowCountDiff[] {
	const tables = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
	return tables.map(table => {
		const b = before[table] ?? null;
		const a = after[table] ?? null;
		return {table, before: b, after: a, delta: (a ?? 0) - (b ?? 0)};
	});
}
