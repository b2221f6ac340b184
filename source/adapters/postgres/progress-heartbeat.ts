import type {BackupProgress} from '../../engine/model.js';

/**
 * Reports a backup's progress every `everyMs` from whatever step it is in, so steps that say
 * nothing themselves (catalog reads, a count waiting for a lock, the checksum) still show the
 * backup alive. One report at a time: a tick that finds the last one still reading is skipped.
 */
export type ProgressHeartbeat = {
	/** What reports say from now on; the source may first read something, such as the bytes on disk. */
	follow(source: ProgressSource): void;
	/** Reports now, with the current source. */
	now(): Promise<void>;
	/** Ends the ticks; once it resolves, no report comes from this heartbeat. */
	stop(): Promise<void>;
};

export type ProgressSource = () => BackupProgress | Promise<BackupProgress>;

export function startProgressHeartbeat(onProgress: (progress: BackupProgress) => void, everyMs: number, source: ProgressSource): ProgressHeartbeat {
	let current = source;
	let stopped = false;
	let inFlight: Promise<void> | null = null;
	const report = async () => {
		try {
			const progress = await current();
			// A read still in flight when the step ended must not report after what followed it.
			if (!stopped) {
				onProgress(progress);
			}
		} catch {
			// A failed read is a missed report, never a failed backup.
		}
	};

	const tick = () => {
		if (inFlight === null) {
			inFlight = report().finally(() => {
				inFlight = null;
			});
		}
	};

	const timer = setInterval(tick, everyMs);
	return {
		follow(next) {
			current = next;
		},
		async now() {
			await inFlight;
			if (!stopped) {
				tick();
				await inFlight;
			}
		},
		async stop() {
			stopped = true;
			clearInterval(timer);
			await inFlight;
		},
	};
}
