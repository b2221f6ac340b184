import {median} from './measure.js';
import {stallGoalMs, type SectionResult} from './sqlite-backup.js';

/** A plain table, readable in a terminal and pasteable into a commit or an issue. */
export function formatReport(sections: SectionResult[], rounds: number): string {
	const header = ['what', 'rounds', 'median ms (cutover)', 'median ms (bare)', 'ratio', 'goal'];
	const rows = sections.flatMap(section => section.comparisons.map(comparison => {
		const cutover = median(comparison.cutoverMs);
		const bare = median(comparison.bareMs);
		return [comparison.what, String(rounds), cutover.toFixed(0), bare.toFixed(0), `${(cutover / bare).toFixed(2)}×`, judged(cutover / bare, comparison.goal)];
	}));
	const lines = [...sections.map(section => `${section.engine}: ${section.subject}`), '', ...table([header, ...rows]), ''];
	lines.push(...table([
		['progress during cutover backups', 'runs', 'callbacks/s', 'longest gap ms', 'main-thread stall ms (cutover / bare)'],
		...sections.map(({engine, progress, bareStallMs}) => [
			engine,
			String(progress.runs),
			(progress.calls / (progress.totalMs / 1000)).toFixed(1),
			progress.longestGapMs.toFixed(0),
			`${progress.longestStallMs.toFixed(0)} / ${bareStallMs.toFixed(0)}`,
		]),
	]));
	lines.push('', ...table([
		['where cutover\'s extra time goes (timed alone)', 'rounds', 'median ms'],
		...sections.flatMap(section => section.parts.map(part => [part.what, String(part.ms.length), median(part.ms).toFixed(0)])),
	]));
	for (const {engine, wholeStepStallMs} of sections) {
		if (wholeStepStallMs !== undefined) {
			lines.push('', `${engine}: longest event-loop stall over cutover's whole backup + verify: ${wholeStepStallMs.toFixed(0)} ms, ${judged(wholeStepStallMs, stallGoalMs, ' ms')}`);
		}
	}

	lines.push('', 'The console needs at least 2 callbacks/s; a gap above 500 ms would show as a frozen bar.');
	return lines.join('\n');
}

/** met or missed against a goal that is a ceiling; a dash where the issue sets none. */
export function judged(value: number, goal: number | undefined, unit = '×'): string {
	return goal === undefined ? '—' : `${value <= goal ? 'met' : 'missed'} (≤ ${goal}${unit})`;
}

export function table(rows: string[][]): string[] {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => row[column]!.length)));
	const line = (row: string[]) => row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join('  ');
	return [line(rows[0]!), widths.map(width => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)];
}
