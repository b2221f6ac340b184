import {Box, Text} from 'ink';
import type {RowCountDiff} from '../source/engine/model.js';
import type {DatabaseSnapshot} from '../source/engine/snapshot.js';
import {diffSnapshots, type ObjectChange} from '../source/engine/snapshot-diff.js';
import type {ObservationState} from '../source/engine/state.js';
import {ChecksScreen, type ChecksScreenProps} from './checks-screen.js';
import {fit, formatBytes, plural, truncate} from './format.js';
import {ObservationView} from './observation-view.js';

export type PostScreenProps = Omit<ChecksScreenProps, 'phase' | 'awaitingProceed' | 'gate' | 'blockers'> & {
	/** state.post.diff, null until the row counts are compared. */
	diff: RowCountDiff[] | null;
	/** state.snapshots; the section shows once both are taken (records older than snapshots have none). */
	snapshots?: {before: DatabaseSnapshot | null; after: DatabaseSnapshot | null};
	/** state.observation: once the observation period starts it takes the screen, the checks in one line above it. */
	observation?: ObservationState | null;
	/** expectedChanges(state): what the applied migrations' own statements alter or remove. */
	expected?: {objects: readonly string[]; rows: readonly string[]};
};

const MAX_CHANGED = 6;

const never = () => ({open: false as const, reasons: ['post-verification has nothing to proceed to']});

/** Post-verification: the same check table as pre, and the row counts that changed since the baseline. */
export function PostScreen({diff, snapshots, observation, expected, ...checks}: PostScreenProps) {
	if (observation != null) {
		const changed = diff === null ? '' : `, ${plural(changedOf(diff).length, 'table')} with other row counts`;
		const postLine = `✓ Post-verification passed: ${plural(checks.checks.length, 'check')}${changed}`;
		return <ObservationView observation={observation} postLine={postLine} now={checks.now ?? observation.startedAt} width={checks.width} keys={checks.keys} onDecision={checks.onDecision}/>;
	}

	return (
		<Box flexDirection='column'>
			<ChecksScreen {...checks} phase='post' awaitingProceed={false} gate={never} blockers={[]} evidenceRows={checks.evidenceRows ?? 3} maxVisible={checks.maxVisible ?? 5}/>
			<RowCounts diff={diff} width={checks.width}/>
			{snapshots?.before && snapshots.after ? <SnapshotChanges before={snapshots.before} after={snapshots.after} expected={expected} width={checks.width}/> : null}
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
			{/* The unchanged ones on the title's line: the screen has two lines for the snapshots and must stay under 24 rows. */}
			<Text bold>{truncate(`Row counts against the baseline · ${plural(unchanged, 'table')} unchanged`, width)}</Text>
			{shown.length > 0 ? <Text dimColor>{truncate(`${fit('table', nameWidth)}  ${'before'.padStart(10)}  ${'after'.padStart(10)}  ${'change'.padStart(10)}`, width)}</Text> : null}
			{shown.map(d => (
				<Text key={d.table}>
					{truncate(`${fit(d.table, nameWidth)}  ${count(d.before).padStart(10)}  ${count(d.after).padStart(10)}  ${(d.delta > 0 ? `+${d.delta}` : String(d.delta)).padStart(10)}`, width)}
				</Text>
			))}
			{changed.length > shown.length ? <Text dimColor>…and {plural(changed.length - shown.length, 'more changed table')}</Text> : null}
		</Box>
	);
}

/**
 * The snapshot after the upgrade against the one before, in two lines, so the screen keeps
 * within 24 rows (Ink redraws the whole terminal once a frame fills it): the objects added,
 * removed and changed and the size; then what is unexpected, the first such object named. The
 * rows are above, the version in the version check and the summary; the whole diff is in the
 * record, which holds both snapshots.
 */
export function SnapshotChanges({before, after, expected, width}: {before: DatabaseSnapshot; after: DatabaseSnapshot; expected?: PostScreenProps['expected']; width: number}) {
	const diff = diffSnapshots(before, after, expected === undefined ? {} : {expected});
	// Removals and redefinitions the migrations' own statements name: said, not alarmed at.
	const theirs = diff.objects.filter(o => o.allowed).length + diff.data.filter(d => d.allowed).length;
	const of = (change: ObjectChange['change']) => diff.objects.filter(o => o.change === change).length;
	const unexpected = diff.unexpected.length;
	const objectsOff = diff.objects.filter(o => o.unexpected !== null);
	const lostRows = diff.data.filter(d => d.unexpected !== null).map(d => d.table);
	const first = objectsOff[0];
	const kinds = [
		first === undefined ? null : `${first.change} ${first.kind} ${first.name}${objectsOff.length > 1 ? ` and ${plural(objectsOff.length - 1, 'more object')}` : ''}`,
		lostRows.length > 0 ? `${lostRows.join(', ')} lost rows` : null,
		unexpected > objectsOff.length + lostRows.length ? 'the migration version is gone' : null,
	].filter(Boolean).join('; ');
	// No blank line above: the bold title sets it apart from the row counts.
	return (
		<Box flexDirection='column'>
			<Text bold>{truncate(`Snapshots before → after: ${of('added')} added, ${of('removed')} removed, ${of('changed')} changed · ${formatBytes(diff.bytes.before)} → ${formatBytes(diff.bytes.after)}`, width)}</Text>
			{unexpected === 0
				? <Text>{truncate(`✓ no unexpected change${theirs > 0 ? ` (${theirs} made by the migrations' own statements)` : ''}`, width)}</Text>
				: <Text color='red'>{truncate(`! ${unexpected} unexpected: ${kinds}`, width)}</Text>}
		</Box>
	);
}
