import {CutoverError} from './cutover-error.js';

/**
 * A migration outside a transaction stopped between two statements because the run is being
 * interrupted (a hang-up, a terminate): each committed statement is a safe point. Not a failure:
 * the run records its stop and `cutover resume` goes on at the next statement.
 */
export class MigrationStoppedError extends CutoverError {
	override name = 'MigrationStoppedError';
	readonly migration: string;
	readonly direction: 'up' | 'down';
	readonly tookEffect: {statements: number; total: number | null};

	constructor(options: {migration: string; direction: 'up' | 'down'; tookEffect: {statements: number; total: number | null}}) {
		const {statements, total} = options.tookEffect;
		super(`${options.migration} (${options.direction}) stopped after statement ${statements}${total === null ? '' : ` of ${total}`}, outside a transaction`, {
			hint: `statements 1..${statements} committed and stay; cutover resume goes on at statement ${statements + 1}`,
		});
		this.migration = options.migration;
		this.direction = options.direction;
		this.tookEffect = options.tookEffect;
	}
}
