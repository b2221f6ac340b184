import {render} from 'ink';
import {App} from '../../screens/app.js';
import type {RunState} from '../engine/state.js';
import {activeView} from '../engine/databases.js';
import type {Session} from '../run/session.js';

export type ConsoleHandle = {
	/** Resolves when the operator asks to leave (confirmed by the screens while a run is in progress). */
	closed: Promise<void>;
	unmount(): void;
};

const TICK_MS = 500;

/**
 * Mounts the screens on the session: every event re-renders, and a clock tick keeps elapsed
 * times moving between events. Quitting is journaled before anything else happens.
 */
export function mountConsole(session: Session, options: {recordPath: string; onQuit: () => void; holdUntil?: Promise<boolean>}): ConsoleHandle {
	let state: RunState = session.state;
	let resolveClosed: () => void = () => {};
	const closed = new Promise<void>(resolve => {
		resolveClosed = resolve;
	});
	const quit = () => {
		options.onQuit();
		resolveClosed();
	};

	const view = () => {
		// A run over several databases shows the one being worked on; its decisions go to it.
		const shown = activeView(state);
		return (
			<App
				state={shown.state}
				leg={shown.leg}
				now={Date.now()}
				interactive
				recordPath={options.recordPath}
				onDecision={event => {
					if (event.type.startsWith('operator.')) {
						session.emit(shown.leg === null ? event : {type: 'database.event', database: shown.leg.name, event});
					}
				}}
				onQuit={quit}
			/>
		);
	};

	const instance = render(view(), {exitOnCtrlC: false, patchConsole: false});
	// Events come in bursts (the fingerprint, the plan and the preflight within a few ms): one
	// render after the burst, not one each; a render of the whole tree costs more than the events.
	let pending: NodeJS.Immediate | null = null;
	// `holdUntil`: no render for events and ticks until it resolves (keys still draw); then one at once
	// when it says so, else at the next event, as after any burst (a moment between two events of one may show what is half done).
	let held = options.holdUntil !== undefined;
	let unmounted = false;
	const off = session.subscribe(next => {
		state = next;
		if (!held) {
			pending ??= setImmediate(() => {
				pending = null;
				instance.rerender(view());
			});
		}
	});
	void options.holdUntil?.then(draw => {
		held = false;
		if (draw && !unmounted) {
			instance.rerender(view());
		}
	});
	const timer = setInterval(() => {
		if (!held) {
			instance.rerender(view());
		}
	}, TICK_MS);
	void instance.waitUntilExit().then(() => resolveClosed());
	return {
		closed,
		unmount() {
			unmounted = true;
			clearInterval(timer);
			off();
			if (pending !== null) {
				clearImmediate(pending);
			}

			instance.unmount();
		},
	};
}
