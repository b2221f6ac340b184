import type pg from 'pg';
import type {Cell, Fingerprint} from '../../engine/model.js';
import type {Database, QueryResult} from '../../ports/index.js';
import {cellParser} from './cells.js';
import {connectPostgres} from './connect.js';
import type {PostgresTarget} from './postgres-target.js';
import {countRows, listUserTables} from './user-tables.js';

/** How long one check may run before the server cancels it. */
const checkTimeoutMs = 30_000;

const cellTypes = {getTypeParser: (typeId: number) => cellParser(typeId)};

export async function openPostgresDatabase(target: PostgresTarget): Promise<Database> {
	const client = await connectPostgres(target);
	return {
		engine: 'postgres',
		fingerprint: async () => fingerprint(client, target),
		query: async sql => readOnlyQuery(client, sql),
		rowCounts: async () => countRows(client),
		tables: async () => (await listUserTables(client)).map(entry => entry.name),
		async close() {
			await client.end();
		},
	};
}

async function fingerprint(client: pg.Client, target: PostgresTarget): Promise<Fingerprint> {
	const row = await firstRow(client, `SELECT current_setting('server_version'), current_database(),
		pg_database_size(current_database())::text, host(inet_server_addr()),
		(SELECT oid::text FROM pg_database WHERE datname = current_database())`);
	const [serverVersion, database, size, serverAddress, databaseOid] = row as [string, string, string, string | null, string];
	const systemIdentifier = await readSystemIdentifier(client);
	return {
		engine: 'postgres',
		serverVersion,
		host: hostOf(target) ?? serverAddress ?? client.host,
		database,
		sizeBytes: Number(size),
		databaseOid,
		...(systemIdentifier === undefined ? {} : {systemIdentifier}),
	};
}

/** pg_control_system() is often granted to superusers only; a fingerprint without it is still a fingerprint. */
async function readSystemIdentifier(client: pg.Client): Promise<string | undefined> {
	try {
		const [value] = await firstRow(client, 'SELECT (pg_control_system()).system_identifier::text');
		return typeof value === 'string' ? value : undefined;
	} catch {
		return undefined;
	}
}

function hostOf(target: PostgresTarget): string | undefined {
	return target.connection.host;
}

async function firstRow(client: pg.Client, text: string): Promise<unknown[]> {
	const result = await client.query<unknown[]>({text, rowMode: 'array'});
	return result.rows[0] ?? [];
}

/**
 * A check can neither write nor hang the run: it runs in a read-only transaction that is always
 * rolled back, under a statement timeout, and through the extended protocol, which takes one
 * statement only (so "COMMIT; DELETE …" cannot escape the transaction).
 */
async function readOnlyQuery(client: pg.Client, sql: string): Promise<QueryResult> {
	await client.query('BEGIN READ ONLY');
	try {
		await client.query(`SET LOCAL statement_timeout = ${checkTimeoutMs}`);
		// Fixed output formats, whatever the server's or role's defaults are.
		await client.query(`SET LOCAL bytea_output = 'hex'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'`);
		const config: pg.QueryArrayConfig & {queryMode: 'extended'} = {text: sql, rowMode: 'array', types: cellTypes, queryMode: 'extended'};
		const result = await client.query<Cell[]>(config);
		return {columns: result.fields.map(field => field.name), rows: result.rows};
	} catch (error) {
		throw new Error(error instanceof Error ? error.message : String(error), {cause: error});
	} finally {
		await client.query('ROLLBACK').catch(() => {});
	}
}
