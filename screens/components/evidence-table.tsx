import {Box, Text} from 'ink';
import type {Cell, Evidence} from '../../source/engine/model.js';
import {fit, plural, truncate} from '../format.js';

const GAP = '  ';
const MIN_COLUMN = 6;
/** Room for "  +NNN cols" when columns have to go. */
const MARKER = 11;

export const formatCell = (cell: Cell): string => cell === null ? 'NULL' : String(cell).replaceAll(/\s+/g, ' ');

/**
 * Lays a table out in at most `width` characters: columns shrink from the widest down,
 * and columns that still do not fit are dropped and counted, so nothing ever wraps.
 */
export function layoutTable(columns: string[], rows: string[][], width: number): {lines: string[]; hiddenColumns: number} {
	const natural = columns.map((name, i) => Math.max([...name].length, ...rows.map(r => [...(r[i] ?? '')].length)));
	let widths = shrink(natural, width);
	// Columns that do not fit even at their narrowest are dropped from the right.
	for (let kept = natural.length - 1; widths === null && kept >= 1; kept--) {
		widths = shrink(natural.slice(0, kept), width - MARKER);
	}

	widths ??= [width];
	const hiddenColumns = natural.length - widths.length;
	const sized = widths;
	const line = (cells: string[]) => truncate(sized.map((w, i) => fit(cells[i] ?? '', w)).join(GAP).trimEnd(), width);
	const lines = [
		line(columns),
		truncate(sized.map(w => '─'.repeat(w)).join(GAP), width),
		...rows.map(row => line(row)),
	];
	if (hiddenColumns > 0) {
		lines[0] = truncate(`${lines[0] ?? ''}  +${hiddenColumns} col${hiddenColumns === 1 ? '' : 's'}`, width);
	}

	return {lines, hiddenColumns};
}

const spanOf = (widths: number[]) => widths.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, widths.length - 1);

/** Narrows the widest column one character at a time until the row fits; null if it cannot. */
function shrink(natural: number[], width: number): number[] | null {
	const widths = [...natural];
	while (spanOf(widths) > width) {
		const widest = widths.indexOf(Math.max(...widths));
		if ((widths[widest] ?? 0) <= MIN_COLUMN) {
			return null;
		}

		widths[widest] = (widths[widest] ?? 0) - 1;
	}

	return widths;
}

type Props = {
	evidence: Evidence;
	width: number;
	maxRows: number;
};

/** A check's evidence: its columns, the first rows, and how many more the query returned. */
export function EvidenceTable({evidence, width, maxRows}: Props) {
	if (evidence.total === 0 || evidence.columns.length === 0) {
		return <Text dimColor>(no rows)</Text>;
	}

	const rows = evidence.rows.slice(0, maxRows).map(r => r.map(c => formatCell(c)));
	const {lines} = layoutTable(evidence.columns, rows, width);
	const more = evidence.total - rows.length;
	return (
		<Box flexDirection='column'>
			{lines.map((l, i) => <Text key={i} bold={i === 0}>{l}</Text>)}
			{more > 0 ? <Text dimColor>…and {plural(more, 'more row')}</Text> : null}
		</Box>
	);
}
