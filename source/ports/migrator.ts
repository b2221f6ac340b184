import type {BackfillProgress, MigrationPlan} from '../engine/model.js';

export type {BackfillProgress} from '../engine/model.js';

/** One lock timeout that is about to be retried: `attempt` is the attempt that just timed out. */
export type LockRetry = {attempt: number; maxAttempts: number; waitMs: number; error: string};

/**
 * How long a migration may wait for a lock before giving up, and how often it tries again.
 * A migration stuck in the lock queue blocks every reader queued behind it, so the wait is short.
 */
export type LockPolicy = {
	/** Per attempt: PostgreSQL's lock_timeout, SQLite's busy timeout. */
	lockTimeoutMs: number;
	/** Attempts in all, the first one included. */
	maxAttempts: number;
	/** The wait before the second attempt; it doubles for each one after, up to a cap. */
	backoffMs: number;
};

/** One statement of a migration that runs outside a transaction: it started, or it committed. */
export type StatementProgress = {
	phase: 'started' | 'finished';
	/** 1-based. */
	index: number;
	/** Statements in all; null for a module, whose queries are not known ahead. */
	total: number | null;
	statement: string;
};

/** An index PostgreSQL marks INVALID (pg_index.indisvalid false): what a failed or interrupted CREATE INDEX CONCURRENTLY leaves. */
export type InvalidIndex = {
	/** As the migration names it. */
	index: string;
	/** Schema-qualified and quoted, ready for DROP INDEX. */
	qualified: string;
	table: string;
};

export type MigrationContext = {
	runId: string;
	appliedBy: string;
	/** Called before each wait that follows a lock timeout, so the wait can be shown and journaled. */
	onRetry?: (retry: LockRetry) => void;
	/** Cuts a wait between attempts short: the migration then fails at once, rolled back. */
	signal?: AbortSignal;
	/**
	 * A migration outside a transaction reports each statement as it starts and as it commits.
	 * Returns whether the report is on the record: a start that is not stops the migration
	 * before that statement runs (MigrationStoppedError), as a stop between statements does.
	 */
	onStatement?: (progress: StatementProgress) => boolean;
	/**
	 * A module's backfill reports where it stands: when it starts, about once a second, and when it
	 * ends. Returns whether the report is on the record: one that is not stops the backfill before
	 * its next batch (MigrationStoppedError); its committed batches are kept for a resume.
	 */
	onBackfill?: (progress: BackfillProgress) => boolean;
	/**
	 * Statements of a migration outside a transaction already recorded as committed (a resume):
	 * they are not run again. Ignored for a module, which runs whole.
	 */
	skipStatements?: number;
	/**
	 * Asked before each statement after the first of a migration outside a transaction: true stops
	 * it there (MigrationStoppedError), its committed statements kept, for a resume to go on.
	 */
	stopBetweenStatements?: () => boolean;
	/**
	 * A down for an up outside a transaction that failed part way: its first statements took
	 * effect but it has no log row, so the down runs without one to remove.
	 */
	partlyApplied?: boolean;
	/**
	 * Called once per attempt before the migration's first effect, and may throw (the record
	 * cannot take it): the migration then does nothing and the error is rethrown. On PostgreSQL
	 * it is called while the message that opens the transaction travels, so the journal's fsync
	 * of the migration's start overlaps that round trip; nothing of the migration runs before it returns.
	 * `within` says how the migration runs: in one transaction with its log row ('transaction'), or
	 * statement by statement, each committing on its own ('statements').
	 */
	beforeEffect?: (within: 'transaction' | 'statements') => void;
};

/**
 * Applies migrations one at a time. On PostgreSQL a migration and its log row commit in one
 * transaction; on SQLite inside an explicit BEGIN/COMMIT. A migration marked no-transaction runs
 * statement by statement instead, each committing on its own, its log row after the last. A failure rolls the migration back
 * and throws a MigrationError naming the statement. A lock timeout rolls it back too and is
 * retried, within the LockPolicy the migrator was opened with.
 */
export type Migrator = {
	/** Applied (from the target's cutover_migrations table, with drift against the files) and pending (on disk, not applied), in order. */
	plan(): Promise<MigrationPlan>;
	up(name: string, context: MigrationContext): Promise<void>;
	/** Throws IrreversibleMigrationError when the migration has no down; never un-logs silently. */
	down(name: string, context: MigrationContext): Promise<void>;
	/**
	 * The INVALID indexes that the up of `name` builds with CREATE INDEX CONCURRENTLY: an earlier
	 * attempt failed or was stopped in the middle of one. Empty on SQLite and for other migrations.
	 */
	invalidIndexes(name: string): Promise<InvalidIndex[]>;
	/** DROP INDEX CONCURRENTLY of one index invalidIndexes named (the operator confirmed it). */
	dropInvalidIndex(index: InvalidIndex): Promise<void>;
	close(): Promise<void>;
};
