import type {Entry} from '../engine/events.js';
import {control, startCursor, waitAfter, type Cursor, type ReplayAction, type Track, type Wait} from './controller.js';

/** The timer a player uses; injected so a test can fire it by hand. */
export type Scheduler = {
	set(fire: () => void, ms: number): unknown;
	clear(handle: unknown): void;
};

export const realScheduler: Scheduler = {
	set: (fire, ms) => setTimeout(fire, ms),
	clear: handle => {
		clearTimeout(handle as ReturnType<typeof setTimeout>);
	},
};

export type Player = {
	readonly cursor: Cursor;
	/** The wait before the next event while playing; null when paused or at the end. */
	readonly wait: Wait | null;
	dispatch(action: ReplayAction): void;
	/** Cancels the pending tick; the player stays where it is. */
	stop(): void;
};

/** Runs the controller against time: while playing, each event is applied after its (scaled, capped) recorded gap. */
export function createPlayer(track: Track & {entries: readonly Entry[]}, options: {onChange: (cursor: Cursor, previous: Cursor) => void; scheduler?: Scheduler}): Player {
	const scheduler = options.scheduler ?? realScheduler;
	let cursor = startCursor();
	let wait: Wait | null = null;
	let pending: unknown = null;

	const cancel = () => {
		if (pending !== null) {
			scheduler.clear(pending);
			pending = null;
		}
	};

	const schedule = () => {
		cancel();
		wait = cursor.playing ? waitAfter(cursor, track.entries) : null;
		if (wait !== null) {
			pending = scheduler.set(() => {
				pending = null;
				dispatch({type: 'tick'});
			}, wait.ms);
		}
	};

	function dispatch(action: ReplayAction) {
		const previous = cursor;
		cursor = control(cursor, action, track);
		schedule();
		if (cursor !== previous) {
			options.onChange(cursor, previous);
		}
	}

	return {
		get cursor() {
			return cursor;
		},
		get wait() {
			return wait;
		},
		dispatch,
		stop: cancel,
	};
}
