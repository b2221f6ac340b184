import {Box, Text} from 'ink';
import {fit, truncate} from './format.js';
import type {KeyHelp} from './key-help.js';

type Props = {
	keys: KeyHelp;
	width: number;
};

/** The keys of the current screen; shown in place of the screen until `?` or Esc. */
export function HelpOverlay({keys, width}: Props) {
	return (
		<Box flexDirection='column' borderStyle='single' paddingX={1} width={width}>
			<Text bold>Keys on this screen</Text>
			{keys.map(([key, what], i) => <Text key={i}>{truncate(`${fit(key, 10)} ${what}`, width - 4)}</Text>)}
			<Text dimColor>?, F1 or Esc to close</Text>
		</Box>
	);
}
