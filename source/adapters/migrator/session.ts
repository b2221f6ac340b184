import type {Engine} from '../../engine/model.js';

export type Row = Record<string, unknown>;

/** One statement and its parameters, in the engine's own placeholders; parameters are text or numbers. */
export type Statement = {sql: string; params?: readonly unknown[]};

export type TransactionOptions = {
	lockTimeoutMs: number;
	/** Run right after BEGIN (and the lock timeout), in order; `work` is handed the rows of the last. */
	open?: readonly Statement[];
	/** SQLite: foreign key enforcement off for this transaction (a SQL migration, its orphans checked before COMMIT). */
	foreignKeysOff?: boolean;
	/** Run right before COMMIT, in order, once `work` has ended well. */
	close?: readonly Statement[];
	/**
	 * PostgreSQL: the migration's own statements, sent with BEGIN, `open` and `close` as one
	 * message; `work` then judges the rows of `open`, before COMMIT goes on its own. Two round
	 * trips, where psql takes one per statement and two more. A failure among them names which
	 * (failedStatementOf); `work` still judges first once `open` had answered.
	 */
	body?: readonly string[];
	/**
	 * Called before anything that outlives the transaction can happen: on PostgreSQL once BEGIN
	 * and `open` are on their way (nothing they do lasts past a rollback), before a body is sent, on SQLite before BEGIN.
	 * When it throws, the transaction is rolled back and the error rethrown.
	 */
	whileOpening?: () => void;
};

/** A session that held a lock the migration waited for, as PostgreSQL reported it. */
export type Blocker = {pid: number; user: string; application: string; state: string; query: string};

export type BlockerWatch = {
	/** The sessions seen blocking at the last look that found any; none when none were seen or the engine cannot tell. */
	stop(): Promise<Blocker[]>;
};

/**
 * One connection to the target, as the migrator needs it: one statement at a time, and a
 * transaction that rolls itself back when the work throws. Placeholders are the engine's own
 * ($1 for PostgreSQL, ? for SQLite).
 */
export type Session = {
	readonly engine: Engine;
	/** The target as messages name it (a file, or a URL without its password). */
	readonly where: string;
	run(sql: string, params?: readonly unknown[]): Promise<Row[]>;
	/**
	 * Every lock wait inside is bounded by `lockTimeoutMs`: PostgreSQL's lock_timeout, SQLite's
	 * busy timeout. PostgreSQL sends BEGIN with the `open` statements as one message (with the
	 * `body` and `close` when there is a body), then COMMIT.
	 */
	transaction<T>(work: (opened: Row[]) => Promise<T>, options: TransactionOptions): Promise<T>;
	/**
	 * Outside any transaction: each statement inside commits on its own (for what cannot run in
	 * a transaction block), every lock wait bounded by `lockTimeoutMs`; the session's own
	 * timeout is put back after.
	 */
	autocommit<T>(work: () => Promise<T>, options: {lockTimeoutMs: number}): Promise<T>;
	/** Whether the driver gave up waiting for a lock (PostgreSQL 55P03, SQLite SQLITE_BUSY). */
	isLockTimeout(error: unknown): boolean;
	/** Starts noting which sessions block this one, every `intervalMs`, until stop(). */
	watchBlockers(intervalMs: number): Promise<BlockerWatch>;
	close(): Promise<void>;
};

export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export function errorCode(error: unknown): string {
	return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

const failedStatement = Symbol('cutover failed statement');

/** Marks a driver error with the 1-based index of the body statement that raised it. */
export function markFailedStatement(error: unknown, index: number): void {
	if (typeof error === 'object' && error !== null) {
		(error as {[failedStatement]?: number})[failedStatement] = index;
	}
}

/** Which body statement raised the error (1-based), or undefined when none did (close, COMMIT, or not a body). */
export function failedStatementOf(error: unknown): number | undefined {
	return typeof error === 'object' && error !== null ? (error as {[failedStatement]?: number})[failedStatement] : undefined;
}
