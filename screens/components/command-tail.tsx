import {Box, Text} from 'ink';
import type {CommandState} from '../../source/engine/state.js';
import {formatDuration, truncate} from '../format.js';

type Props = {
	commands: CommandState[];
	width: number;
	/** Output lines shown per command; the journal has all of them. */
	lines: number;
};

/** Hook commands (maintenance on/off) with the tail of their output. */
export function CommandTail({commands, width, lines}: Props) {
	if (commands.length === 0) {
		return null;
	}

	return (
		<Box flexDirection='column'>
			{commands.map(c => {
				const status = c.exitCode === null
					? '⟳ running'
					: `${c.exitCode === 0 ? '✓' : '✗'} exit ${c.exitCode}${c.durationMs === null ? '' : ` in ${formatDuration(c.durationMs)}`}`;
				return (
					<Box key={c.id} flexDirection='column'>
						<Text>{truncate(`${status} · ${c.purpose}: ${c.command}`, width)}</Text>
						{c.tail.slice(-lines).map((line, i) => <Text key={i} dimColor>{truncate(`  │ ${line}`, width)}</Text>)}
					</Box>
				);
			})}
		</Box>
	);
}
