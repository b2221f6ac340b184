import {CutoverError} from './cutover-error.js';

/** The command line itself is wrong; the entry point exits 2 for it. */
export class UsageError extends CutoverError {
	override name = 'UsageError';
}
