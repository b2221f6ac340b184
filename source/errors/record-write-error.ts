import path from 'node:path';
import {CutoverError} from './cutover-error.js';

/**
 * A line of the record (or its checkpoint sidecar) could not be written whole. The file was
 * cut back to its last complete line, so everything it holds is still true; what failed to
 * be written did not happen as far as the run is concerned.
 */
export class RecordWriteError extends CutoverError {
	override name = 'RecordWriteError';
	readonly path: string;
	/** errno code (ENOSPC, EDQUOT, EFBIG, EIO…), or null when the system gave none. */
	readonly code: string | null;
	/** Complete lines the file holds. */
	readonly lines: number;

	/** `sealedThrough`: set for the checkpoint sidecar, whose lines seal the record up to that line. */
	constructor(file: string, options: {code: string | null; lines: number; resume: string; sealedThrough?: number | null; cause?: unknown}) {
		const where = options.sealedThrough === undefined
			? `the record is intact up to line ${options.lines}`
			: `the record is intact, its checkpoints seal it up to ${options.sealedThrough === null ? 'no line yet' : `line ${options.sealedThrough}`}`;
		super(`${problem(path.dirname(file), options.code)}: ${where}`, {
			hint: `${remedy(options.code)} and run cutover resume ${options.resume}`,
			cause: options.cause,
		});
		this.path = file;
		this.code = options.code;
		this.lines = options.lines;
	}
}

/** The errno codes that mean the disk (or the process's share of it) took no more. */
export const isNoRoom = (code: string | null) => code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';

export function errnoCode(error: unknown): string | null {
	const code = (error as {code?: unknown} | null)?.code;
	return typeof code === 'string' ? code : null;
}

function problem(directory: string, code: string | null): string {
	switch (code) {
		case 'ENOSPC': {
			return `the records directory ${directory} is full (ENOSPC)`;
		}

		case 'EDQUOT': {
			return `the records directory ${directory} is over its disk quota (EDQUOT)`;
		}

		case 'EFBIG': {
			return `a file in the records directory ${directory} reached the largest size this process may write (EFBIG)`;
		}

		case 'EIO': {
			return `the records directory ${directory} could not be written: the disk reported an I/O error (EIO)`;
		}

		default: {
			return `the records directory ${directory} could not be written (${code ?? 'unknown error'})`;
		}
	}
}

function remedy(code: string | null): string {
	switch (code) {
		case 'EFBIG': {
			return 'raise the file size limit (ulimit -f)';
		}

		case 'EIO': {
			return 'check the disk (dmesg), move the records directory to a healthy one if needed,';
		}

		case 'EDQUOT': {
			return 'free space or raise the quota';
		}

		default: {
			return 'free space';
		}
	}
}
