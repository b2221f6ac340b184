import type {Expectation} from '../engine/judge.js';
import {literal, quoteIdentifier, readNames, readTable, tableSql, tableText, type TableName} from './sql-text.js';
import type {CheckSection} from './types.js';
import type {Path, Validator} from './validator.js';

/**
 * Data tests written without SQL. Each compiles, when the checklist loads, to one statement per
 * engine; that statement is the check's SQL, so the record shows exactly what ran.
 */
export const DATA_TEST_KINDS = ['unique', 'not_null', 'accepted_values', 'accepted_range', 'recency', 'row_count'] as const;
export type DataTestKind = typeof DATA_TEST_KINDS[number];

export type Compiled = {
	expect: Expectation;
	sql: {sqlite: string; postgres: string};
	/** row_count: the table it counts, so a post check can compare with this pre check's count. */
	counts?: string;
};

export type CompileContext = {
	phase: CheckSection;
	/** Pre checks with a row_count, by the table they count (as written): the baselines of `within:`. */
	baselines: ReadonlyMap<string, string>;
};

const same = (sql: string) => ({sqlite: sql, postgres: sql});

export function compileDataTest(kind: DataTestKind, value: unknown, path: Path, context: CompileContext, v: Validator): Compiled {
	switch (kind) {
		case 'unique': {
			const map = v.object(value, path, {required: ['table', 'columns'], optional: []});
			const table = readTable(map['table'], [...path, 'table'], v);
			const names = readNames(map['columns'], [...path, 'columns'], 'columns', v);
			const columns = names.map(c => quoteIdentifier(c));
			const key = columns.join(', ');
			// NULLs are left out as a unique index leaves them: two NULL keys are no duplicate.
			const sql = `SELECT ${key}, count(*) AS count FROM ${tableSql(table)} WHERE ${columns.map(c => `${c} IS NOT NULL`).join(' AND ')} GROUP BY ${key} HAVING count(*) > 1 ORDER BY count(*) DESC, ${key}`;
			return {expect: {kind: 'none', rule: `no two rows of ${tableText(table)} share (${names.join(', ')})`, noun: ['duplicate group', 'duplicate groups']}, sql: same(sql)};
		}

		case 'not_null': {
			const {table, column, name} = tableAndColumn(value, path, [], v);
			return {
				expect: {kind: 'none', rule: `${tableText(table)}.${name} is never NULL`, noun: [`row with ${name} NULL`, `rows with ${name} NULL`]},
				sql: same(`SELECT * FROM ${tableSql(table)} WHERE ${column} IS NULL`),
			};
		}

		case 'accepted_values': {
			const {table, column, name, map} = tableAndColumn(value, path, ['values'], v);
			const values = readValues(map['values'], [...path, 'values'], v);
			const sql = `SELECT ${column}, count(*) AS count FROM ${tableSql(table)} WHERE ${column} NOT IN (${values.map(x => literal(x)).join(', ')}) GROUP BY ${column} ORDER BY count(*) DESC, ${column}`;
			return {
				expect: {kind: 'none', rule: `${tableText(table)}.${name} is one of ${values.map(x => String(x)).join(', ')} (or NULL)`, noun: ['value outside the list', 'values outside the list']},
				sql: same(sql),
			};
		}

		case 'accepted_range': {
			const {table, column, name, map} = tableAndColumn(value, path, [], v, ['min', 'max']);
			const min = bound(map['min'], [...path, 'min'], v);
			const max = bound(map['max'], [...path, 'max'], v);
			if (min === undefined && max === undefined) {
				v.fail(path, 'give min:, max: or both');
			}

			if (typeof min === 'number' && typeof max === 'number' && min > max) {
				v.fail([...path, 'min'], `min ${min} is above max ${max}`);
			}

			const outside = [min === undefined ? null : `${column} < ${literal(min)}`, max === undefined ? null : `${column} > ${literal(max)}`].filter(c => c !== null);
			const words = min !== undefined && max !== undefined ? `from ${min} to ${max}` : (min === undefined ? `at most ${String(max)}` : `at least ${min}`);
			return {
				expect: {kind: 'none', rule: `${tableText(table)}.${name} ${words} (or NULL)`, noun: ['row out of range', 'rows out of range']},
				sql: same(`SELECT * FROM ${tableSql(table)} WHERE ${outside.join(' OR ')}`),
			};
		}

		case 'recency': {
			const {table, column, name, map} = tableAndColumn(value, path, ['within'], v);
			const within = v.text(map['within'], [...path, 'within']);
			const seconds = parseInterval(within);
			if (seconds === null) {
				v.fail([...path, 'within'], `expected an interval with its unit, such as 90s, 15m, 1h or 2d, found "${within}"`);
			}

			return {expect: {kind: 'recent', what: `${tableText(table)}.${name}`, withinSeconds: seconds, within}, sql: recencySql(table, column)};
		}

		case 'row_count': {
			return compileRowCount(value, path, context, v);
		}
	}
}

function compileRowCount(value: unknown, path: Path, context: CompileContext, v: Validator): Compiled {
	const map = v.object(value, path, {required: ['table'], optional: ['min', 'max', 'within']});
	const table = readTable(map['table'], [...path, 'table'], v);
	const what = `rows in ${tableText(table)}`;
	const sql = same(`SELECT count(*) AS row_count FROM ${tableSql(table)}`);
	if (map['within'] !== undefined) {
		if (map['min'] !== undefined || map['max'] !== undefined) {
			v.fail([...path, 'within'], 'give within: (a tolerance against the count before the upgrade) or min:/max:, not both');
		}

		const text = typeof map['within'] === 'string' ? map['within'].trim() : '';
		const match = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
		if (!match) {
			v.fail([...path, 'within'], `expected a percentage such as 10%, found ${JSON.stringify(map['within'])}`);
		}

		if (context.phase === 'pre') {
			v.fail([...path, 'within'], 'within: compares with the count before the upgrade: use it in checks.post, with a row_count of the same table in checks.pre');
		}

		if (context.phase === 'health') {
			v.fail([...path, 'within'], 'within: compares with the count before an upgrade, and a health check runs outside any: give min: (min: 1 for a table that must not be empty) or max:');
		}

		const baseline = context.baselines.get(tableText(table));
		if (baseline === undefined) {
			v.fail([...path, 'within'], `no pre check counts ${tableText(table)}: add one to checks.pre, for example {id: ${table.name.replaceAll('_', '-').toLowerCase()}-count, title: …, row_count: {table: ${tableText(table)}, min: 0}}`);
		}

		return {expect: {kind: 'count-within', what, check: baseline, percent: Number(match[1])}, sql, counts: tableText(table)};
	}

	const min = count(map['min'], [...path, 'min'], v);
	const max = count(map['max'], [...path, 'max'], v);
	if (min === undefined && max === undefined) {
		v.fail(path, 'give min:, max: or both (min: 1 for a table that must not be empty), or within: 10% in checks.post');
	}

	if (min !== undefined && max !== undefined && min > max) {
		v.fail([...path, 'min'], `min ${min} is above max ${max}`);
	}

	return {expect: {kind: 'count-range', what, ...(min === undefined ? {} : {min}), ...(max === undefined ? {} : {max})}, sql, counts: tableText(table)};
}

/**
 * The newest value and its age in seconds, by the database's clock. PostgreSQL: a timestamp,
 * timestamptz or date column. SQLite has no timestamp type: the column holds either ISO-8601
 * text in UTC (as datetime('now') or Date.toISOString() write it) or unix seconds (an integer
 * or real), one or the other throughout, so that max() finds the newest.
 */
function recencySql(table: TableName, column: string): Compiled['sql'] {
	return {
		postgres: `SELECT max(${column}) AS newest, EXTRACT(EPOCH FROM now() - max(${column}))::float8 AS age_seconds FROM ${tableSql(table)}`,
		sqlite: `SELECT newest, (julianday('now') - CASE WHEN typeof(newest) IN ('integer', 'real') THEN julianday(newest, 'unixepoch') ELSE julianday(newest) END) * 86400.0 AS age_seconds FROM (SELECT max(${column}) AS newest FROM ${tableSql(table)})`,
	};
}

const intervalUnits: Record<string, number> = {s: 1, m: 60, h: 3600, d: 86_400};

/** "90s", "15m", "1h", "2d" in seconds; null for anything else. */
export function parseInterval(text: string): number | null {
	const match = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(text.trim());
	return match ? Number(match[1]) * intervalUnits[match[2]!.toLowerCase()]! : null;
}

function tableAndColumn(value: unknown, path: Path, required: string[], v: Validator, optional: string[] = []) {
	const map = v.object(value, path, {required: ['table', 'column', ...required], optional});
	const name = v.text(map['column'], [...path, 'column']);
	return {map, table: readTable(map['table'], [...path, 'table'], v), column: quoteIdentifier(name), name};
}

function readValues(value: unknown, path: Path, v: Validator): Array<string | number | boolean> {
	const list = v.list(value, path);
	if (list.length === 0) {
		v.fail(path, 'expected a list of the accepted values, for example [admin, member]');
	}

	return list.map((item, i) => {
		if (typeof item === 'string' || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))) {
			return item;
		}

		return v.fail([...path, i], 'expected a text, a number or true/false (NULL is not a value: use not_null for that)');
	});
}

function bound(value: unknown, path: Path, v: Validator): number | string | undefined {
	if (value === undefined) {
		return undefined;
	}

	if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.trim() !== '')) {
		return value;
	}

	return v.fail(path, 'expected a number, or a text such as 2020-01-01 for a date');
}

function count(value: unknown, path: Path, v: Validator): number | undefined {
	return value === undefined ? undefined : v.count(value, path, {min: 0, max: Number.MAX_SAFE_INTEGER});
}
