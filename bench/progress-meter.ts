import {monitorEventLoopDelay, performance} from 'node:perf_hooks';
import type {BackupProgress} from '../source/engine/model.js';

/** What the console would have seen of the backups it watched. */
export type ProgressSummary = {
	runs: number;
	calls: number;
	/** Time spent inside the watched backups, summed. */
	totalMs: number;
	/** Longest wait between the start, any two callbacks, and the end of one backup. */
	longestGapMs: number;
	/** Longest the main thread's event loop was held while a watched backup ran: what a redraw would wait. */
	longestStallMs: number;
};

export type ProgressMeter = {
	/** Wraps one backup: hands it an onProgress that counts, and times the gaps between calls. */
	watch<T>(work: (onProgress: (progress: BackupProgress) => void) => Promise<T>): Promise<T>;
	summary(): ProgressSummary;
};

export function createProgressMeter(): ProgressMeter {
	const summary: ProgressSummary = {runs: 0, calls: 0, totalMs: 0, longestGapMs: 0, longestStallMs: 0};
	return {
		async watch(work) {
			// 10 ms resolution is enough to see a stall a person would notice on screen.
			const loop = monitorEventLoopDelay({resolution: 10});
			const start = performance.now();
			let last = start;
			const gap = (now: number): void => {
				summary.longestGapMs = Math.max(summary.longestGapMs, now - last);
				last = now;
			};

			loop.enable();
			try {
				return await work(() => {
					summary.calls++;
					gap(performance.now());
				});
			} finally {
				loop.disable();
				const end = performance.now();
				gap(end);
				summary.runs++;
				summary.totalMs += end - start;
				// The histogram is in nanoseconds and includes the resolution interval itself.
				summary.longestStallMs = Math.max(summary.longestStallMs, Math.max(0, loop.max / 1e6 - 10));
			}
		},
		summary: () => ({...summary}),
	};
}

/** A meter over the bare tool, which has no callbacks: only the stall figure means anything. */
export async function watchStall<T>(work: () => Promise<T>, into: {longestStallMs: number}): Promise<T> {
	const loop = monitorEventLoopDelay({resolution: 10});
	loop.enable();
	try {
		return await work();
	} finally {
		loop.disable();
		into.longestStallMs = Math.max(into.longestStallMs, Math.max(0, loop.max / 1e6 - 10));
	}
}
