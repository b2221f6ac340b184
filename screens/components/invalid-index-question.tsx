import {Box, Text} from 'ink';
import type {RunEvent} from '../../source/engine/events.js';
import type {InvalidIndexes} from '../../source/engine/state.js';
import {truncate} from '../format.js';
import {useKeys, type ScreenKeys} from '../use-keys.js';

type Props = {
	found: InvalidIndexes | null;
	width: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
};

/**
 * INVALID indexes an earlier CREATE INDEX CONCURRENTLY left, named, and the question whether
 * to drop them before the migration runs again: d drops (recorded), n stops the migration there.
 */
export function InvalidIndexQuestion({found, width, keys, onDecision}: Props) {
	const asking = found !== null && found.drop === null && keys.interactive;
	useKeys(input => {
		if (found === null) {
			return;
		}

		const answer = input === 'd' || input === 'D' ? true : (input === 'n' || input === 'N' ? false : null);
		if (answer !== null) {
			onDecision({type: 'operator.invalid-index-drop', name: found.name, indexes: found.indexes.map(i => i.qualified), drop: answer});
		}
	}, {isActive: keys.active && asking});

	if (found === null) {
		return null;
	}

	return (
		<Box flexDirection='column' marginTop={1}>
			<Text color='yellow'>{truncate('! INVALID index left by a CREATE INDEX CONCURRENTLY that failed or stopped:', width)}</Text>
			<Text color='yellow'>{truncate(`  ${found.indexes.map(i => `${i.qualified} on ${i.table}`).join(', ')} (built by ${found.name})`, width)}</Text>
			{found.drop === null
				? <Text bold>{truncate(keys.interactive ? '  d: drop it (DROP INDEX CONCURRENTLY) and run the migration · n: stop here' : '  waiting for the operator: drop it before the migration runs again?', width)}</Text>
				: <Text dimColor>{truncate(found.drop ? `  dropping confirmed${found.dropped.length > 0 ? `: ${found.dropped.map(d => `${d.index} ${d.ok ? 'dropped' : `NOT dropped (${d.detail})`}`).join(', ')}` : ''}` : '  not dropped: the migration does not run', width)}</Text>}
		</Box>
	);
}
