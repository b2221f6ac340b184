import {CutoverError} from './cutover-error.js';

/** A backup could not be made or restored. */
export class BackupError extends CutoverError {
	override name = 'BackupError';
	readonly path: string;

	constructor(message: string, options: {path: string; hint: string; cause?: unknown}) {
		super(message, options);
		this.path = options.path;
	}
}
