import {Box, Text} from 'ink';
import type {LiveSchema} from '../../source/engine/model.js';

/**
 * A database with a schema and no cutover history: said above the name field, with the commands
 * that adopt it. Wrapped, not cut: the operator copies the command as it stands.
 */
export function AdoptionNotice({live, width}: {live: LiveSchema; width: number}) {
	const tables = `${live.tables.slice(0, 5).join(', ')}${live.tableCount > 5 ? `, … (${live.tableCount} tables)` : ''}`;
	const found = live.histories.length === 0 ? 'No other tool\'s history table is there.' : `History found: ${live.histories.join(', ')}.`;
	return (
		<Box flexDirection='column' width={width}>
			<Text color='red' wrap='wrap'>{`✗ LIVE DATABASE WITHOUT CUTOVER HISTORY: it has tables (${tables}) but no cutover_migrations. Running the migrations from the first on it would apply the schema again, so the window stays shut. ${found}`}</Text>
			<Text wrap='wrap'>{live.commands.length === 1 ? 'Adopt it first, then run again:' : 'Adopt it first (one of these), then run again:'}</Text>
			{live.commands.map(command => <Text key={command} wrap='wrap'>{`  ${command}`}</Text>)}
		</Box>
	);
}
