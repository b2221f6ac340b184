import {Text} from 'ink';
import {STEP_TITLES} from '../source/engine/events.js';
import type {RunState} from '../source/engine/state.js';
import {truncate} from './format.js';
import {SCREEN_COUNT, SCREEN_NUMBER} from './step-summary.js';

type Props = {
	state: RunState;
	width: number;
};

/** One line: where the operator is, on which database, in which run. */
export function Header({state, width}: Props) {
	const parts = [
		`step ${SCREEN_NUMBER[state.step]} of ${SCREEN_COUNT}`,
		STEP_TITLES[state.step],
		state.fingerprint ? `db ${state.fingerprint.database}` : null,
		state.runId ? `run ${state.runId.slice(0, 8)}` : null,
	].filter(p => p !== null);
	return <Text bold>{truncate(`cutover · ${parts.join(' · ')}`, width)}</Text>;
}
