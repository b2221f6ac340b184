import {leadingWords} from '../sql/non-transactional.js';
import type {Hit} from './postgres-rules.js';

const name = String.raw`("(?:[^"]|"")+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)(?:\s*\.\s*("(?:[^"]|"")+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*))?`;
const createTable = new RegExp(String.raw`^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${name}`, 'i');
const insertSelect = new RegExp(String.raw`^(?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\s+${name}[\s\S]*\bSELECT\b[\s\S]*\bFROM\s+${name}`, 'i');
const dropTable = new RegExp(String.raw`^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${name}`, 'i');
const renameTable = new RegExp(String.raw`^ALTER\s+TABLE\s+${name}\s+RENAME\s+TO\s+${name}`, 'i');
const dropColumn = new RegExp(String.raw`^ALTER\s+TABLE\s+${name}\s+DROP\s+(?:COLUMN\s+)?${name}`, 'i');

/** An identifier as SQLite compares it: quotes off, case folded (SQLite's names are case-insensitive). */
function unquote(part: string): string {
	const bare = /^["\x60[]/.test(part) ? part.slice(1, -1).replaceAll('""', '"') : part;
	return bare.toLowerCase();
}

/** The last of a possibly schema-qualified name at groups `at`, `at + 1`. */
const nameAt = (match: RegExpExecArray, at: number) => unquote(match[at + 1] ?? match[at]!);

/** The table a CREATE TABLE statement (its code) makes, as SQLite compares names; null for any other statement. */
export function createdTableOf(code: string): string | null {
	const create = createTable.exec(code);
	return create === null ? null : nameAt(create, 1);
}

/** The old and new names of an ALTER TABLE … RENAME TO (its code), as SQLite compares names; null for any other statement. */
export function renamedTableOf(code: string): {from: string; to: string} | null {
	const rename = renameTable.exec(code);
	return rename === null ? null : {from: nameAt(rename, 1), to: nameAt(rename, 3)};
}

/** The statement with its leading comments and blanks taken off. */
export function codeOf(text: string): string {
	let rest = text;
	for (;;) {
		rest = rest.trimStart();
		if (rest.startsWith('--')) {
			const end = rest.indexOf('\n');
			rest = end === -1 ? '' : rest.slice(end + 1);
		} else if (rest.startsWith('/*')) {
			const end = rest.indexOf('*/');
			rest = end === -1 ? '' : rest.slice(end + 2);
		} else {
			return rest;
		}
	}
}

/**
 * SQLite's rules over one migration's statements (as the splitter gives them): the findings of
 * each statement, by index. The rebuild pattern is read across the migration: CREATE TABLE new,
 * INSERT INTO new … SELECT … FROM old, DROP TABLE old, ALTER TABLE new RENAME TO old.
 */
export function sqliteHits(statements: readonly string[]): Hit[][] {
	const hits: Hit[][] = statements.map(() => []);
	const codes = statements.map(codeOf);
	const created = new Map<string, number>();
	const copied = new Map<string, string>();
	for (const [index, code] of codes.entries()) {
		const create = createTable.exec(code);
		if (create) {
			created.set(nameAt(create, 1), index);
			continue;
		}

		const insert = insertSelect.exec(code);
		if (insert) {
			copied.set(nameAt(insert, 3), nameAt(insert, 1));
			continue;
		}

		const words = leadingWords(code, 400);
		if (words[0] === 'ALTER' && words[1] === 'TABLE' && words.includes('ADD') && words.includes('NOT') && words.some((w, i) => w === 'NOT' && words[i + 1] === 'NULL') && !words.includes('DEFAULT')) {
			hits[index]!.push({rule: 'not-null-without-default', detail: 'ADD COLUMN … NOT NULL with no default'});
			continue;
		}

		const column = dropColumn.exec(code);
		if (column && !/^ALTER\s+TABLE\s+\S+\s+DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?CONSTRAINT\b/i.test(code)) {
			hits[index]!.push({rule: 'drop-column', detail: `DROP COLUMN ${nameAt(column, 1)}.${nameAt(column, 3)}`, table: nameAt(column, 1)});
			continue;
		}

		const drop = dropTable.exec(code);
		if (drop) {
			const table = nameAt(drop, 1);
			// Dropped after its rows were copied into a table created here, which then takes its name: a rebuild.
			const copy = copied.get(table);
			const rebuilt = copy !== undefined && created.has(copy) && codes.slice(index + 1).some(later => {
				const rename = renameTable.exec(later);
				return rename !== null && nameAt(rename, 1) === copy && nameAt(rename, 3) === table;
			});
			hits[index]!.push(rebuilt
				? {rule: 'sqlite-table-rebuild', detail: `table ${table} is rebuilt through ${copy}`}
				: {rule: 'drop-table', detail: `DROP TABLE ${table}`, table, ...(/^DROP\s+TABLE\s+IF\s+EXISTS\b/i.test(code) ? {ifExists: true as const} : {})});
		}
	}

	return hits;
}
