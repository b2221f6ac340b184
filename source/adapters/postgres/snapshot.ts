import type pg from 'pg';
import type {DatabaseSnapshot, SnapshotColumn, SnapshotConstraint, SnapshotIndex, SnapshotObject, SnapshotTable, SnapshotView} from '../../engine/snapshot.js';
import {readCatalogObjects} from './catalog.js';
import {bookkeepingTables, compare, listUserTables, qualified, tableName} from './user-tables.js';

const systemSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	AND n.nspname NOT LIKE 'pg_temp\\_%' AND n.nspname NOT LIKE 'pg_toast_temp\\_%'`;

// Each catalogue query below is keyed by the table's oid, restricted to the tables listUserTables names.
// An index a primary key, unique or exclusion constraint made is listed as that constraint (as SQLite's are).
const columnsSql = `SELECT a.attrelid::int8::text, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
		pg_catalog.pg_get_expr(d.adbin, d.adrelid)
	FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
	ORDER BY a.attrelid, a.attnum`;

const indexesSql = `SELECT i.indrelid::int8::text, n.nspname, c.relname, i.indisunique, pg_catalog.pg_get_indexdef(i.indexrelid)
	FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE i.indrelid = ANY($1::oid[])
		AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))`;

// NOT NULL is a column's nullability (PostgreSQL 18 also lists it here); triggers' constraints are no schema shape.
const constraintsSql = `SELECT conrelid::int8::text, conname, contype, pg_catalog.pg_get_constraintdef(oid)
	FROM pg_catalog.pg_constraint WHERE conrelid = ANY($1::oid[]) AND contype IN ('p', 'u', 'f', 'c', 'x')`;

const viewsSql = `SELECT n.nspname, c.relname, pg_catalog.pg_get_viewdef(c.oid)
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('v', 'm') AND ${systemSchemas}`;

const oidsSql = `SELECT n.nspname, c.relname, c.oid::int8::text
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${systemSchemas}`;

const otherKinds: ReadonlyArray<SnapshotObject['kind']> = ['schema', 'extension', 'type', 'function', 'sequence', 'trigger', 'rule'];

const constraintKinds: Record<string, SnapshotConstraint['kind']> = {p: 'primary-key', u: 'unique', f: 'foreign-key', c: 'check', x: 'exclusion'};

/**
 * The database's tables (rows, pg_total_relation_size, columns), indexes, constraints and views,
 * its types, functions, sequences, triggers, rules, extensions and schemas, and the last migration
 * in cutover_migrations, in one REPEATABLE READ snapshot so they belong together.
 * pg_total_relation_size takes each table's lock like count(*): the session's lock timeout bounds both. `onTable` hears which table is being read, for a message about a lock.
 */
export async function readSnapshot(client: pg.Client, onTable?: (name: string) => void): Promise<DatabaseSnapshot> {
	await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
	try {
		const rows = async <T extends unknown[]>(text: string, values: unknown[] = []) => (await client.query<T>({text, values, rowMode: 'array'})).rows;
		const [database, databaseBytes] = (await rows<[string, string]>('SELECT current_database(), pg_database_size(current_database())::text'))[0]!;
		const listed = await listUserTables(client);
		const oidOf = new Map((await rows<[string, string, string]>(oidsSql)).map(([schema, table, oid]) => [`${schema}\u0000${table}`, oid]));
		const entries = listed.map(entry => ({...entry, oid: oidOf.get(`${entry.schema}\u0000${entry.table}`)!}));
		const nameOf = new Map(entries.map(entry => [entry.oid, entry.name]));
		const oids = entries.map(entry => entry.oid);

		const columns = new Map<string, SnapshotColumn[]>();
		for (const [oid, name, type, nullable, defaultValue] of await rows<[string, string, string, boolean, string | null]>(columnsSql, [oids])) {
			columns.set(oid, [...columns.get(oid) ?? [], {name, type, nullable, default: defaultValue}]);
		}

		const tables: SnapshotTable[] = [];
		for (const entry of entries) {
			onTable?.(entry.name);
			// eslint-disable-next-line no-await-in-loop -- one connection runs one statement at a time
			const [count, bytes] = (await rows<[string, string]>(`SELECT (SELECT count(*) FROM ${qualified(entry)})::text, pg_catalog.pg_total_relation_size($1::oid)::text`, [entry.oid]))[0]!;
			tables.push({name: entry.name, rows: Number(count), bytes: Number(bytes), columns: columns.get(entry.oid) ?? []});
		}

		const indexes: SnapshotIndex[] = (await rows<[string, string, string, boolean, string]>(indexesSql, [oids]))
			.map(([oid, schema, index, unique, definition]) => ({name: tableName(schema, index), table: nameOf.get(oid)!, unique, definition}))
			.sort((a, b) => compare(a.name, b.name));
		const constraints: SnapshotConstraint[] = (await rows<[string, string, string, string]>(constraintsSql, [oids]))
			.map(([oid, name, kind, definition]) => ({name, table: nameOf.get(oid)!, kind: constraintKinds[kind]!, definition}))
			.sort((a, b) => compare(a.table, b.table) || compare(a.name, b.name));
		const views: SnapshotView[] = (await rows<[string, string, string]>(viewsSql))
			.map(([schema, view, definition]) => ({name: tableName(schema, view), definition: definition.trim()}))
			.sort((a, b) => compare(a.name, b.name));

		const others: SnapshotObject[] = (await readCatalogObjects(client, otherKinds)).sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name));
		return {engine: 'postgres', database, migration: await latestMigration(client), bytes: Number(databaseBytes), tables, indexes, constraints, views, others};
	} finally {
		// A connection ended from outside (the run is leaving) has nothing to roll back.
		await client.query('ROLLBACK').catch(() => undefined);
	}
}

/** The latest row of cutover_migrations (the last applied; a down deletes its row) where the session finds it, as the migrator does; null without one. */
async function latestMigration(client: pg.Client): Promise<string | null> {
	const table = bookkeepingTables[0]!;
	const [present, dated] = (await client.query<[boolean, boolean]>({
		text: `SELECT to_regclass('${table}') IS NOT NULL,
			EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass('${table}') AND attname = 'applied_at' AND NOT attisdropped)`,
		rowMode: 'array',
	})).rows[0]!;
	if (!present) {
		return null;
	}

	// Not max(name): versions are not in name order in every format (Flyway's 1.10 comes after 1.9). A table without the
	// column is none cutover made; its largest name is still the best guess, and no reason to fail the whole snapshot.
	const result = await client.query<[string]>({text: `SELECT name FROM ${table} ORDER BY ${dated ? 'applied_at DESC, ' : ''}name DESC LIMIT 1`, rowMode: 'array'});
	return result.rows[0]?.[0] ?? null;
}
