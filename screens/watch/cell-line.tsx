import {Box, Text, type TextProps} from 'ink';

/**
 * Cells side by side on one line, each its own <Text>: Ink measures a <Text> as one string with
 * everything nested in it, so only siblings keep a changing age out of the line's static text.
 */
export function CellLine({cells, ...style}: {cells: string[]} & Omit<TextProps, 'children'>) {
	return (
		<Box>
			{cells.map((cell, index) => cell === '' ? null : <Text key={index} {...style}>{cell}</Text>)}
		</Box>
	);
}
