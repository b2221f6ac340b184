import type {Cell, Engine, Fingerprint, RowCounts} from '../engine/model.js';

export type QueryResult = {
	columns: string[];
	rows: Cell[][];
};

/** What a run needs of the target database. Adapters own the driver; nothing driver-shaped leaves them. */
export type Database = {
	readonly engine: Engine;
	fingerprint(): Promise<Fingerprint>;
	/** Runs one read-only statement and returns every row, values as text, number, boolean or null. */
	query(sql: string): Promise<QueryResult>;
	/** Exact row counts of every user table (cutover's own bookkeeping table excluded), by table name. For PostgreSQL, tables outside public are named schema.table. */
	rowCounts(): Promise<RowCounts>;
	/** Names of every user table, as rowCounts names them. */
	tables(): Promise<string[]>;
	close(): Promise<void>;
};
