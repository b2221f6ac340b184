/**
 * Why a run's AbortSignal fired. A hang-up or terminate is an Interruption: the run stops at
 * the next safe point, journals run.interrupted and stays resumable. Any other reason (the
 * operator quit) abandons the run.
 */
export class Interruption {
	/** `detail`: why, in words, when the signal name alone does not say (the records directory is full). */
	constructor(readonly signal: string, readonly detail: string | null = null) {}
}

export function interruptionOf(signal: AbortSignal): Interruption | null {
	return signal.aborted && signal.reason instanceof Interruption ? signal.reason : null;
}

/** Resolves with the gate's answer, or with `aborted` as soon as the run is stopped while waiting at it. */
export async function unlessAborted<T>(signal: AbortSignal, waiting: Promise<T>): Promise<{value: T} | 'aborted'> {
	if (signal.aborted) {
		return 'aborted';
	}

	let off = () => {};
	const aborted = new Promise<'aborted'>(resolve => {
		const onAbort = () => resolve('aborted');
		signal.addEventListener('abort', onAbort, {once: true});
		off = () => signal.removeEventListener('abort', onAbort);
	});
	try {
		return await Promise.race([waiting.then(value => ({value})), aborted]);
	} finally {
		off();
	}
}

/**
 * Fires when the run's signal fires for the operator leaving, not for a hang-up or terminate:
 * leaving stops a check or a count at once, an interruption lets it finish what it is doing.
 */
export function whenLeaving(signal: AbortSignal): AbortSignal {
	const leaving = new AbortController();
	const check = () => {
		if (signal.aborted && interruptionOf(signal) === null) {
			leaving.abort();
		}
	};

	check();
	signal.addEventListener('abort', check, {once: true});
	return leaving.signal;
}
