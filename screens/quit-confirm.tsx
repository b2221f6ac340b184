import {Box, Text} from 'ink';

/** Asked before leaving a run that is still in progress. */
export function QuitConfirm() {
	return (
		<Box flexDirection='column'>
			<Text bold>! Leave the run? y/n</Text>
			<Text dimColor>The run stops where it is; the journal keeps everything up to now.</Text>
		</Box>
	);
}
