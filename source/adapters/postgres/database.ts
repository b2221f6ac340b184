import type pg from 'pg';
import type {Cell, Fingerprint} from '../../engine/model.js';
import type {Database, QueryOutcome} from '../../ports/index.js';
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
		pg_database_size(current_database())::text, host(inet_server_addr())`);
	const [serverVersion, database, size, serverAddress] = row as [string, string, string, string | null];
	const systemIdentifier = await readSystemIdentifier(client);
	return {
		engine: 'postgres',
		serverVersion,
		host: hostOf(target) ?? serverAddress ?? client.host,
		database,
		sizeBytes: Number(size),
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
async function readOnlyQuery(client: pg.Client, sql: string): Promise<QueryOutcome> {
	await client.query('BEGIN READ ONLY');
	try {
		await client.query(`SET LOCAL statement_timeout = ${checkTimeoutMs}`);
		// Fixed output formats, whatever the server's or role's defaults are.
		await client.query(`SET LOCAL bytea_output = 'hex'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'`);
		const config: pg.QueryArrayConfig & {queryMode: 'extended'} = {text: sql, rowMode: 'array', types: cellTypes, queryMode: 'extended'};
		const result = await client.query<Cell[]>(config);
		return {kind: 'rows', columns: result.fields.map(field => field.name), rows: result.rows};
	} catch (error) {
		const missing = missingRelation(error);
		if (missing !== null) {
			return missing;
		}

		throw new Error(error instanceof Error ? error.message : String(error), {cause: error});
	} finally {
		await client.query('ROLLBACK').catch(() => {});
	}
}

/** 42P01 undefined_table, 3F000 invalid_schema_name: the statement names something not created yet. */
function missingRelation(error: unknown): Extract<QueryOutcome, {kind: 'missing-relation'}> | null {
	const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
	if (code !== '42P01' && code !== '3F000') {
		return null;
	}

	const message = error instanceof Error ? error.message : String(error);
	// The server names the object only in its message; the code above is what decides.
	const name = /"([^"]+)"/.exec(message)?.[1] ?? null;
	return {kind: 'missing-relation', relation: {kind: code === '42P01' ? 'table' : 'schema', name}, message};
}
