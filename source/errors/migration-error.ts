import {CutoverError} from './cutover-error.js';

/** A migration failed; its transaction was rolled back (outside a transaction: `tookEffect` says what stays). */
export class MigrationError extends CutoverError {
	override name = 'MigrationError';
	readonly migration: string;
	readonly direction: 'up' | 'down';
	/** The statement that failed, when known. */
	readonly statement: string | null;
	/**
	 * A migration outside a transaction: how many of its statements committed before the failure
	 * (1..n took effect and were not rolled back), and how many it has (null: a module). Null otherwise.
	 */
	readonly tookEffect: {statements: number; total: number | null} | null;

	constructor(message: string, options: {migration: string; direction: 'up' | 'down'; statement: string | null; hint: string; cause?: unknown; tookEffect?: {statements: number; total: number | null}}) {
		super(message, options);
		this.migration = options.migration;
		this.direction = options.direction;
		this.statement = options.statement;
		this.tookEffect = options.tookEffect ?? null;
	}
}
