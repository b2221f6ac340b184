import {Box, Text} from 'ink';
import {describeCounts, verdictCounts} from '../../source/engine/lock-impact-summary.js';
import type {VerdictLevel} from '../../source/engine/lock-impact.js';
import type {LockTraceReport} from '../../source/engine/lock-trace.js';
import type {RunState} from '../../source/engine/state.js';
import {row, statementLines} from '../../source/lock-trace/format-lock-trace.js';
import {truncate} from '../format.js';
import {clampFirst} from './plan-view.js';

export type LockImpact = NonNullable<RunState['lockImpact']>;

/** The window's one line on the trace; `key` is how the table is opened from where the focus is. */
export function lockImpactSummary(impact: LockImpact, key: string): {text: string; level: VerdictLevel | 'measuring'} {
	if (impact.status === 'measuring') {
		return {text: 'Locks   measuring on a copy…', level: 'measuring'};
	}

	if (impact.status === 'failed') {
		return {text: `Locks   not traced: ${impact.reason}`, level: 'caution'};
	}

	const counts = verdictCounts(impact.report);
	const level: VerdictLevel = counts.danger > 0 ? 'danger' : counts.caution > 0 ? 'caution' : 'ok';
	// Short enough for 80 columns with the longer key name: the record's line says it in full.
	const said = describeCounts(impact.report, {short: true});
	return {text: `Locks   ${said} (measured on a copy) · ${key} for the table`, level};
}

export function LockImpactLine({impact, openKey, width}: {impact: LockImpact; openKey: string; width: number}) {
	const {text, level} = lockImpactSummary(impact, openKey);
	const shown = truncate(text, width);
	if (level === 'measuring') {
		return <Text dimColor>{shown}</Text>;
	}

	return level === 'ok' ? <Text>{shown}</Text> : <Text color={level === 'danger' ? 'red' : 'yellow'} bold={level === 'danger'}>{shown}</Text>;
}

export type LockLine = {text: string; level: VerdictLevel | null; heading: boolean};

/** The trace as cutover lint --trace prints it, a table per migration, each line with the verdict it belongs to. */
export function lockImpactLines(report: LockTraceReport): LockLine[] {
	const lines: LockLine[] = [];
	for (const migration of report.migrations) {
		const count = migration.statements.length;
		const how = migration.transaction ? 'in a transaction' : 'no-transaction: not run to trace';
		lines.push({text: `${migration.name} (${count} statement${count === 1 ? '' : 's'}, ${how})`, level: migration.level, heading: true});
		if (count > 0) {
			lines.push({text: row(['#', 'statement', 'lock', 'table', 'blocks', 'rewrite', 'size']), level: null, heading: false});
		}

		for (const statement of migration.statements) {
			lines.push(...statementLines(statement).map(text => ({text, level: statement.verdict.level, heading: false})));
		}

		if (migration.problem !== null) {
			lines.push({text: `  ${migration.problem}`, level: 'danger', heading: false});
		}

		lines.push({text: '', level: null, heading: false});
	}

	lines.push({text: 'blocks: R reads and W writes would wait · lock #n: held since statement n', level: null, heading: false});
	if (report.migrations.length === 0) {
		lines.unshift({text: 'No pending migration of this run was traced.', level: null, heading: false});
	}

	return lines;
}

type Props = {lines: LockLine[]; first: number; height: number; width: number};

/** A page of the trace from `first`, danger rows in red and caution in yellow. */
export function LockImpactView({lines, first, height, width}: Props) {
	const start = clampFirst(first, lines.length, height);
	const end = Math.min(lines.length, start + height);
	return (
		<Box flexDirection='column'>
			<Text bold>{truncate(`Locks, measured on a copy · lines ${start + 1}–${end} of ${lines.length} · ↑ ↓ PgUp PgDn · Esc back`, width)}</Text>
			{lines.slice(start, end).map((line, i) => {
				const text = truncate(line.text, width);
				const color = line.level === 'danger' ? 'red' : line.level === 'caution' && !line.heading ? 'yellow' : undefined;
				return <Text key={start + i} bold={line.heading} {...(color === undefined ? {} : {color})}>{text === '' ? ' ' : text}</Text>;
			})}
		</Box>
	);
}
