import type {RelationSize} from '../../engine/lock-impact.js';
import {sizeKey} from '../../engine/lock-trace.js';
import {connectPostgres} from './connect.js';
import {boundedSizeRead} from './size-read.js';
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
		// The run's end waits for the trace, and so for this read.
		const result = await boundedSizeRead(client, {lockMs: 1000, statementMs: 10_000}, async () => read('pg_catalog.pg_total_relation_size(c.oid)'), async () => read(`c.relpages::bigint * current_setting('block_size')::bigint`));

		for (const row of result.rows) {
			sizes.set(sizeKey(row), {bytes: Number(row.bytes), rows: row.rows < 0 ? null : row.rows});
		}

		return sizes;
	} finally {
		await client.end().catch(() => undefined);
	}
}
