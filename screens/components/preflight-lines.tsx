import {Box, Text} from 'ink';
import type {PreflightItem} from '../../source/engine/model.js';
import {truncate} from '../format.js';

type Props = {
	items: PreflightItem[] | null;
	width: number;
};

/**
 * What was checked before the window, compact: the items that passed share one line, by id
 * (the window screen is full at 80x24), and each failure gets a line of its own, in full, wrapped.
 */
export function PreflightLines({items, width}: Props) {
	if (items === null) {
		return null;
	}

	const passed = items.filter(i => i.ok);
	const failed = items.filter(i => !i.ok);
	return (
		<Box flexDirection='column'>
			{passed.length > 0
				? <Text>{truncate(`${failed.length === 0 ? '✓' : ' '} Preflight ${passed.length}/${items.length}: ${passed.map(i => i.id).join(' · ')}`, width)}</Text>
				: null}
			{failed.map(item => (
				<Box key={item.id} width={width}>
					<Text color={item.blocking ? 'red' : 'yellow'} wrap='wrap'>{`${item.blocking ? '✗' : '!'} ${item.title}: ${item.detail}`}</Text>
				</Box>
			))}
		</Box>
	);
}
