import {CutoverError} from './cutover-error.js';

/**
 * A migration file cutover will not run as it is: not UTF-8, empty, or holding its own
 * transaction control. Raised when the migrations are read, so before the window opens.
 */
export class MigrationFileError extends CutoverError {
	override name = 'MigrationFileError';
	/** Absolute path of the file. */
	readonly file: string;
	/** 1-based line of the problem, when it has one. */
	readonly line: number | null;
	/** Byte offset of the problem, for bytes that are not UTF-8. */
	readonly offset: number | null;

	constructor(file: string, problem: string, options: {line?: number; offset?: number; hint: string}) {
		super(`${file}${options.line === undefined ? '' : `:${options.line}`}: ${problem}`, {hint: options.hint});
		this.file = file;
		this.line = options.line ?? null;
		this.offset = options.offset ?? null;
	}
}
