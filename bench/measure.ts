import {performance} from 'node:perf_hooks';

/** Wall times of one "cutover against the bare tool" pairing, in milliseconds, one entry per round. */
export type Comparison = {
	what: string;
	cutoverMs: number[];
	bareMs: number[];
	/** The ratio the issue sets for this pairing, where it sets one. */
	goal?: number;
};

export type Pairing = {
	what: string;
	goal?: number;
	rounds: number;
	cutover: () => Promise<void>;
	bare: () => Promise<void>;
};

/** A run that takes this long is stuck, not slow (a full-size pg_dump takes minutes): the bench stops and says which side hung. */
const STUCK_AFTER_MS = 15 * 60_000;

/**
 * Runs the two sides alternately (cutover, bare, cutover, bare…) after one unrecorded warm-up
 * of each, so caches fill first and any drift on the machine lands on both sides alike.
 */
export async function interleave(pairing: Pairing): Promise<Comparison> {
	const cutover = async () => bounded(`${pairing.what}, cutover`, pairing.cutover);
	const bare = async () => bounded(`${pairing.what}, bare`, pairing.bare);
	await cutover();
	await bare();
	const cutoverMs: number[] = [];
	const bareMs: number[] = [];
	for (let round = 0; round < pairing.rounds; round++) {
		// eslint-disable-next-line no-await-in-loop -- rounds must not overlap, or they would time each other
		cutoverMs.push(await timed(cutover));
		// eslint-disable-next-line no-await-in-loop
		bareMs.push(await timed(bare));
	}

	return {what: pairing.what, cutoverMs, bareMs, ...(pairing.goal === undefined ? {} : {goal: pairing.goal})};
}

/** One part of cutover's work timed alone, to show where its extra time over the bare tool goes. */
export type Part = {
	what: string;
	ms: number[];
};

/** Times `work` alone for the given rounds, after one unrecorded warm-up. */
export async function sample(what: string, rounds: number, work: () => Promise<unknown>): Promise<Part> {
	await bounded(what, async () => {
		await work();
	});
	const ms: number[] = [];
	for (let round = 0; round < rounds; round++) {
		// eslint-disable-next-line no-await-in-loop -- rounds must not overlap
		ms.push(await timed(async () => bounded(what, async () => {
			await work();
		})));
	}

	return {what, ms};
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
	const start = performance.now();
	await work();
	return performance.now() - start;
}

async function bounded(what: string, work: () => Promise<void>): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	const stuck = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not finish within ${STUCK_AFTER_MS / 1000} s; it is stuck, not slow`)), STUCK_AFTER_MS);
	});
	try {
		await Promise.race([work(), stuck]);
	} finally {
		clearTimeout(timer);
	}
}

export function median(values: number[]): number {
	if (values.length === 0) {
		return Number.NaN;
	}

	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
