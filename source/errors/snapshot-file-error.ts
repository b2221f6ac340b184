import {UsageError} from './usage-error.js';

/**
 * A file named on the command line is no snapshot cutover can read: not there, not JSON, some
 * other file, or a damaged one. Wrong input, like a wrong flag (exit 2), so a script tells it
 * apart from a diff that found unexpected changes (exit 1).
 */
export class SnapshotFileError extends UsageError {
	override name = 'SnapshotFileError';
	readonly file: string;

	constructor(file: string, problem: string, options: {hint: string; cause?: unknown}) {
		super(`${file}: ${problem}`, options);
		this.file = file;
	}
}
