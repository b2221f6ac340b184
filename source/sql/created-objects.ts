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
 * The tables and indexes a SQL script creates, read with simple patterns (CREATE TABLE and
 * CREATE INDEX statements; temporary tables left out, as they do not outlive the session).
 * What a function body or dynamic SQL creates is not seen: this is evidence, not proof.
 * The script is cut as `engine` runs it (PostgreSQL's by its parser, see splitScript): a goose
 * block is one statement that may hold several.
 */
export async function createdObjects(sql: string, engine: Engine): Promise<CreatedObject[]> {
	// `status` reads every pending migration's statements: one that names no CREATE, TABLE or INDEX is not cut (nor parsed) at all.
	if (!/\bCREATE\b/i.test(sql) || !/\b(?:TABLE|INDEX)\b/i.test(sql)) {
		return [];
	}

	const found: CreatedObject[] = [];
	for (const statement of (await splitScript(sql, engine)).statements) {
		const text = withoutLeadingComments(statement.text);
		const t = table.exec(text);
		if (t?.[1] !== undefined && !/^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?TEMP/i.test(text)) {
			found.push({kind: 'table', name: t[1].replaceAll(/\s*\.\s*/g, '.')});
			continue;
		}

		const i = index.exec(text);
		if (i?.[1] !== undefined) {
			found.push({kind: 'index', name: i[1].replaceAll(/\s*\.\s*/g, '.')});
		}
	}

	return found;
}

function withoutLeadingComments(statement: string): string {
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
