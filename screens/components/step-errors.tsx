import {Box, Text} from 'ink';
import {truncate} from '../format.js';

type Props = {
	messages: string[];
	width: number;
};

/** Errors recorded for the step on screen, newest last, at most three, each cut to a line; `e` shows them whole. */
export function StepErrors({messages, width}: Props) {
	if (messages.length === 0) {
		return null;
	}

	const shown = messages.slice(-3);
	const lines = shown.map(m => `✗ ${m}`);
	const cut = messages.length > shown.length || lines.some(line => line.includes('\n') || truncate(line, width) !== line);
	return (
		<Box flexDirection='column'>
			{messages.length > shown.length ? <Text dimColor>…{messages.length - shown.length} earlier errors</Text> : null}
			{lines.map((line, i) => <Text key={i} color='red'>{truncate(line.replaceAll('\n', ' '), width)}</Text>)}
			{cut ? <Text dimColor>e shows the errors whole</Text> : null}
		</Box>
	);
}
