import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import pg from 'pg';

/** pg_dump --schema-only, without the lines that differ on every dump (the \restrict key); `exclude` names tables left out. */
export function schemaOf(url: string, exclude: string[] = []): string {
	const run = spawnSync('pg_dump', ['--schema-only', ...exclude.map(table => `--exclude-table=${table}`), `--dbname=${url}`], {encoding: 'utf8'});
	assert.equal(run.status, 0, run.stderr);
	return run.stdout.split('\n').filter(line => !/^\\(un)?restrict /.test(line)).join('\n');
}

/** Every user table's rows, as one checksum per table (schema-qualified names). */
export async function contentsOf(url: string): Promise<Record<string, string | null>> {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	try {
		const tables = await client.query<{name: string}>(String.raw`SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%' ORDER BY 1`);
		const sums: Record<string, string | null> = {};
		for (const {name} of tables.rows) {
			// eslint-disable-next-line no-await-in-loop -- one connection
			const sum = await client.query<{sum: string | null}>(`SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) AS sum FROM ${name} t`);
			sums[name] = sum.rows[0]?.sum ?? null;
		}

		return sums;
	} finally {
		await client.end();
	}
}
