// A screen line as cells: the parts that move every refresh (ages, counts) kept apart from the
// parts that only change with the session (pid, user, query). Ink measures and caches the text
// of every <Text> it lays out and never forgets one; one string per line would add a new entry
// per line per refresh, while cells keep that set as small as the set of distinct values.

const length = (text: string) => [...text].length;

/** Cuts cells to `width` characters in all, marking the cut with "…": truncate() of their join, cell by cell. */
export function truncateCells(cells: string[], width: number): string[] {
	if (cells.reduce((sum, cell) => sum + length(cell), 0) <= width) {
		return cells;
	}

	const keep = width <= 1 ? width : width - 1;
	const mark = width <= 1 ? '' : '…';
	const out: string[] = [];
	let used = 0;
	for (const cell of cells) {
		const chars = [...cell];
		if (used + chars.length < keep) {
			out.push(cell);
			used += chars.length;
			continue;
		}

		out.push(`${chars.slice(0, keep - used).join('')}${mark}`);
		break;
	}

	return out;
}

/** Pads or cuts cells to exactly `width` characters in all: fit() of their join. */
export function fitCells(cells: string[], width: number): string[] {
	const cut = truncateCells(cells, width);
	const pad = ' '.repeat(Math.max(0, width - cut.reduce((sum, cell) => sum + length(cell), 0)));
	return pad === '' ? cut : cut.length === 0 ? [pad] : [...cut.slice(0, -1), `${cut.at(-1)!}${pad}`];
}
