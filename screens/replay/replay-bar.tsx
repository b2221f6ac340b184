import {Box, Text} from 'ink';
import type {Entry} from '../../source/engine/events.js';
import {isDecision, type Cursor, type Speed, type Wait} from '../../source/replay/controller.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {formatDuration, truncate} from '../format.js';

export type ReplayBarProps = {
	cursor: Cursor;
	/** The event at the cursor. */
	entry: Entry;
	total: number;
	/** The player's wait before the next event, when playing. */
	wait: Wait | null;
	/** Where reading the record stopped early, or null. */
	damage: string | null;
	width: number;
};

export const speedLabel = (speed: Speed): string => speed === 'instant' ? 'instant' : `×${speed}`;

/**
 * Two lines under the screens: where the replay is, when that was, and what happened there.
 * The first line fits 80 columns with thousands of events and a cut idle gap.
 */
export function ReplayBar({cursor, entry, total, wait, damage, width}: ReplayBarProps) {
	const atEnd = cursor.position >= total - 1;
	const state = cursor.playing ? '▶ playing' : (atEnd ? '■ end' : '‖ paused');
	const parts = [
		`${state} ${speedLabel(cursor.speed)}`,
		`event ${cursor.position + 1}/${total}`,
		new Date(entry.at).toISOString(),
	];
	if (wait?.capped) {
		parts.push(`idle ${formatDuration(wait.recordedMs)} → ${formatDuration(wait.ms)}`);
	}

	const decision = isDecision(entry);
	const override = entry.event.type === 'operator.override';
	const mark = override ? '» OVERRIDE' : (decision ? '» DECISION' : ' ');
	const what = truncate(`${mark} ${entry.event.type}: ${describeEvent(entry.event)}`, width);
	return (
		<Box flexDirection='column'>
			<Text inverse>{truncate(parts.join(' · '), width)}</Text>
			{decision
				? <Text bold color={override ? 'red' : 'yellow'}>{what}</Text>
				: <Text dimColor>{what}</Text>}
			{damage ? <Text color='red'>{truncate(`! the record stops early: ${damage}`, width)}</Text> : null}
		</Box>
	);
}
