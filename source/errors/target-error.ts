import {CutoverError} from './cutover-error.js';

/** The --db target cannot be understood or reached. */
export class TargetError extends CutoverError {
	override name = 'TargetError';
	readonly target: string;

	constructor(message: string, options: {target: string; hint: string; cause?: unknown}) {
		super(message, options);
		this.target = options.target;
	}
}
