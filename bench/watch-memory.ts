/** What the process holds at one moment, after a full collection when --expose-gc allows one. */
export type MemoryMark = {rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number};

export function markMemory(): MemoryMark {
	(globalThis as {gc?: () => void}).gc?.();
	const {rss, heapUsed, heapTotal, external, arrayBuffers} = process.memoryUsage();
	return {rss, heapUsed, heapTotal, external, arrayBuffers};
}

export const canCollect = (): boolean => typeof (globalThis as {gc?: unknown}).gc === 'function';

/** Growth between two marks, in MB, per kind. */
export function growthMb(from: MemoryMark, to: MemoryMark): MemoryMark {
	const mb = (key: keyof MemoryMark) => (to[key] - from[key]) / 1e6;
	return {rss: mb('rss'), heapUsed: mb('heapUsed'), heapTotal: mb('heapTotal'), external: mb('external'), arrayBuffers: mb('arrayBuffers')};
}

/**
 * Least-squares slope of RSS over the marks, scaled to `span` refreshes, in MB. One mark's RSS
 * swings by tens of MB with the pages V8 has not handed back yet; a leak is a steady climb
 * under that swing, which a line through all the marks shows and a first-to-last difference
 * does not.
 */
export function rssTrendMb(marks: Array<{at: number; mark: MemoryMark}>, span: number): number {
	const n = marks.length;
	const meanX = marks.reduce((sum, {at}) => sum + at, 0) / n;
	const meanY = marks.reduce((sum, {mark}) => sum + mark.rss, 0) / n;
	let covariance = 0;
	let variance = 0;
	for (const {at, mark} of marks) {
		covariance += (at - meanX) * (mark.rss - meanY);
		variance += (at - meanX) ** 2;
	}

	return variance === 0 ? 0 : covariance / variance * span / 1e6;
}
