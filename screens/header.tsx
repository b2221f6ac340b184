import {Box, Text} from 'ink';
import {STEP_TITLES} from '../source/engine/events.js';
import type {RunState} from '../source/engine/state.js';
import type {LegView} from '../source/engine/databases.js';
import {truncate} from './format.js';
import {SCREEN_COUNT, SCREEN_NUMBER} from './step-summary.js';

type Props = {
	state: RunState;
	width: number;
	leg?: LegView | null;
};

/** One line: where the operator is, on which database, in which run; a second one while the run lock is lost. */
export function Header({state, width, leg = null}: Props) {
	const parts = [
		`step ${SCREEN_NUMBER[state.step]} of ${SCREEN_COUNT}`,
		STEP_TITLES[state.step],
		leg === null ? null : `${leg.name} ${leg.index}/${leg.count}`,
		state.fingerprint ? `db ${state.fingerprint.database}` : null,
		state.runId ? `run ${state.runId.slice(0, 8)}` : null,
	].filter(p => p !== null);
	const line = <Text bold>{truncate(`cutover · ${parts.join(' · ')}`, width)}</Text>;
	if (state.lockLost === null) {
		return line;
	}

	// Another run could take the database now: the one line that must not be missed.
	return (
		<Box flexDirection='column'>
			{line}
			<Text bold color='red'>{truncate(`RUN LOCK LOST: ${state.lockLost.detail}; stopping at the next safe point`, width)}</Text>
		</Box>
	);
}
