import {Box, Text} from 'ink';
import {describeBackfill} from '../../source/engine/backfill-words.js';
import type {MigrationRow} from '../../source/engine/state.js';
import {firstLines, fit, formatDuration, plural, truncate, wrapWords} from '../format.js';

type Props = {
	rows: MigrationRow[];
	now: number;
	width: number;
	/** Rows drawn at most; finished ones collapse into a count first, then trailing pending ones. */
	maxRows: number;
};

const SYMBOL: Record<MigrationRow['status'], string> = {
	pending: '·',
	running: '⟳',
	done: '✓',
	failed: '✗',
};

function statusText(row: MigrationRow, now: number): string {
	switch (row.status) {
		case 'pending': {
			return 'pending';
		}

		case 'running': {
			const run = row.noTransaction;
			// Outside a transaction the statement in flight is what matters: each one before it has committed.
			const statement = run?.running == null ? '' : ` · statement ${run.running}${run.total === null ? '' : ` of ${run.total}`}`;
			return `running ${formatDuration(Math.max(0, now - (row.startedAt ?? now)))}${statement}`;
		}

		case 'done': {
			return `done ${formatDuration(row.durationMs ?? 0)}`;
		}

		case 'failed': {
			return `FAILED after ${formatDuration(row.durationMs ?? 0)}`;
		}
	}
}

/** Picks which rows to draw: the ones in motion or failed, with finished and pending ones counted when they do not fit. */
export function visibleRows(rows: MigrationRow[], maxRows: number): {shown: MigrationRow[]; doneHidden: number; pendingHidden: number} {
	if (rows.length <= maxRows) {
		return {shown: rows, doneHidden: 0, pendingHidden: 0};
	}

	const firstOpen = rows.findIndex(r => r.status !== 'done');
	const anchor = firstOpen === -1 ? rows.length : firstOpen;
	// Keep the last finished row for context, but never leave the bottom of the list empty.
	const start = Math.max(0, Math.min(anchor - 1, rows.length - (maxRows - 1)));
	const tail = rows.slice(start);
	const room = maxRows - (start > 0 ? 1 : 0);
	const shown = tail.length <= room ? tail : tail.slice(0, room - 1);
	return {shown, doneHidden: start, pendingHidden: tail.length - shown.length};
}

/** Each migration as a live row: pending · → running ⟳ → done ✓ or failed ✗ with its error and statement. */
export function MigrationRows({rows, now, width, maxRows}: Props) {
	if (rows.length === 0) {
		return <Text dimColor>(no migrations)</Text>;
	}

	const {shown, doneHidden, pendingHidden} = visibleRows(rows, maxRows);
	const nameWidth = Math.min(44, Math.max(...shown.map(r => r.name.length)));
	return (
		<Box flexDirection='column'>
			{doneHidden > 0 ? <Text dimColor>✓ {plural(doneHidden, 'earlier migration')} done</Text> : null}
			{shown.map(row => (
				<Box key={`${row.direction}:${row.name}`} flexDirection='column'>
					<Text bold={row.status === 'running'} {...(row.status === 'failed' ? {color: 'red'} : {})}>
						{truncate(`${SYMBOL[row.status]} ${row.direction === 'down' ? '↓ ' : ''}${fit(row.name, nameWidth)}  ${statusText(row, now)}${row.reversible ? '' : '  irreversible (no down)'}${row.noTransaction ? '  no transaction' : ''}`, width)}
					</Text>
					{row.noTransaction && row.status === 'failed' && row.noTransaction.tookEffect !== null
						? <Text color='yellow'>{truncate(`    took effect, not rolled back: ${row.noTransaction.tookEffect === 0 ? 'no statement' : (row.noTransaction.tookEffect === 1 ? 'statement 1' : `statements 1..${row.noTransaction.tookEffect}`)}${row.noTransaction.total === null ? '' : ` of ${row.noTransaction.total}`}`, width)}</Text>
						: null}
					{row.noTransaction && row.noTransaction.notRetrySafe.length > 0 && row.status !== 'done'
						// Wrapped, not cut: it says which statements would do harm if run twice.
						? <Text color='yellow'>{wrapWords(`! not safe to retry: ${row.noTransaction.notRetrySafe.map(u => `statement ${u.index}: ${u.why}`).join('; ')}`, Math.max(10, width - 6)).map((line, i) => `${i === 0 ? '    ' : '      '}${line}`).join('\n')}</Text>
						: null}
					{row.backfill && (row.status === 'running' || row.status === 'failed')
						// Wrapped, not cut: the time left and the longest batch are at its end.
						? <Text {...(row.status === 'failed' ? {color: 'yellow'} : {})}>{wrapWords(describeBackfill(row.backfill), Math.max(10, width - 6)).map((line, i) => `${i === 0 ? '    ' : '      '}${line}`).join('\n')}</Text>
						: null}
					{row.status === 'failed' && row.error ? <Text>{truncate(`    error: ${row.error.replaceAll('\n', ' ')}`, width)}</Text> : null}
					{row.status === 'failed' && row.statement
						? firstLines(row.statement, 2, width - 6).map((l, i) => <Text key={i} dimColor>{`    ${i === 0 ? '› ' : '  '}${l}`}</Text>)
						: null}
					{row.status === 'failed' && failedCut(row, width) ? <Text dimColor>    e shows the whole error and statement</Text> : null}
				</Box>
			))}
			{pendingHidden > 0 ? <Text dimColor>· …and {plural(pendingHidden, 'more pending migration')}</Text> : null}
		</Box>
	);
}

/** Whether the row's error line or its statement's first lines leave something out. */
function failedCut(row: MigrationRow, width: number): boolean {
	const error = row.error === null ? '' : `    error: ${row.error.replaceAll('\n', ' ')}`;
	if (truncate(error, width) !== error) {
		return true;
	}

	const statement = row.statement?.split('\n').map(l => l.trimEnd().replaceAll('\t', '  ')).filter(l => l.trim() !== '') ?? [];
	return statement.length > 2 || statement.some(l => truncate(l, width - 6) !== l);
}
