import type {Path, Validator} from './validator.js';

/** A table as a checklist names it: `meters`, or `billing.meters` (a PostgreSQL schema, a SQLite attached database). */
export type TableName = {schema: string | null; name: string};

/** SQLite and PostgreSQL both quote identifiers in double quotes, doubling a quote inside. */
export function quoteIdentifier(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

export function tableSql(table: TableName): string {
	return table.schema === null ? quoteIdentifier(table.name) : `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}

/** How messages and evidence name it, as the checklist did. */
export function tableText(table: TableName): string {
	return table.schema === null ? table.name : `${table.schema}.${table.name}`;
}

/** A literal both engines read the same way: text in single quotes (doubled inside), numbers as written, TRUE/FALSE. */
export function literal(value: string | number | boolean): string {
	if (typeof value === 'string') {
		return `'${value.replaceAll('\'', '\'\'')}'`;
	}

	return typeof value === 'boolean' ? (value ? 'TRUE' : 'FALSE') : String(value);
}

export function readTable(value: unknown, path: Path, v: Validator): TableName {
	const text = v.text(value, path);
	const parts = text.split('.');
	if (parts.length > 2 || parts.some(p => p.trim() === '')) {
		v.fail(path, `"${text}" is not a table name: give table or schema.table`);
	}

	return parts.length === 2 ? {schema: parts[0]!.trim(), name: parts[1]!.trim()} : {schema: null, name: text};
}

/** A list of at least one non-empty text, without repeats. */
export function readNames(value: unknown, path: Path, what: string, v: Validator): string[] {
	const list = v.list(value, path);
	if (list.length === 0) {
		v.fail(path, `expected a list of ${what}, for example [id] or [unit_id, kind]`);
	}

	const names = list.map((item, i) => v.text(item, [...path, i]));
	const repeated = names.find((name, i) => names.indexOf(name) !== i);
	if (repeated !== undefined) {
		v.fail(path, `"${repeated}" is listed twice`);
	}

	return names;
}
