import type {RelationSize} from '../../engine/lock-impact.js';
import {sizeKey} from '../../engine/lock-trace.js';
import {connectPostgres} from './connect.js';
import type {PostgresTarget} from './postgres-target.js';

/**
 * The target's size (pg_total_relation_size: with its indexes and TOAST) and row estimate
 * (pg_class.reltuples; null when never analysed, -1 since PostgreSQL 14) of each named
 * relation, keyed by sizeKey. Read in a read-only transaction: nothing on the target changes.
 */
export async function readRelationSizes(target: PostgresTarget, relations: ReadonlyArray<{schema: string; name: string}>): Promise<Map<string, RelationSize>> {
	const sizes = new Map<string, RelationSize>();
	if (relations.length === 0) {
		return sizes;
	}

	const client = await connectPostgres(target, {application_name: 'cutover lint --trace'});
	const read = async (size: string) => client.query<{schema: string; name: string; bytes: string; rows: number}>({
		text: `SELECT n.nspname AS schema, c.relname AS name, (${size})::text AS bytes, c.reltuples::float8 AS rows
			FROM unnest($1::text[], $2::text[]) AS wanted(schema, name)
			JOIN pg_catalog.pg_namespace n ON n.nspname = wanted.schema
			JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.name`,
		values: [relations.map(r => r.schema), relations.map(r => r.name)],
	});
	try {
		let result;
		await client.query('BEGIN READ ONLY');
		try {
			// pg_total_relation_size locks each table: behind a VACUUM FULL or an ALTER it would wait, and the run's
			// end waits for the trace. Bounded, then the catalog's page counts (no lock; as of the last VACUUM or ANALYZE).
			await client.query('SET LOCAL lock_timeout = 1000; SET LOCAL statement_timeout = 10000');
			result = await read('pg_catalog.pg_total_relation_size(c.oid)');
			await client.query('COMMIT');
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			const code = (error as {code?: unknown}).code;
			if (code !== '55P03' && code !== '57014') {
				throw error;
			}

			result = await read(`c.relpages::bigint * current_setting('block_size')::bigint`);
		}

		for (const row of result.rows) {
			sizes.set(sizeKey(row), {bytes: Number(row.bytes), rows: row.rows < 0 ? null : row.rows});
		}

		return sizes;
	} finally {
		await client.end().catch(() => undefined);
	}
}
