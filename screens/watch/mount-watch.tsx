import {render} from 'ink';
import type {WatchController} from '../../source/watch/watch-controller.js';
import {WatchScreen} from './watch-screen.js';

export type MountOptions = {
	interactive: boolean;
	size: () => {width: number; height: number};
	/** The terminal; process.stdout when not given (the bench hands in a null one). */
	stdout?: NodeJS.WriteStream;
	now?: () => number;
};

export type MountedWatch = {
	/** Draws the controller's state now: call it from the controller's onState. */
	update(): void;
	unmount(): void;
};

/**
 * The live watch screen on a terminal. It draws when the state changes, and once a second
 * only while the connection is down, for the reconnect countdown: between refreshes nothing
 * else on the screen moves, and a redraw costs CPU on the operator's machine.
 */
export function mountWatch(controller: WatchController, options: MountOptions): MountedWatch {
	const now = options.now ?? Date.now;
	const view = () => <WatchScreen state={controller.state} now={now()} {...options.size()} interactive={options.interactive} onIntent={intent => controller.dispatch(intent)}/>;
	const instance = render(view(), {exitOnCtrlC: false, patchConsole: false, ...(options.stdout === undefined ? {} : {stdout: options.stdout})});
	const countdown = setInterval(() => {
		if (controller.state.connection.status === 'down') {
			instance.rerender(view());
		}
	}, 1000);
	return {
		update() {
			instance.rerender(view());
		},
		unmount() {
			clearInterval(countdown);
			instance.unmount();
		},
	};
}
