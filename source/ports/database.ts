import type {Cell, Engine, Fingerprint, RowCounts} from '../engine/model.js';

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

/** What a run needs of the target database. Adapters own the driver; nothing driver-shaped leaves them. */
export type Database = {
	readonly engine: Engine;
	fingerprint(): Promise<Fingerprint>;
	/** Runs one read-only statement and returns every row, values as text, number, boolean or null; a table or schema that does not exist is an outcome, any other failure throws. */
	query(sql: string): Promise<QueryOutcome>;
	/** Exact row counts of every user table (cutover's own bookkeeping table excluded), by table name. For PostgreSQL, tables outside public are named schema.table. */
	rowCounts(): Promise<RowCounts>;
	/** Names of every user table, as rowCounts names them. */
	tables(): Promise<string[]>;
	close(): Promise<void>;
};
