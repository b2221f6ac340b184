import {CutoverError} from './cutover-error.js';

/** The throwaway copy a round trip works on could not be made or read: nothing was tested, the source is untouched. */
export class ScratchCopyError extends CutoverError {
	override name = 'ScratchCopyError';
	/** The source the copy was to be made of, password-free. */
	readonly source: string;

	constructor(message: string, options: {source: string; hint: string; cause?: unknown}) {
		super(message, options);
		this.source = options.source;
	}
}
