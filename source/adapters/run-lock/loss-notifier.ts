import type {RunLockLoss} from '../../ports/run-lock.js';

/** How often a held lock is checked, in ms: a loss is seen within a few seconds. */
export const PROBE_EVERY_MS = 2000;

/** Tells every listener once, the first time the lock is found lost; nothing after stop(). */
export function lossNotifier() {
	const listeners = new Set<(loss: RunLockLoss) => void>();
	let lost: RunLockLoss | null = null;
	let stopped = false;
	return {
		get stopped() {
			return stopped;
		},
		get lost() {
			return lost !== null;
		},
		lose(detail: string) {
			if (stopped || lost !== null) {
				return;
			}

			lost = {detail};
			for (const listener of listeners) {
				listener(lost);
			}
		},
		onLost(listener: (loss: RunLockLoss) => void): () => void {
			// A listener that comes late still hears of a loss that already happened.
			if (lost !== null && !stopped) {
				listener(lost);
				return () => {};
			}

			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		stop() {
			stopped = true;
			listeners.clear();
		},
	};
}
