import {CutoverError} from './cutover-error.js';

/** A migration failed; its transaction was rolled back. */
export class MigrationError extends CutoverError {
	override name = 'MigrationError';
	readonly migration: string;
	readonly direction: 'up' | 'down';
	/** The statement that failed, when known. */
	readonly statement: string | null;

	constructor(message: string, options: {migration: string; direction: 'up' | 'down'; statement: string | null; hint: string; cause?: unknown}) {
		super(message, options);
		this.migration = options.migration;
		this.direction = options.direction;
		this.statement = options.statement;
	}
}
