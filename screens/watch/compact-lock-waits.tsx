import {Box, Text} from 'ink';
import type {LockSample} from '../../source/engine/model.js';
import {lockWaitLevel, DEFAULT_THRESHOLDS, type Thresholds} from '../../source/watch/thresholds.js';
import {formatDuration, plural, truncate} from '../format.js';
import {CellLine} from './cell-line.js';
import {truncateCells} from './cells.js';
import {levelColor, levelMark} from './level-color.js';

type Props = {
	sample: LockSample;
	width: number;
	thresholds?: Thresholds;
};

/**
 * At most four lines for the upgrade screen and its replay: how many wait, then the three
 * longest waiters and whom they wait for. Draws only from the sample, so a replay matches.
 * Durations are cells of their own (see cell-line.tsx): they move with every sample.
 */
export function CompactLockWaits({sample, width, thresholds = DEFAULT_THRESHOLDS}: Props) {
	const total = sample.waiters.length + sample.more;
	if (total === 0) {
		return <Text dimColor>{truncate('locks: nobody waits', width)}</Text>;
	}

	const longest = sample.waiters[0]?.waitingMs ?? 0;
	const level = lockWaitLevel(longest, thresholds);
	const color = levelColor(level);
	const shown = sample.waiters.slice(0, 3);
	const hidden = total - shown.length;
	return (
		<Box flexDirection="column">
			<CellLine cells={truncateCells([`locks: ${plural(total, 'session')} waiting, longest `, formatDuration(longest), `${levelMark(level)}${hidden > 0 ? ` (${hidden} more not shown)` : ''}`], width)} {...(color === undefined ? {} : {color})} bold/>
			{shown.map(waiter => (
				<CellLine key={waiter.pid} cells={truncateCells([`  ${waiter.pid} ${waiter.user ?? '?'} `, formatDuration(waiter.waitingMs), ` ← ${waiter.blockedBy.length === 0 ? '?' : waiter.blockedBy.map(pid => pid === 0 ? 'prepared tx' : String(pid)).join(',')}: ${(waiter.query ?? '<insufficient privilege>').replaceAll(/\s+/g, ' ')}`], width)}/>
			))}
		</Box>
	);
}
