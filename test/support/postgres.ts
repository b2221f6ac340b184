import {randomBytes} from 'node:crypto';
import pg from 'pg';

/** The server tests use: CUTOVER_TEST_PG (an admin URL) or the machine's 127.0.0.1:5432 as postgres. */
export const adminUrl = process.env['CUTOVER_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type ThrowawayDatabase = {
	name: string;
	url: string;
	/** Runs SQL as the admin against the throwaway database (seeding, asserting end state). */
	sql(text: string): Promise<pg.QueryResult>;
	drop(): Promise<void>;
};

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
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
			await withAdmin(async client => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
		},
	};
}
