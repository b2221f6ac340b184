import type {AdoptionRow} from '../engine/model.js';

const cut = (text: string, width: number) => text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;

/**
 * The mapping as a table, one migration per line: file, history row, status, and the detail
 * (a baseline's objects each with present, MISSING or dropped later under their migration).
 */
export function formatAdoptionTable(rows: readonly AdoptionRow[], width: number): string[] {
	const fileWidth = Math.min(40, Math.max(4, ...rows.map(r => (r.file ?? '(no file)').length)));
	const historyWidth = Math.min(34, Math.max(11, ...rows.map(r => (r.history ?? '-').length)));
	const line = (file: string, history: string, status: string, detail: string) =>
		cut(`  ${cut(file, fileWidth).padEnd(fileWidth)}  ${cut(history, historyWidth).padEnd(historyWidth)}  ${status.padEnd(17)}  ${detail}`.trimEnd(), Math.max(40, width));
	const lines = [line('file', 'history row', 'status', '')];
	for (const row of rows) {
		const flag = row.status === 'applied' || row.status === 'pending' || row.status === 'logged' || row.status === 'code' ? row.status : row.status.toUpperCase();
		lines.push(line(row.file ?? '(no file)', row.history ?? '-', flag, row.detail));
		for (const object of row.objects ?? []) {
			const state = object.droppedBy === undefined
				? object.present ? 'present' : 'MISSING'
				: `dropped later by ${object.droppedBy}${object.renamedTo === undefined ? '' : ` (renamed to ${object.renamedTo})`}`;
			lines.push(cut(`      ${object.kind} ${object.name}: ${state}`, Math.max(40, width)));
		}
	}

	return lines;
}
