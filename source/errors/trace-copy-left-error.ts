import {CutoverError} from './cutover-error.js';

/**
 * A lock trace that ended (failed or stopped) and could not drop its scratch copy: the copy is on
 * the target's server until someone drops it, so the run records it even when it was stopping.
 */
export class TraceCopyLeftError extends CutoverError {
	override name = 'TraceCopyLeftError';

	constructor(readonly ended: unknown, readonly left: string) {
		const message = ended instanceof Error ? ended.message : String(ended);
		super(`${message}; ${left}`, {hint: ended instanceof CutoverError ? ended.hint : 'drop the copy by hand as said', cause: ended});
	}
}
