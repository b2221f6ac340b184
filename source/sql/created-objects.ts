import type {Engine} from '../engine/model.js';
import {splitScript} from './split-script.js';

/** A table or index a script creates, by the name as written (quotes kept, so the database can resolve it). */
export type CreatedObject = {kind: 'table' | 'index'; name: string};

const identifier = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const qualifiedName = String.raw`${identifier}(?:\s*\.\s*${identifier})?`;
const table = new RegExp(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${qualifiedName})`, 'i');
// An index without a name (CREATE INDEX ON t …) names nothing to look for.
const index = new RegExp(String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?!ON\s)(${qualifiedName})\s+ON\s`, 'i');

/**
 * One change a statement makes to the tables and indexes, in script order. `key` names the object
 * as the database resolves it (kind, schema, name; an unqualified name in the default schema, an
 * index in its table's), so a DROP of `public.users` meets the CREATE of `users`.
 * - create: `table` is the key of an index's table (a DROP TABLE drops its indexes too)
 * - rename: ALTER TABLE / ALTER INDEX … RENAME TO; `to` is the new name as written, in the old one's schema
 */
export type SchemaChange =
	| {change: 'create'; kind: 'table' | 'index'; name: string; key: string; table?: string}
	| {change: 'drop'; kind: 'table' | 'index'; name: string; key: string}
	| {change: 'rename'; kind: 'table' | 'index'; name: string; key: string; to: string; toKey: string};

const names = String.raw`${qualifiedName}(?:\s*,\s*${qualifiedName})*`;
const drop = new RegExp(String.raw`^DROP\s+(TABLE|INDEX)\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?(${names})`, 'i');
const rename = new RegExp(String.raw`^ALTER\s+(TABLE|INDEX)\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${qualifiedName})\s*\*?\s+RENAME\s+TO\s+(${identifier})`, 'i');
const indexTable = new RegExp(String.raw`\s+ON\s+(?:ONLY\s+)?(${qualifiedName})`, 'iy');

/**
 * The tables and indexes a SQL script creates, read with simple patterns (CREATE TABLE and
 * CREATE INDEX statements; temporary tables left out, as they do not outlive the session).
 * What a function body or dynamic SQL creates is not seen: this is evidence, not proof.
 * The script is cut as `engine` runs it (PostgreSQL's by its parser, see splitScript): a goose
 * block is one statement that may hold several.
 */
export async function createdObjects(sql: string, engine: Engine): Promise<CreatedObject[]> {
	return (await schemaChanges(sql, engine)).flatMap(c => c.change === 'create' ? [{kind: c.kind, name: c.name}] : []);
}

/**
 * What a SQL script creates, drops and renames of tables and indexes, in its order, read with the
 * same patterns as createdObjects (DROP TABLE / DROP INDEX [CONCURRENTLY] [IF EXISTS] with each
 * name of a list; ALTER TABLE / ALTER INDEX … RENAME TO). A later migration that drops what an
 * earlier one made is why that object's absence is no sign the earlier one did not run.
 */
export async function schemaChanges(sql: string, engine: Engine): Promise<SchemaChange[]> {
	// `status` reads every migration's statements: one that names none of these is not cut (nor parsed) at all.
	if (!(/\bCREATE\b/i.test(sql) && /\b(?:TABLE|INDEX)\b/i.test(sql)) && !/\bDROP\s+(?:TABLE|INDEX)\b/i.test(sql) && !/\bRENAME\s+TO\b/i.test(sql)) {
		return [];
	}

	const key = (kind: 'table' | 'index', name: string, table?: string) => objectKeyOf(kind, name, engine, table);
	const found: SchemaChange[] = [];
	for (const statement of (await splitScript(sql, engine)).statements) {
		const text = withoutLeadingComments(statement.text);
		const t = table.exec(text);
		if (t?.[1] !== undefined && !/^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?TEMP/i.test(text)) {
			const name = tidy(t[1]);
			found.push({change: 'create', kind: 'table', name, key: key('table', name)});
			continue;
		}

		const i = index.exec(text);
		if (i?.[1] !== undefined) {
			const name = tidy(i[1]);
			indexTable.lastIndex = i[0].length - 4;
			const on = indexTable.exec(text)?.[1];
			const tableKey = on === undefined ? undefined : key('table', tidy(on));
			found.push({change: 'create', kind: 'index', name, key: key('index', name, on === undefined ? undefined : tidy(on)), ...(tableKey === undefined ? {} : {table: tableKey})});
			continue;
		}

		const d = drop.exec(text);
		if (d?.[1] !== undefined && d[2] !== undefined) {
			const kind = d[1].toLowerCase() as 'table' | 'index';
			for (const match of d[2].matchAll(new RegExp(qualifiedName, 'g'))) {
				const name = tidy(match[0]);
				found.push({change: 'drop', kind, name, key: key(kind, name)});
			}

			continue;
		}

		const r = rename.exec(text);
		if (r?.[1] !== undefined && r[2] !== undefined && r[3] !== undefined) {
			const kind = r[1].toLowerCase() as 'table' | 'index';
			const name = tidy(r[2]);
			// The new name cannot name a schema: the object stays in the old one's.
			const schema = qualifier(name);
			const to = schema === null ? r[3] : `${schema}.${r[3]}`;
			found.push({change: 'rename', kind, name, key: key(kind, name), to, toKey: key(kind, to)});
		}
	}

	return found;
}

const tidy = (name: string) => name.replaceAll(/\s*\.\s*/g, '.');

/** The schema part of a qualified name as written, or null. */
function qualifier(name: string): string | null {
	const parts = [...name.matchAll(new RegExp(identifier, 'g'))].map(m => m[0]);
	return parts.length === 2 ? parts[0]! : null;
}

/**
 * An object's identity as the database resolves the name: unqualified names in the default schema
 * (public, main), a PostgreSQL index in its table's schema, SQLite's names without case.
 */
function objectKeyOf(kind: 'table' | 'index', written: string, engine: Engine, table?: string): string {
	const parts = nameParts(written);
	const fallback = engine === 'postgres' && kind === 'index' && table !== undefined ? nameParts(table).schema : null;
	const schema = parts.schema ?? fallback ?? (engine === 'postgres' ? 'public' : 'main');
	const whole = `${kind}:${schema}.${parts.name}`;
	return engine === 'sqlite' ? whole.toLowerCase() : whole;
}

/** The statement with its leading comments and blanks taken off. */
export function withoutLeadingComments(statement: string): string {
	let text = statement.trimStart();
	for (;;) {
		if (text.startsWith('--')) {
			const end = text.indexOf('\n');
			text = end === -1 ? '' : text.slice(end + 1).trimStart();
		} else if (text.startsWith('/*')) {
			const end = text.indexOf('*/');
			text = end === -1 ? '' : text.slice(end + 2).trimStart();
		} else {
			return text;
		}
	}
}

/** The name's parts without quotes, folded as an unquoted name is (lower case): schema (null when not given) and name. */
export function nameParts(name: string): {schema: string | null; name: string} {
	const parts = [...name.matchAll(new RegExp(identifier, 'g'))].map(m => m[0]).map(part => part.startsWith('"') ? part.slice(1, -1).replaceAll('""', '"') : part.toLowerCase());
	return parts.length === 2 ? {schema: parts[0]!, name: parts[1]!} : {schema: null, name: parts[0] ?? name};
}
