import {Box, Text} from 'ink';
import type {RowCountDiff} from '../source/engine/model.js';
import {ChecksScreen, type ChecksScreenProps} from './checks-screen.js';
import {fit, plural, truncate} from './format.js';

export type PostScreenProps = Omit<ChecksScreenProps, 'phase' | 'awaitingProceed' | 'gate' | 'blockers'> & {
	/** state.post.diff, null until the row counts are compared. */
	diff: RowCountDiff[] | null;
};

const MAX_CHANGED = 6;

const never = () => ({open: false as const, reasons: ['post-verification has nothing to proceed to']});

/** Post-verification: the same check table as pre, and the row counts that changed since the baseline. */
export function PostScreen({diff, ...checks}: PostScreenProps) {
	return (
		<Box flexDirection='column'>
			<ChecksScreen {...checks} phase='post' awaitingProceed={false} gate={never} blockers={[]} evidenceRows={checks.evidenceRows ?? 3} maxVisible={checks.maxVisible ?? 5}/>
			<RowCounts diff={diff} width={checks.width}/>
		</Box>
	);
}

const changedOf = (diff: RowCountDiff[]) => diff.filter(d => d.delta !== 0 || d.before === null || d.after === null);

const count = (n: number | null) => n === null ? 'absent' : String(n);

export function RowCounts({diff, width}: {diff: RowCountDiff[] | null; width: number}) {
	if (!diff) {
		return <Text dimColor>⟳ Comparing row counts with the baseline…</Text>;
	}

	const changed = changedOf(diff);
	const unchanged = diff.length - changed.length;
	const shown = changed.slice(0, MAX_CHANGED);
	const nameWidth = Math.min(30, Math.max(5, ...shown.map(d => d.table.length)));
	return (
		<Box flexDirection='column' marginTop={1}>
			<Text bold>Row counts against the baseline</Text>
			{shown.length > 0 ? <Text dimColor>{truncate(`${fit('table', nameWidth)}  ${'before'.padStart(10)}  ${'after'.padStart(10)}  ${'change'.padStart(10)}`, width)}</Text> : null}
			{shown.map(d => (
				<Text key={d.table}>
					{truncate(`${fit(d.table, nameWidth)}  ${count(d.before).padStart(10)}  ${count(d.after).padStart(10)}  ${(d.delta > 0 ? `+${d.delta}` : String(d.delta)).padStart(10)}`, width)}
				</Text>
			))}
			{changed.length > shown.length ? <Text dimColor>…and {plural(changed.length - shown.length, 'more changed table')}</Text> : null}
			<Text>{plural(unchanged, 'table')} unchanged</Text>
		</Box>
	);
}
