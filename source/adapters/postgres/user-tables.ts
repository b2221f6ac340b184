import type pg from 'pg';
import {bookkeepingTables, type RowCounts} from '../../engine/model.js';
import {boundedSizeRead} from './size-read.js';

// Never part of the user's row counts.
export {bookkeepingTables} from '../../engine/model.js';

export type UserTable = {
	schema: string;
	table: string;
	/** How cutover names it: `table` in public, `schema.table` elsewhere. */
	name: string;
};

const systemSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	AND n.nspname NOT LIKE 'pg_temp\\_%' AND n.nspname NOT LIKE 'pg_toast_temp\\_%'`;

/**
 * Ordinary and partitioned tables outside the system schemas. Partitions are left out: their
 * rows are counted through their parent, which is the table the operator knows.
 */
const listSql = (partitions: boolean) => `SELECT n.nspname, c.relname
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p')${partitions ? '' : ' AND NOT c.relispartition'} AND ${systemSchemas}`;

/** `includePartitions`: for what asks whether a name holds rows (the lint), not for counting them. */
export async function listUserTables(client: pg.Client, options: {includeBookkeeping?: boolean; includePartitions?: boolean} = {}): Promise<UserTable[]> {
	const result = await client.query<[string, string]>({text: listSql(options.includePartitions === true), rowMode: 'array'});
	return result.rows
		.map(([schema, table]) => ({schema, table, name: tableName(schema, table)}))
		.filter(entry => options.includeBookkeeping === true || !bookkeepingTables.includes(entry.table))
		.sort((a, b) => compare(a.name, b.name));
}

/** How many tables pg_dump will print "dumping contents of table" for: every ordinary table, partitions included. */
export async function countDumpedTables(client: pg.Client): Promise<number> {
	const result = await client.query<[string]>({
		text: `SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind = 'r' AND ${systemSchemas}`,
		rowMode: 'array',
	});
	return Number(result.rows[0]?.[0] ?? 0);
}

/** How long the size read may wait for a table's lock before it takes the catalog's page counts instead. */
export const SIZE_WAIT_MS = 200;

/**
 * What pg_dump will copy, table by table (as its "dumping contents of table" line names them) with the size of its
 * data (heap and TOAST, no indexes: pg_dump copies rows, indexes are rebuilt from their definition).
 * pg_table_size locks each table: behind a lock held by another session, or an ALTER queued for one, it would wait as
 * long as the session's lock timeout, with the backup showing nothing. Only the progress bar needs these sizes, so after
 * `waitMs` the catalog's page counts (as of the last VACUUM or ANALYZE; no lock) stand in; pg_dump's own wait is bounded.
 */
export async function dumpedTableSizes(client: pg.Client, waitMs = SIZE_WAIT_MS): Promise<Map<string, number>> {
	const read = async (size: string) => client.query<[string, string, string]>({
		text: `SELECT n.nspname, c.relname, (${size})::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind = 'r' AND ${systemSchemas}`,
		rowMode: 'array',
	});
	// Ten times longer for the statement: a catalog of thousands of tables takes a while to size without any lock.
	const result = await boundedSizeRead(client, {lockMs: waitMs, statementMs: waitMs * 10}, async () => read('pg_catalog.pg_table_size(c.oid)'), async () => read(`c.relpages::bigint * current_setting('block_size')::bigint`));
	return new Map(result.rows.map(([schema, table, size]) => [`${schema}.${table}`, Number(size)]));
}

/** Exact counts in one snapshot, so the numbers belong together. `onTable` hears which table is being counted, for a message about a lock it waits for. */
export async function countRows(client: pg.Client, onTable?: (name: string) => void): Promise<RowCounts> {
	await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
	try {
		const counts: RowCounts = {};
		for (const entry of await listUserTables(client)) {
			onTable?.(entry.name);
			// eslint-disable-next-line no-await-in-loop -- one connection runs one statement at a time
			const result = await client.query<[string]>({text: `SELECT count(*) FROM ${qualified(entry)}`, rowMode: 'array'});
			counts[entry.name] = Number(result.rows[0]?.[0] ?? 0);
		}

		return counts;
	} finally {
		// A connection ended from outside (the run is leaving) has nothing to roll back.
		await client.query('ROLLBACK').catch(() => undefined);
	}
}

/** The naming of the Database port: `table` in public, `schema.table` elsewhere. */
export function tableName(schema: string, table: string): string {
	return schema === 'public' ? table : `${schema}.${table}`;
}

export function qualified(entry: {schema: string; table: string}): string {
	return `${quoteIdentifier(entry.schema)}.${quoteIdentifier(entry.table)}`;
}

export function quoteIdentifier(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compare(a: string, b: string): number {
	return a < b ? -1 : (a > b ? 1 : 0);
}
