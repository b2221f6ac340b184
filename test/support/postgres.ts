import {randomBytes} from 'node:crypto';
import pg from 'pg';
import {startCluster, type Cluster} from './pg-cluster.js';

/*
 * Which server the tests use, decided once per test process:
 * - CUTOVER_TEST_PG set: that admin URL, nothing else.
 * - otherwise the machine's 127.0.0.1:5432 as postgres, if a server answers there;
 * - otherwise (or when CUTOVER_TEST_PG_CLUSTER=1 forces it) a throwaway cluster started with
 *   initdb/pg_ctl in a temporary directory and stopped when the process exits.
 */
const defaultUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
let unavailable: string | undefined;
/** Why a throwaway cluster is wanted, for the messages when it cannot be had. */
let why = `no PostgreSQL answers at ${defaultUrl}`;
let cluster: Cluster | undefined;

/** The admin URL of the server tests use. */
export const adminUrl: string = await chooseServer();

export type ThrowawayDatabase = {
	name: string;
	url: string;
	/** Runs SQL as the admin against the throwaway database (seeding, asserting end state). */
	sql(text: string): Promise<pg.QueryResult>;
	drop(): Promise<void>;
};

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
	if (unavailable !== undefined) {
		throw new Error(unavailable);
	}

	const url = new URL(adminUrl);
	url.pathname = `/${database}`;
	const client = new pg.Client({connectionString: url.toString()});
	try {
		await client.connect();
	} catch (error) {
		throw new Error(`PostgreSQL is not reachable at ${adminUrl} (${String(error)}). Start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start, or set CUTOVER_TEST_PG to an admin URL.`, {cause: error});
	}

	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

export async function createThrowawayDatabase(prefix = 'cutover_test'): Promise<ThrowawayDatabase> {
	const name = `${prefix}_${randomBytes(4).toString('hex')}`;
	await withAdmin(async client => client.query(`CREATE DATABASE ${name}`));
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		name,
		url: url.toString(),
		sql: async text => withAdmin(async client => client.query(text), name),
		async drop() {
			await withAdmin(async client => {
				// A restore keeps the replaced database aside under the name plus a suffix; those go too.
				const aside = await client.query<{datname: string}>(String.raw`SELECT datname FROM pg_database WHERE datname LIKE $1`, [String.raw`${name}\_cutover\_%`]);
				for (const {datname} of aside.rows) {
					// eslint-disable-next-line no-await-in-loop
					await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
				}

				await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			});
		},
	};
}

/** Whether the tests run against a throwaway cluster this process started (for tests of this file itself). */
export function usingThrowawayCluster(): boolean {
	return cluster !== undefined;
}

async function chooseServer(): Promise<string> {
	const explicit = process.env['CUTOVER_TEST_PG'];
	if (explicit !== undefined && explicit !== '') {
		return explicit;
	}

	const forced = process.env['CUTOVER_TEST_PG_CLUSTER'] === '1';
	if (!forced && await answers(defaultUrl)) {
		return defaultUrl;
	}

	why = forced ? 'CUTOVER_TEST_PG_CLUSTER=1 asks for a throwaway cluster' : `no PostgreSQL answers at ${defaultUrl}`;

	try {
		return await startOwnCluster();
	} catch (error) {
		unavailable = error instanceof Error ? error.message : String(error);
		return defaultUrl;
	}
}

/** A server that refuses the login still answered: only a missing server falls back to a cluster of our own. */
async function answers(url: string): Promise<boolean> {
	const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 3000});
	client.on('error', () => {});
	try {
		await client.connect();
		return true;
	} catch (error) {
		const code = (error as {code?: unknown}).code;
		return !(code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || /timeout|terminated unexpectedly/i.test(String(error)));
	} finally {
		await client.end().catch(() => {});
	}
}

async function startOwnCluster(): Promise<string> {
	const started = await startCluster({why, instead: 'Start a server on 127.0.0.1:5432 (trust auth for user postgres) or set CUTOVER_TEST_PG to an admin URL.'});
	cluster = started;
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			started.stop();
			process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
		});
	}

	return started.url;
}
