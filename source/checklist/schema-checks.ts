import {bookkeepingTables} from '../engine/model.js';
import {TARGET_TOKEN} from '../engine/target-migration.js';
import type {Compiled} from './data-tests.js';
import {literal, readNames, readTable, tableSql, tableText, type TableName} from './sql-text.js';
import type {Path, Validator} from './validator.js';

/** Expectations on the schema, answered from each engine's catalog rather than by SQL in the checklist. */
export const SCHEMA_CHECK_KINDS = ['exists', 'absent', 'version', 'unexpected-tables'] as const;
export type SchemaCheckKind = typeof SCHEMA_CHECK_KINDS[number];

const pgUserSchemas = String.raw`n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'`;

export function compileSchemaCheck(kind: SchemaCheckKind, value: unknown, path: Path, v: Validator): Compiled {
	switch (kind) {
		case 'exists':
		case 'absent': {
			const object = readObject(value, path, v);
			return {expect: {kind: 'schema', want: kind === 'exists' ? 'present' : 'absent', object: object.words}, sql: object.sql};
		}

		case 'version': {
			const map = v.object(value ?? {}, path, {required: [], optional: ['equals']});
			// Without equals: the last migration of this run, bound when the check runs, so a run with --to checks what it did.
			if (typeof map['equals'] === 'number') {
				v.fail([...path, 'equals'], `YAML reads ${String(map['equals'])} as a number: quote the migration's name, for example '0004_meters_unique'`);
			}

			const expected = map['equals'] === undefined ? TARGET_TOKEN : literal(v.text(map['equals'], [...path, 'equals']));
			// The last applied, by when: names do not sort as versions (9_x after 10_y, Flyway's V1.9 after V1.10).
			const sql = `SELECT (SELECT name FROM cutover_migrations ORDER BY applied_at DESC, name DESC LIMIT 1) AS applied, ${expected} AS expected`;
			return {expect: {kind: 'version'}, sql: {sqlite: sql, postgres: sql}};
		}

		case 'unexpected-tables': {
			return compileUnexpectedTables(value, path, v);
		}
	}
}

type SchemaObject = {words: string; sql: Compiled['sql']};

/** `{table: t}`, `{column: c, table: t}`, `{index: i, table?: t}`, `{constraint: k, table?: t}`. */
function readObject(value: unknown, path: Path, v: Validator): SchemaObject {
	const map = v.object(value, path, {required: [], optional: ['table', 'column', 'index', 'constraint']});
	const kinds = (['column', 'index', 'constraint'] as const).filter(k => map[k] !== undefined);
	if (kinds.length > 1) {
		v.fail([...path, kinds[1]!], `one object per check: ${kinds.join(' and ')} are two checks`);
	}

	const table = map['table'] === undefined ? null : readTable(map['table'], [...path, 'table'], v);
	const which = kinds[0];
	if (which === undefined) {
		if (table === null) {
			v.fail(path, 'name the object: {table: t}, {column: c, table: t}, {index: i} or {constraint: k}, each index and constraint optionally with table: t');
		}

		return {words: `table ${tableText(table)}`, sql: tableExists(table)};
	}

	const name = readTable(map[which], [...path, which], v);
	const on = table === null ? '' : ` on ${tableText(table)}`;
	switch (which) {
		case 'column': {
			if (table === null) {
				v.fail([...path, 'table'], `"table" is missing: say whose column ${name.name} is`);
			}

			return {words: `column ${tableText(table)}.${name.name}`, sql: columnExists(table, name.name)};
		}

		case 'index': {
			return {words: `index ${tableText(name)}${on}`, sql: indexExists(name, table)};
		}

		case 'constraint': {
			return {words: `constraint ${tableText(name)}${on}`, sql: constraintExists(name, table)};
		}
	}
}

// SQLite: names compare without case, as SQLite resolves them; an attached database is schema.table.
const master = (schema: string | null) => `${schema === null ? '' : `${literalIdentifier(schema)}.`}sqlite_master`;
const literalIdentifier = (name: string) => tableSql({schema: null, name});
const nocase = (column: string, value: string) => `${column} = ${literal(value)} COLLATE NOCASE`;
// PostgreSQL: to_regclass finds a relation as the search path does, and is NULL (no error) when it or its schema is missing.
// A "table" is any relation rows are read from, views included, on both engines.
const regclass = (table: TableName) => `to_regclass(${literal(tableSql(table))})`;

function tableExists(table: TableName): Compiled['sql'] {
	return {
		sqlite: `SELECT name FROM ${master(table.schema)} WHERE type IN ('table', 'view') AND ${nocase('name', table.name)}`,
		postgres: `SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ${regclass(table)} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
	};
}

function columnExists(table: TableName, column: string): Compiled['sql'] {
	const args = table.schema === null ? literal(table.name) : `${literal(table.name)}, ${literal(table.schema)}`;
	return {
		sqlite: `SELECT name, type FROM pragma_table_info(${args}) WHERE ${nocase('name', column)}`,
		postgres: `SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type FROM pg_catalog.pg_attribute a WHERE a.attrelid = ${regclass(table)} AND a.attname = ${literal(column)} AND a.attnum > 0 AND NOT a.attisdropped`,
	};
}

function indexExists(index: TableName, table: TableName | null): Compiled['sql'] {
	// An index lives in its table's schema: billing.meters' index is looked for in billing.
	const qualified = index.schema === null && table?.schema != null ? {schema: table.schema, name: index.name} : index;
	const onSqlite = table === null ? '' : ` AND ${nocase('tbl_name', table.name)}`;
	const onPostgres = table === null ? '' : ` AND x.indrelid = ${regclass(table)}`;
	return {
		sqlite: `SELECT name, tbl_name AS table_name FROM ${master(qualified.schema)} WHERE type = 'index' AND ${nocase('name', index.name)}${onSqlite}`,
		postgres: `SELECT c.relname AS name, x.indrelid::regclass::text AS table_name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid WHERE c.oid = ${regclass(qualified)}${onPostgres}`,
	};
}

/**
 * PostgreSQL: pg_constraint. SQLite keeps no catalog of constraints: a constraint is found as an
 * index of that name (how SQLite migrations add a unique key) or as a `CONSTRAINT name` clause in
 * its table's CREATE TABLE text.
 */
function constraintExists(constraint: TableName, table: TableName | null): Compiled['sql'] {
	const name = constraint.name.toLowerCase();
	const clauses = [`constraint ${name} `, `constraint "${name.replaceAll('"', '""')}"`, `constraint \`${name}\``, `constraint [${name}]`];
	const flat = 'replace(replace(replace(lower(sql), char(10), \' \'), char(13), \' \'), char(9), \' \')';
	const onSqlite = table === null ? '' : ` AND ${nocase('tbl_name', table.name)}`;
	const schema = constraint.schema ?? table?.schema ?? null;
	const where = table === null
		? (schema === null ? 'n.nspname = ANY (pg_catalog.current_schemas(false))' : `n.nspname = ${literal(schema)}`)
		: `con.conrelid = ${regclass(table)}`;
	return {
		sqlite: `SELECT name, tbl_name AS table_name FROM ${master(schema)} WHERE ((type = 'index' AND ${nocase('name', constraint.name)}) OR (type = 'table' AND (${clauses.map(c => `instr(${flat}, ${literal(c)}) > 0`).join(' OR ')})))${onSqlite}`,
		postgres: `SELECT con.conname AS name, con.conrelid::regclass::text AS table_name FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace WHERE con.conname = ${literal(constraint.name)} AND ${where}`,
	};
}

/**
 * `{allowed: [...]}`: every user table not listed is unexpected; `{belong-elsewhere: [...]}`: the
 * listed tables must not be here. Tables are named as cutover names them everywhere: `table` in
 * PostgreSQL's public schema (public.t is read as t), `schema.table` elsewhere; SQLite's by name.
 */
function compileUnexpectedTables(value: unknown, path: Path, v: Validator): Compiled {
	const map = v.object(value, path, {required: [], optional: ['allowed', 'belong-elsewhere']});
	const given = (['allowed', 'belong-elsewhere'] as const).filter(k => map[k] !== undefined);
	if (given.length !== 1) {
		v.fail(given.length === 0 ? path : [...path, given[1]!], 'give allowed: [the tables that belong here] or belong-elsewhere: [the tables that must not be here], one of them');
	}

	const key = given[0]!;
	// allowed: [] is a database that must hold no tables of its own; belong-elsewhere needs some.
	const none = key === 'allowed' && Array.isArray(map[key]) && map[key].length === 0;
	const names = none ? [] : readNames(map[key], [...path, key], 'table names', v);
	const normalised = names.map(n => n.replace(/^public\./i, '').toLowerCase());
	const pgName = 'CASE WHEN n.nspname = \'public\' THEN c.relname ELSE n.nspname || \'.\' || c.relname END';
	const test = (column: string) => normalised.length === 0 ? '' : ` AND lower(${column}) ${key === 'allowed' ? 'NOT IN' : 'IN'} (${normalised.map(n => literal(n)).join(', ')})`;
	const own = bookkeepingTables.map(n => literal(n)).join(', ');
	return {
		expect: {
			kind: 'none',
			rule: key === 'allowed' ? `no tables besides ${names.length === 0 ? 'none' : names.join(', ')}` : `none of ${names.join(', ')} here`,
			noun: ['unexpected table', 'unexpected tables'],
		},
		sql: {
			sqlite: String.raw`SELECT name AS table_name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN (${own})${test('name')} ORDER BY name`,
			postgres: `SELECT ${pgName} AS table_name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${pgUserSchemas} AND c.relname NOT IN (${own})${test(pgName)} ORDER BY 1`,
		},
	};
}
