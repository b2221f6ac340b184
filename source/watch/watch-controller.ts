import type {ActivityMonitor} from '../ports/activity-monitor.js';
import type {Clock} from '../ports/clock.js';
import {backoffMs} from './backoff.js';
import {initialWatchState, reduceWatch, selectedRow, type WatchEvent, type WatchState} from './watch-state.js';
import type {Thresholds} from './thresholds.js';

/** Database size is an expensive call on a big cluster: read at start, then this rarely (or on demand). */
const SIZE_EVERY_MS = 60_000;

export type ControllerIntent = WatchEvent | {type: 'action-confirmed'} | {type: 'copy-query'} | {type: 'size-requested'} | {type: 'quit'};

export type WatchController = {
	readonly state: WatchState;
	dispatch(intent: ControllerIntent): void;
	/** Resolves when the operator quits. */
	readonly done: Promise<void>;
	stop(): Promise<void>;
};

export type ControllerOptions = {
	target: string;
	monitor: ActivityMonitor;
	clock: Clock;
	intervalMs?: number;
	thresholds?: Thresholds;
	onState: (state: WatchState) => void;
	/** Hands the selected query to the terminal's clipboard. */
	onCopy: (text: string) => void;
	timers?: {set: (work: () => void, ms: number) => unknown; clear: (handle: unknown) => void};
};

/**
 * Drives the watch: refreshes on the chosen interval, backs off visibly when the server is
 * gone, and carries out what the screen asks. All it shows goes through reduceWatch.
 */
export function startWatch(options: ControllerOptions): WatchController {
	const {monitor, clock} = options;
	const timers = options.timers ?? {set: (work: () => void, ms: number) => setTimeout(work, ms), clear: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout)};
	let state = initialWatchState(options.target, {...(options.intervalMs === undefined ? {} : {intervalMs: options.intervalMs}), ...(options.thresholds === undefined ? {} : {thresholds: options.thresholds})});
	let timer: unknown;
	let stopped = false;
	let busy = false;
	let inFlight: Promise<void> = Promise.resolve();
	let failures = 0;
	let sizeAt = Number.NEGATIVE_INFINITY;
	let quit: () => void = () => {};
	const done = new Promise<void>(resolve => {
		quit = resolve;
	});

	const apply = (event: WatchEvent) => {
		state = reduceWatch(state, event);
		options.onState(state);
	};

	const readSize = async () => {
		sizeAt = clock.now();
		try {
			apply({type: 'size-read', bytes: await monitor.databaseSize(), at: clock.now()});
		} catch {
			// The next refresh reports the connection; a failed size read just stays unknown.
		}
	};

	const tick = async () => {
		try {
			apply({type: 'refreshed', snapshot: await monitor.refresh()});
			failures = 0;
			if (clock.now() - sizeAt >= SIZE_EVERY_MS) {
				await readSize();
			}
		} catch (error) {
			failures++;
			const wait = backoffMs(failures);
			apply({type: 'refresh-failed', error: error instanceof Error ? error.message : String(error), attempt: failures, retryAt: clock.now() + wait});
			return wait;
		}

		return undefined;
	};

	const schedule = (ms: number) => {
		timers.clear(timer);
		if (stopped) {
			return;
		}

		timer = timers.set(() => {
			if (busy) {
				// The refresh under way schedules the next one when it returns.
				return;
			}

			if (state.paused) {
				// The screen holds still; unpausing takes effect within a quarter second.
				schedule(250);
				return;
			}

			busy = true;
			inFlight = (async () => {
				const retry = await tick();
				busy = false;
				schedule(retry ?? state.intervalMs);
			})();
		}, ms);
	};

	schedule(0);
	return {
		get state() {
			return state;
		},
		done,
		dispatch(intent) {
			switch (intent.type) {
				case 'action-confirmed': {
					const asked = state.confirm;
					if (asked === null) {
						return;
					}

					void monitor.signal(asked.kind, asked.pid).then(outcome => {
						apply({type: 'action-finished', outcome, at: clock.now()});
					});
					return;
				}

				case 'copy-query': {
					const row = selectedRow(state);
					if (row?.query === null || row === null) {
						apply({type: 'message', text: row === null ? 'select a session first (↑/↓)' : 'its query is hidden from this role'});
					} else {
						options.onCopy(row.query);
						apply({type: 'message', text: `query of pid ${row.pid} copied (OSC 52: terminals that allow it put it on the clipboard)`});
					}

					return;
				}

				case 'size-requested': {
					void readSize();
					return;
				}

				case 'quit': {
					quit();
					return;
				}

				default: {
					apply(intent);
					if ((intent.type === 'pause-toggled' && !state.paused) || intent.type === 'interval-changed') {
						schedule(0);
					}
				}
			}
		},
		async stop() {
			stopped = true;
			timers.clear(timer);
			await inFlight;
		},
	};
}
