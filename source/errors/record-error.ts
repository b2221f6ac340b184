import {CutoverError} from './cutover-error.js';

/** A change record (a journal) cannot be read as one: not a file, not JSON, not journal lines. */
export class RecordError extends CutoverError {
	override name = 'RecordError';
	readonly file: string;
	/** 1-based line of the problem, when it has one. */
	readonly line: number | null;

	constructor(file: string, problem: string, options: {line?: number; hint: string; cause?: unknown}) {
		super(`${file}: ${options.line === undefined ? '' : `line ${options.line} `}${problem}`, {hint: options.hint, cause: options.cause});
		this.file = file;
		this.line = options.line ?? null;
	}
}
