import {useStdout} from 'ink';
import type {Entry} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import type {Cursor, ReplayAction, Wait} from '../../source/replay/controller.js';
import {App} from '../app.js';
import {activeView} from '../../source/engine/databases.js';
import {useKeys} from '../use-keys.js';
import {ReplayBar} from './replay-bar.js';
import {REPLAY_HELP, replayActions} from './replay-keys.js';

export type ReplayScreenProps = {
	/** The fold of the record up to the cursor. */
	state: RunState;
	/** The event at the cursor. */
	entry: Entry;
	total: number;
	cursor: Cursor;
	wait: Wait | null;
	damage: string | null;
	recordPath: string;
	onAction: (action: ReplayAction) => void;
	onQuit: () => void;
};

const ignore = () => {};

/**
 * The live run's screens, fed by a recorded state and taking no decision, with the replay bar
 * under them. Moving back mounts the screens afresh (the key), since what <Static> printed for
 * later steps cannot be taken back.
 */
export function ReplayScreen(props: ReplayScreenProps) {
	const {cursor, onAction} = props;
	// A run over several databases replays as it ran: the database its events were about at this point.
	const {state, leg} = activeView(props.state);
	const {stdout} = useStdout();
	const width = Math.min(120, stdout.columns > 0 ? stdout.columns : 80);
	useKeys((input, key) => {
		for (const action of replayActions(input, key)) {
			onAction(action);
		}
	}, {isActive: true});

	return (
		<>
			<App
				key={cursor.epoch}
				state={state}
				leg={leg}
				now={state.now}
				interactive={false}
				onDecision={ignore}
				onQuit={props.onQuit}
				recordPath={props.recordPath}
				helpKeys={REPLAY_HELP}
			/>
			<ReplayBar cursor={cursor} entry={props.entry} total={props.total} wait={props.wait} damage={props.damage} width={width}/>
		</>
	);
}
