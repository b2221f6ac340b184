import type {DatabaseSnapshot} from '../engine/snapshot.js';
import type {ObjectChange, SnapshotDiff} from '../engine/snapshot-diff.js';

export function formatBytes(bytes: number): string {
	const abs = Math.abs(bytes);
	return abs >= 1024 * 1024 * 1024 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : abs >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : abs >= 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${bytes} B`;
}

export const signed = (n: number, show: (n: number) => string = String) => n > 0 ? `+${show(n)}` : (n < 0 ? `-${show(-n)}` : '0');

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : (word.endsWith('x') ? 'es' : 's')}`;

/** The other objects by kind (`, 2 types, 1 function`), as far as the snapshot read them. */
function others(snapshot: DatabaseSnapshot): string {
	const counts = new Map<string, number>();
	for (const o of snapshot.others ?? []) {
		counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
	}

	return [...counts].map(([kind, n]) => `, ${plural(n, kind)}`).join('');
}

/** One line: the database, its size and version, how many objects and rows. */
export function summarizeSnapshot(snapshot: DatabaseSnapshot): string {
	const rows = snapshot.tables.reduce((sum, t) => sum + t.rows, 0);
	return `${snapshot.engine} database ${snapshot.database}, ${formatBytes(snapshot.bytes)}, migration ${snapshot.migration ?? 'none'}, ${plural(snapshot.tables.length, 'table')} (${plural(rows, 'row')}), ${plural(snapshot.indexes.length, 'index')}, ${plural(snapshot.constraints.length, 'constraint')}, ${plural(snapshot.views.length, 'view')}${others(snapshot)}`;
}

/** What one snapshot holds, for `cutover snapshot`'s output: a header and a line per table. */
export function formatSnapshot(snapshot: DatabaseSnapshot): string[] {
	const lines = [
		`${snapshot.engine} database ${snapshot.database}, ${formatBytes(snapshot.bytes)}, migration ${snapshot.migration ?? 'none (no cutover_migrations rows)'}`,
		`${plural(snapshot.tables.length, 'table')}, ${plural(snapshot.indexes.length, 'index')}, ${plural(snapshot.constraints.length, 'constraint')}, ${plural(snapshot.views.length, 'view')}${others(snapshot)}`,
	];
	if (snapshot.tables.length > 0) {
		lines.push(...table(['TABLE', 'ROWS', 'SIZE', 'COLUMNS'], snapshot.tables.map(t => [t.name, String(t.rows), t.bytes === null ? '-' : formatBytes(t.bytes), String(t.columns.length)]), [false, true, true, true]));
	}

	return lines;
}

const DETAIL_WIDTH = 72;

const clip = (text: string, width: number) => {
	const flat = text.replaceAll(/\s+/g, ' ');
	return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
};

function detailOf(change: ObjectChange): string {
	if (change.change === 'changed') {
		return `${change.before ?? ''} → ${change.after ?? ''}`;
	}

	const table = change.table === null || change.kind === 'column' ? '' : `on ${change.table}: `;
	return `${table}${change.after ?? change.before ?? ''}`;
}

/**
 * `cutover snapshot diff`'s table: schema objects added, removed or changed, then the tables
 * whose rows or size changed, then what is unexpected. A `!` marks each unexpected line and
 * `~` one an `--allow` accepted.
 */
export function formatDiff(diff: SnapshotDiff): string[] {
	const mark = (row: {unexpected: string | null; allowed: boolean}) => row.unexpected === null ? (row.allowed ? '~' : ' ') : '!';
	const lines: string[] = [...diff.notes.map(note => `note: ${note}`)];
	const {before, after} = diff.migration;
	lines.push(`migration  ${before === after ? `${before ?? 'none'} (unchanged)` : `${before ?? 'none'} → ${after ?? 'none'}`}`);
	lines.push(`size       ${formatBytes(diff.bytes.before)} → ${formatBytes(diff.bytes.after)} (${signed(diff.bytes.after - diff.bytes.before, formatBytes)})`);
	lines.push('');
	if (diff.objects.length === 0) {
		lines.push('schema: no object added, removed or changed');
	} else {
		lines.push(...table(['', 'KIND', 'CHANGE', 'OBJECT', 'DETAIL'], diff.objects.map(o => [mark(o), o.kind, o.change, o.name, clip(detailOf(o), DETAIL_WIDTH)])));
	}

	lines.push('');
	if (diff.data.length === 0) {
		lines.push(`rows and sizes: no change${diff.unchangedTables > 0 ? ` in ${plural(diff.unchangedTables, 'table')}` : ''}`);
	} else {
		const size = (n: number | null) => n === null ? '-' : formatBytes(n);
		const sizeChange = (b: number | null, a: number | null) => b === null || a === null ? '-' : signed(a - b, formatBytes);
		// SQLite keeps no size per table: no columns of dashes.
		const sized = diff.data.some(d => d.bytes.before !== null || d.bytes.after !== null);
		lines.push(...table(
			['', 'TABLE', 'ROWS BEFORE', 'AFTER', 'CHANGE', ...(sized ? ['SIZE BEFORE', 'AFTER', 'CHANGE'] : [])],
			diff.data.map(d => [mark(d), d.table, String(d.rows.before), String(d.rows.after), signed(d.rows.after - d.rows.before), ...(sized ? [size(d.bytes.before), size(d.bytes.after), sizeChange(d.bytes.before, d.bytes.after)] : [])]),
			[false, false, true, true, true, true, true, true],
		));
		lines.push(`${plural(diff.unchangedTables, 'other table')} unchanged`);
	}

	lines.push('');
	if (diff.unexpected.length === 0) {
		lines.push('no unexpected change');
	} else {
		lines.push(`UNEXPECTED: ${plural(diff.unexpected.length, 'change')}`, ...diff.unexpected.map(why => `  ! ${why}`));
	}

	return lines;
}

/** Columns padded to their widest cell; `right` aligns numbers. The last column is not padded. */
function table(header: string[], rows: string[][], right: boolean[] = []): string[] {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)));
	const line = (cells: string[]) => cells.map((cell, i) => i === cells.length - 1 && right[i] !== true ? cell : (right[i] === true ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
	return [line(header), ...rows.map(line)];
}
