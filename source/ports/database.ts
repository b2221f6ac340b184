import type {Cell, Engine, Fingerprint, RowCounts} from '../engine/model.js';
import type {DatabaseSnapshot} from '../engine/snapshot.js';

export type QueryResult = {
	columns: string[];
	rows: Cell[][];
};

/**
 * What one check's statement gave: its rows, or the fact that it names a table or schema the
 * database does not have (yet). The second is an answer, not a failure: on a first deployment
 * the pre-checks run before the migrations that create their tables.
 */
export type QueryOutcome =
	| ({kind: 'rows'} & QueryResult)
	| {kind: 'missing-relation'; relation: {kind: 'table' | 'schema'; name: string | null}; message: string};

/** How long a check's statement may run when neither the check nor its checklist says. */
export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

/** How long a statement may run, and how to stop it sooner. A stopped statement rejects with QueryStoppedError. */
export type QueryOptions = {
	/** The statement is stopped after this many ms (reason `timed-out`); DEFAULT_CHECK_TIMEOUT_MS unless given. */
	timeoutMs?: number;
	/** Aborting stops the statement now (reason `cancelled`). */
	signal?: AbortSignal;
};

/** What a run needs of the target database. Adapters own the driver; nothing driver-shaped leaves them. */
export type Database = {
	readonly engine: Engine;
	fingerprint(): Promise<Fingerprint>;
	/**
	 * Runs one read-only statement and returns every row, values as text, number, boolean or null;
	 * a table or schema that does not exist is an outcome, any other failure throws.
	 * Never blocks the event loop, so the console answers keys while it runs.
	 */
	query(sql: string, options?: QueryOptions): Promise<QueryOutcome>;
	/** Exact row counts of every user table (cutover's own bookkeeping table excluded), by table name. For PostgreSQL, tables outside public are named schema.table. */
	rowCounts(options?: Pick<QueryOptions, 'signal'>): Promise<RowCounts>;
	/**
	 * Row counts, sizes, schema objects and migration version at one moment (cutover's own
	 * tables left out), under the same bounded lock waits as rowCounts; the run's baseline and
	 * its counts after the upgrade come from it.
	 */
	snapshot(options?: Pick<QueryOptions, 'signal'>): Promise<DatabaseSnapshot>;
	/** Names of every user table, as rowCounts names them, partitions included: what the lint asks holds rows. */
	tables(): Promise<string[]>;
	close(): Promise<void>;
};
