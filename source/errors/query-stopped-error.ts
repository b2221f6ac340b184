import {CutoverError} from './cutover-error.js';

/** A read-only statement that did not finish: it ran past its timeout, or the operator cancelled it. */
export class QueryStoppedError extends CutoverError {
	override name = 'QueryStoppedError';
	readonly reason: 'timed-out' | 'cancelled';
	/** How long it had run when it was stopped. */
	readonly afterMs: number;

	constructor(reason: 'timed-out' | 'cancelled', afterMs: number, options: {hint?: string; cause?: unknown} = {}) {
		const message = reason === 'timed-out'
			? `stopped after ${formatSeconds(afterMs)}: it ran past its timeout`
			: `cancelled by the operator after ${formatSeconds(afterMs)}`;
		super(message, {
			hint: options.hint ?? (reason === 'timed-out'
				? 'make the query faster (an index, a narrower WHERE) or give the check a longer timeout: in the checklist'
				: 'run it again, or override it with a reason if it blocks'),
			...(options.cause === undefined ? {} : {cause: options.cause}),
		});
		this.reason = reason;
		this.afterMs = afterMs;
	}
}

function formatSeconds(ms: number): string {
	return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
