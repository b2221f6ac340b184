import {Box, Text} from 'ink';
import {truncate} from '../format.js';

type Props = {
	messages: string[];
	width: number;
};

/** Errors recorded for the step on screen, newest last, at most three. */
export function StepErrors({messages, width}: Props) {
	if (messages.length === 0) {
		return null;
	}

	const shown = messages.slice(-3);
	return (
		<Box flexDirection='column'>
			{messages.length > shown.length ? <Text dimColor>…{messages.length - shown.length} earlier errors</Text> : null}
			{shown.map((m, i) => <Text key={i} color='red'>{truncate(`✗ ${m}`, width)}</Text>)}
		</Box>
	);
}
