import {MigrationError} from './migration-error.js';

/** A down was asked of a migration that has none. */
export class IrreversibleMigrationError extends MigrationError {
	override name = 'IrreversibleMigrationError';

	constructor(migration: string) {
		super(`${migration} has no down migration`, {
			migration,
			direction: 'down',
			statement: null,
			hint: 'restore from the backup instead, or write a down migration and run it by hand',
		});
	}
}
