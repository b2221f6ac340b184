import {withoutLeadingComments} from './created-objects.js';

// What a migration's own statements change or remove, by name, so that the snapshot after the
// upgrade can tell the changes the migrations asked for from the ones nobody wrote. Read with
// simple patterns, statement by statement: what a function body or dynamic SQL does is not seen,
// and stays unexpected.

const identifier = String.raw`(?:"(?:[^"]|"")+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const qualifiedName = String.raw`${identifier}(?:\s*\.\s*${identifier})?`;
const names = String.raw`${qualifiedName}(?:\s*,\s*${qualifiedName})*`;

/** Each pattern's group 1 holds the name (or list of names) it touches; `rows`: it removes rows on purpose. */
const patterns: Array<{pattern: RegExp; rows?: true}> = [
	// Columns, constraints, defaults, indexes of the table, its name: everything on it.
	{pattern: new RegExp(String.raw`^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${qualifiedName})`, 'i')},
	{pattern: new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(${names})`, 'i'), rows: true},
	{pattern: new RegExp(String.raw`^DROP\s+(?:VIEW|MATERIALIZED\s+VIEW|INDEX|SEQUENCE|TYPE|DOMAIN|SCHEMA|EXTENSION)\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?(${names})`, 'i')},
	{pattern: new RegExp(String.raw`^DROP\s+(?:FUNCTION|PROCEDURE|AGGREGATE)\s+(?:IF\s+EXISTS\s+)?(${qualifiedName})`, 'i')},
	{pattern: new RegExp(String.raw`^DROP\s+(?:TRIGGER|RULE|POLICY)\s+(?:IF\s+EXISTS\s+)?${identifier}\s+ON\s+(${qualifiedName})`, 'i')},
	// SQLite: DROP TRIGGER names no table.
	{pattern: new RegExp(String.raw`^DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(${qualifiedName})\s*;?\s*$`, 'i')},
	{pattern: new RegExp(String.raw`^ALTER\s+(?:INDEX|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|TYPE|DOMAIN|FUNCTION|PROCEDURE)\s+(?:IF\s+EXISTS\s+)?(${qualifiedName})`, 'i')},
	{pattern: new RegExp(String.raw`^CREATE\s+OR\s+REPLACE\s+(?:VIEW|FUNCTION|PROCEDURE|TRIGGER\s+${identifier}\s+(?:BEFORE|AFTER|INSTEAD\s+OF)[\s\S]*?\s+ON)\s+(${qualifiedName})`, 'i')},
	// Rows it removes on purpose.
	{pattern: new RegExp(String.raw`^DELETE\s+FROM\s+(?:ONLY\s+)?(${qualifiedName})`, 'i'), rows: true},
	{pattern: new RegExp(String.raw`^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(${names})`, 'i'), rows: true},
];

/**
 * The tables and other objects a migration's statements alter or remove, named as snapshots name
 * them: quotes off, unquoted names folded to lower case, `public.` (and SQLite's `main.`) dropped.
 */
export type Touched = {
	/** Objects (and tables, for everything on them) the statements alter, drop or define again. */
	objects: string[];
	/** Tables whose rows the statements remove: DELETE, TRUNCATE, DROP. */
	rows: string[];
};

export function touchedObjects(statements: readonly string[]): Touched {
	const objects = new Set<string>();
	const rows = new Set<string>();
	for (const statement of statements) {
		const text = withoutLeadingComments(statement);
		for (const {pattern, rows: removes} of patterns) {
			const match = pattern.exec(text);
			if (match?.[1] !== undefined) {
				for (const name of match[1].matchAll(new RegExp(qualifiedName, 'g'))) {
					objects.add(snapshotName(name[0]));
					if (removes === true) {
						rows.add(snapshotName(name[0]));
					}
				}
			}
		}
	}

	return {objects: [...objects].sort(), rows: [...rows].sort()};
}

function snapshotName(written: string): string {
	const parts = [...written.matchAll(new RegExp(identifier, 'g'))].map(([part]) => /^["\x60[]/.test(part) ? part.slice(1, -1).replaceAll('""', '"') : part.toLowerCase());
	return parts.length === 2 && parts[0] !== 'public' && parts[0] !== 'main' ? `${parts[0]}.${parts[1]}` : parts.at(-1)!;
}
