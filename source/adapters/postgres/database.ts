import {randomBytes} from 'node:crypto';
import type pg from 'pg';
import type {Cell, Fingerprint, RowCounts} from '../../engine/model.js';
import type {DatabaseSnapshot} from '../../engine/snapshot.js';
import {CutoverError, QueryStoppedError} from '../../errors/index.js';
import {DEFAULT_CHECK_TIMEOUT_MS, type Database, type QueryOptions, type QueryOutcome} from '../../ports/index.js';
import {cellParser} from './cells.js';
import {connectPostgres} from './connect.js';
import {DEFAULT_LOCK_WAIT_MS, describeLockWait, isLockTimeout, seconds, watchLockWaits} from './lock-waits.js';
import type {PostgresTarget} from './postgres-target.js';
import {readSnapshot} from './snapshot.js';
import {countRows, listUserTables} from './user-tables.js';

/** Any other statement of this session (fingerprint, table list, row counts, which read every row). */
const sessionStatementTimeoutMs = 15 * 60_000;

const cellTypes = {getTypeParser: (typeId: number) => cellParser(typeId)};

export async function openPostgresDatabase(target: PostgresTarget, options: {lockWaitMs?: number} = {}): Promise<Database> {
	const lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
	// Its own name, so a lock watch can find it; every statement waits at most lockWaitMs for a lock.
	const applicationName = `cutover checks ${randomBytes(4).toString('hex')}`;
	const client = await connectPostgres(target, {application_name: applicationName, lock_timeout: lockWaitMs, statement_timeout: sessionStatementTimeoutMs});
	const [pidCell] = await firstRow(client, 'SELECT pg_backend_pid()');
	const backendPid = Number(pidCell);
	const cancel = async () => {
		// From a second connection: the first is busy with the statement being cancelled.
		const other = await connectPostgres(target, {application_name: 'cutover cancel', statement_timeout: 5000});
		try {
			await other.query('SELECT pg_cancel_backend($1)', [backendPid]);
		} finally {
			await other.end().catch(() => undefined);
		}
	};

	return {
		engine: 'postgres',
		fingerprint: async () => fingerprint(client, target),
		query: async (sql, queryOptions) => readOnlyQuery(client, sql, queryOptions, cancel),
		rowCounts: async countOptions => bounded<RowCounts>(async onTable => countRows(client, onTable), 'the row counts of', 'their', {target, applicationName, lockWaitMs, cancel}, countOptions?.signal),
		snapshot: async snapshotOptions => bounded<DatabaseSnapshot>(async onTable => readSnapshot(client, onTable), 'the snapshot of', 'its', {target, applicationName, lockWaitMs, cancel}, snapshotOptions?.signal),
		tables: async () => (await listUserTables(client, {includePartitions: true})).map(entry => entry.name),
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
 * statement only (so "COMMIT; DELETE …" cannot escape the transaction). Aborting `signal`
 * cancels the backend's statement.
 */
async function readOnlyQuery(client: pg.Client, sql: string, options: QueryOptions = {}, cancel: () => Promise<void> = async () => {}): Promise<QueryOutcome> {
	const timeoutMs = Math.max(1, Math.round(options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS));
	const started = Date.now();
	if (options.signal?.aborted === true) {
		throw new QueryStoppedError('cancelled', 0);
	}

	await client.query('BEGIN READ ONLY');
	let cancelled = false;
	let cancelling: Promise<void> = Promise.resolve();
	const onAbort = () => {
		cancelled = true;
		cancelling = cancel().catch(() => undefined);
	};

	try {
		await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
		// Fixed output formats, whatever the server's or role's defaults are.
		await client.query(`SET LOCAL bytea_output = 'hex'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'`);
		const config: pg.QueryArrayConfig & {queryMode: 'extended'} = {text: sql, rowMode: 'array', types: cellTypes, queryMode: 'extended'};
		options.signal?.addEventListener('abort', onAbort, {once: true});
		const result = await client.query<Cell[]>(config);
		return {kind: 'rows', columns: result.fields.map(field => field.name), rows: result.rows};
	} catch (error) {
		// 57014: the statement was cancelled, by its statement_timeout or by pg_cancel_backend.
		if (errorCode(error) === '57014') {
			throw new QueryStoppedError(cancelled ? 'cancelled' : 'timed-out', Date.now() - started, {cause: error});
		}

		const missing = missingRelation(error);
		if (missing !== null) {
			return missing;
		}

		throw new Error(error instanceof Error ? error.message : String(error), {cause: error});
	} finally {
		options.signal?.removeEventListener('abort', onAbort);
		// A cancel still on its way must land before the next statement, not on it.
		await cancelling;
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

type Bounds = {target: PostgresTarget; applicationName: string; lockWaitMs: number; cancel: () => Promise<void>};

/** Work that reads every table (counts, a snapshot), every lock wait bounded; a lock it cannot get is named with whoever holds it. */
async function bounded<T>(work: (onTable: (name: string) => void) => Promise<T>, what: string, its: string, {target, applicationName, lockWaitMs, cancel}: Bounds, signal: AbortSignal | undefined): Promise<T> {
	const watch = await watchLockWaits(async () => connectPostgres(target, {application_name: 'cutover checks lock watch', statement_timeout: 2000}), applicationName);
	let counting: string | null = null;
	let cancelling: Promise<void> = Promise.resolve();
	const onAbort = () => {
		cancelling = cancel().catch(() => undefined);
	};

	signal?.addEventListener('abort', onAbort, {once: true});
	try {
		return await work(table => {
			counting = table;
		});
	} catch (error) {
		if (isLockTimeout(error)) {
			throw new CutoverError(`${what} ${target.display} could not take ${its} locks within ${seconds(lockWaitMs)}: ${describeLockWait(await watch.stop(), counting)}; try again when it is done`, {
				hint: 'let that session finish, or end it (cutover watch shows it; c cancels, k terminates); nothing was changed',
				cause: error,
			});
		}

		if (signal?.aborted === true && errorCode(error) === '57014') {
			throw new QueryStoppedError('cancelled', 0, {cause: error});
		}

		throw error;
	} finally {
		signal?.removeEventListener('abort', onAbort);
		await cancelling;
		await watch.stop();
	}
}

function errorCode(error: unknown): string {
	return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}
