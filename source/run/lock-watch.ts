import type {LockSample} from '../engine/model.js';
import type {LockSampler} from '../ports/activity-monitor.js';
import type {Session} from './session.js';

const EVERY_MS = 1000;

/**
 * While migrations run, samples who waits for locks once a second and journals what changed,
 * so the upgrade screen, and a replay of it, show the lock picture of that moment. Quiet
 * samples are journaled once, not every second.
 */
export function watchLocksDuringUpgrade(session: Session, sampler: LockSampler): {stop(): Promise<void>} {
	let timer: NodeJS.Timeout | undefined;
	let last = '';
	let busy = false;
	const tick = async () => {
		if (busy) {
			return;
		}

		busy = true;
		try {
			const sample = await sampler.sample();
			const key = fingerprint(sample);
			if (key !== last && session.state.outcome === null) {
				last = key;
				session.emit({type: 'watch.sampled', sample});
			}
		} catch {
			// The watch is an aid: a failed sample must never disturb the migration it watches.
		} finally {
			busy = false;
		}
	};

	const off = session.subscribe((state, entry) => {
		if (entry.event.type === 'upgrade.started' && timer === undefined) {
			timer = setInterval(() => void tick(), EVERY_MS);
		}

		if ((entry.event.type === 'upgrade.finished' || state.outcome !== null) && timer !== undefined) {
			clearInterval(timer);
			timer = undefined;
		}
	});

	return {
		async stop() {
			off();
			clearInterval(timer);
			await sampler.close();
		},
	};
}

// Waiting times grow every second; what matters is who waits behind whom, and in whole seconds.
function fingerprint(sample: LockSample): string {
	return JSON.stringify([sample.more, sample.waiters.map(w => [w.pid, w.blockedBy, Math.floor(w.waitingMs / 5000)])]);
}
