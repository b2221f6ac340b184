import type {TreeLine} from '../../source/watch/blocking-tree.js';
import {ageOf, type SortKey} from '../../source/watch/filters.js';
import type {ActivityRow} from '../../source/watch/types.js';
import {fit, formatDuration} from '../format.js';
import {fitCells, truncateCells} from './cells.js';

export const HIDDEN = '<insufficient privilege>';

const flat = (text: string) => text.replaceAll(/\s+/g, ' ').trim();

/** What the row is doing: a wait, else its state; a hidden row says so. */
export function doing(row: ActivityRow): string {
	if (!row.visible) {
		return '?';
	}

	if (row.waitEventType === 'Lock') {
		return `lock:${row.waitEvent ?? ''}`;
	}

	return row.state === 'idle in transaction' ? 'idle in tx' : row.state ?? row.backendType;
}

const age = (ms: number | null) => ms === null ? '–' : formatDuration(ms);

export const LIST_HEADING = (width: number, sort: SortKey) =>
	fit(`  ${fit('pid', 7)} ${fit(`${sort === 'query' ? 'query' : sort === 'transaction' ? 'xact' : 'conn'} age`, 9)} ${fit('user', 10)} ${fit('database', 10)} ${fit('doing', 12)} query`, width);

/** One line of the running or idle-in-transaction list, exactly `width` wide, as cells: the age apart. */
export function rowCells(row: ActivityRow, sort: SortKey, width: number): string[] {
	const query = row.visible ? flat(row.query ?? '') : HIDDEN;
	return fitCells([`${fit(String(row.pid), 7)} `, fit(age(ageOf(row, sort)), 9), ` ${fit(row.user ?? '?', 10)} ${fit(row.database ?? '', 10)} ${fit(doing(row), 12)} ${query}`], width);
}

export const rowLine = (row: ActivityRow, sort: SortKey, width: number): string => rowCells(row, sort, width).join('');

/** One line of the blocking tree as cells: indentation and who, how long it waited (apart), marks, what it runs. */
export function treeLineCells(line: TreeLine, width: number): string[] {
	const indent = line.level === 0 ? '' : `${'  '.repeat(line.level - 1)}└ `;
	const marks = [
		line.inCycle ? 'CYCLE' : '',
		line.workers > 0 ? `+${line.workers} workers` : '',
		line.alsoWaitsFor.length > 0 ? `also waits for ${line.alsoWaitsFor.join(',')}` : '',
		line.level === 0 && line.blocking > 0 ? `blocks ${line.blocking}` : '',
	].filter(Boolean).join(' · ');
	if (line.row === null) {
		const what = line.kind === 'prepared' ? 'prepared transaction (pid 0; see pg_prepared_xacts)' : `pid ${line.pid}: not in pg_stat_activity (${HIDDEN} or ended)`;
		return fitCells([`${indent}${what}${marks === '' ? '' : `  ${marks}`}`], width);
	}

	const {row} = line;
	const [what, waited] = row.waitEventType === 'Lock' ? ['waits', age(row.stateMs)] : [doing(row), age(row.state === 'active' ? row.queryMs : row.stateMs)];
	const head = [`${indent}${row.pid} ${row.user ?? '?'} ${what} `, waited, marks === '' ? '' : ` [${marks}]`];
	const query = row.visible ? flat(row.query ?? '') : HIDDEN;
	return fitCells([...truncateCells(head, Math.max(20, width - 20)), `  ${query}`], width);
}

export const treeLineText = (line: TreeLine, width: number): string => treeLineCells(line, width).join('');
