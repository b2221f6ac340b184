import {Box, Text} from 'ink';
import type {RunState} from '../source/engine/state.js';

type Props = {
	errors: RunState['errors'];
	/** Failed migrations, whose error and statement the rows cut to a line or two. */
	failed: RunState['migrations'];
	width: number;
};

/** Every error of the run and every failed statement, whole and wrapped: what the screens cut to fit 24 rows. */
export function ErrorsOverlay({errors, failed, width}: Props) {
	const withStatement = failed.filter(m => m.status === 'failed' && (m.error !== null || m.statement !== null));
	return (
		<Box flexDirection='column' borderStyle='single' paddingX={1} width={width}>
			<Text bold>Errors of this run, whole</Text>
			{errors.length === 0 && withStatement.length === 0 ? <Text dimColor>No error is recorded.</Text> : null}
			{errors.map((e, i) => <Text key={`e${i}`} color='red' wrap='wrap'>{`✗ ${e.step}: ${e.message}`}</Text>)}
			{withStatement.map(m => (
				<Box key={`${m.direction}:${m.name}`} flexDirection='column'>
					{/* The error is listed above when the run recorded it as the step's error too (`<name>: <error>`). */}
					<Text bold wrap='wrap'>{`${m.direction === 'down' ? '↓ ' : ''}${m.name}${m.error === null || errors.some(e => e.message === `${m.name}: ${m.error}`) ? '' : `: ${m.error}`}`}</Text>
					{m.statement === null ? null : <Text dimColor wrap='wrap'>{`in: ${m.statement.trimEnd()}`}</Text>}
				</Box>
			))}
			<Text dimColor>e or Esc to close</Text>
		</Box>
	);
}
