import type {MigrationPlan} from '../engine/model.js';

export type MigrationContext = {
	runId: string;
	appliedBy: string;
};

/**
 * Applies migrations one at a time. On PostgreSQL a migration and its log row commit in one
 * transaction; on SQLite inside an explicit BEGIN/COMMIT. A failure rolls the migration back
 * and throws a MigrationError naming the statement.
 */
export type Migrator = {
	/** Applied (from the target's cutover_migrations table, with drift against the files) and pending (on disk, not applied), in order. */
	plan(): Promise<MigrationPlan>;
	up(name: string, context: MigrationContext): Promise<void>;
	/** Throws IrreversibleMigrationError when the migration has no down; never un-logs silently. */
	down(name: string, context: MigrationContext): Promise<void>;
	close(): Promise<void>;
};
