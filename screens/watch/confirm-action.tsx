import {Box, Text} from 'ink';
import type {PendingAction} from '../../source/watch/watch-state.js';
import {firstLines} from '../format.js';
import {HIDDEN} from './session-line.js';

/** The query is shown before anything is sent: cancelling the wrong pid in a migration is the costly mistake. */
export function ConfirmAction({action, width}: {action: PendingAction; width: number}) {
	const verb = action.kind === 'cancel' ? 'Cancel the query of' : 'Terminate the session';
	const what = action.kind === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
	return (
		<Box flexDirection="column" borderStyle="round" borderColor={action.kind === 'terminate' ? 'red' : 'yellow'} width={width}>
			<Text bold>{verb} pid {action.pid} ({action.user ?? '?'} on {action.database ?? '?'})?</Text>
			{firstLines(action.query ?? HIDDEN, 4, width - 4).map((line, index) => <Text key={index} dimColor>{line}</Text>)}
			<Text>y: {what}({action.pid})   n or Esc: leave it running</Text>
		</Box>
	);
}
