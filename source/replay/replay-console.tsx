import {render, type Instance} from 'ink';
import {ReplayScreen} from '../../screens/replay/replay-screen.js';
import type {ReplayRecord} from './load-record.js';
import {createPlayer} from './player.js';
import type {Timeline} from './timeline.js';

/** Clear the screen and the scrollback, cursor home: what a fresh terminal looks like. */
const CLEAR = '\u001B[2J\u001B[3J\u001B[H';

/**
 * Shows a record on the live run's screens until the operator leaves. Going back starts a
 * fresh Ink on a cleared terminal: Ink keeps what <Static> printed and would print it again.
 */
export async function replayInConsole(record: ReplayRecord, timeline: Timeline): Promise<void> {
	let resolveClosed: () => void = () => {};
	const closed = new Promise<void>(resolve => {
		resolveClosed = resolve;
	});

	let instance: Instance | null = null;
	const player = createPlayer(timeline, {
		onChange(cursor, previous) {
			if (cursor.epoch !== previous.epoch) {
				instance?.unmount();
				process.stdout.write(CLEAR);
				instance = mount();
			} else {
				instance?.rerender(view());
			}
		},
	});

	const view = () => {
		const {cursor} = player;
		return (
			<ReplayScreen
				state={timeline.stateAt(cursor.position)}
				entry={timeline.entries[cursor.position]!}
				total={timeline.length}
				cursor={cursor}
				wait={player.wait}
				damage={record.damage}
				recordPath={record.path}
				onAction={action => {
					player.dispatch(action);
				}}
				onQuit={resolveClosed}
			/>
		);
	};

	const mount = () => render(view(), {exitOnCtrlC: false, patchConsole: false});
	instance = mount();
	try {
		await closed;
	} finally {
		player.stop();
		(instance as Instance | null)?.unmount();
		// Ink leaves the cursor at the end of the last frame.
		process.stdout.write('\n');
	}
}
