import type {Cell, CheckResult, Evidence, Verdict} from './model.js';

export type ScalarOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export const SCALAR_OPS: readonly ScalarOp[] = ['=', '!=', '<=', '>=', '<', '>'];

/**
 * The expectations beyond no-rows, some-rows and same-rows-as. The declarative kinds (unique,
 * exists, recency …) compile to SQL when the checklist loads and are judged by one of these.
 * - at-least: the query returns N rows or more
 * - scalar: one row of one number, compared with `value`
 * - columns-equal: in every row the two columns hold the same value; rows where they differ are the offenders
 * - none: every row is an offender, named in the checklist's own words (duplicate groups, NULL rows)
 * - count-range: one row of one number (a count) within [min, max]
 * - count-within: one count within `percent` % of the count an earlier check found
 * - recent: one row (newest, age_seconds), the age at most `withinSeconds`
 * - schema: the catalog query finds the object (present) or does not (absent)
 * - version: one row (applied, expected), equal
 */
export type KindExpectation =
	| {kind: 'at-least'; rows: number}
	| {kind: 'scalar'; op: ScalarOp; value: number}
	| {kind: 'columns-equal'; columns: [string, string]}
	| {kind: 'none'; rule: string; noun: [string, string]}
	| {kind: 'count-range'; what: string; min?: number; max?: number}
	| {kind: 'count-within'; what: string; check: string; percent: number}
	| {kind: 'recent'; what: string; withinSeconds: number; within: string}
	| {kind: 'schema'; want: 'present' | 'absent'; object: string}
	| {kind: 'version'};

type Judged = {verdict: Verdict; detail: string};

export function describeKind(expect: KindExpectation): string {
	switch (expect.kind) {
		case 'at-least': {
			return `at least ${plural(expect.rows, 'row', 'rows')}`;
		}

		case 'scalar': {
			return `one value ${expect.op} ${expect.value}`;
		}

		case 'columns-equal': {
			return `${expect.columns[0]} = ${expect.columns[1]} in every row`;
		}

		case 'none': {
			return expect.rule;
		}

		case 'count-range': {
			return `${expect.what}: ${rangeWords(expect.min, expect.max)}`;
		}

		case 'count-within': {
			return `${expect.what} within ${expect.percent}% of ${expect.check}`;
		}

		case 'recent': {
			return `the newest ${expect.what} at most ${expect.within} old`;
		}

		case 'schema': {
			return `${expect.object} ${expect.want === 'present' ? 'exists' : 'does not exist'}`;
		}

		case 'version': {
			return 'the last applied migration is the expected one';
		}
	}
}

/** Judges from the evidence; for columns-equal the evidence must already hold only the offenders (see judgeRows). */
export function judgeKind(expect: KindExpectation, evidence: Evidence, earlier: readonly CheckResult[]): Judged {
	const n = evidence.total;
	switch (expect.kind) {
		case 'at-least': {
			return n >= expect.rows
				? {verdict: 'passed', detail: `${plural(n, 'row', 'rows')} found, at least ${expect.rows} expected`}
				: {verdict: 'failed', detail: `${plural(n, 'row', 'rows')} found, at least ${expect.rows} expected`};
		}

		case 'scalar': {
			const value = scalarOf(evidence);
			if (typeof value === 'string') {
				return {verdict: 'error', detail: value};
			}

			return compare(value, expect.op, expect.value)
				? {verdict: 'passed', detail: `${value} ${expect.op} ${expect.value}`}
				: {verdict: 'failed', detail: `${value}, expected ${expect.op} ${expect.value}`};
		}

		case 'columns-equal': {
			const [a, b] = expect.columns;
			return n === 0
				? {verdict: 'passed', detail: `${a} = ${b} in every row`}
				: {verdict: 'failed', detail: `${plural(n, 'row', 'rows')} where ${a} ≠ ${b}`};
		}

		case 'none': {
			const [one, many] = expect.noun;
			return n === 0
				? {verdict: 'passed', detail: `no ${many}`}
				: {verdict: 'failed', detail: `${n} ${n === 1 ? one : many}`};
		}

		case 'count-range': {
			const value = scalarOf(evidence);
			if (typeof value === 'string') {
				return {verdict: 'error', detail: value};
			}

			const inside = (expect.min === undefined || value >= expect.min) && (expect.max === undefined || value <= expect.max);
			return {verdict: inside ? 'passed' : 'failed', detail: `${expect.what}: ${value}, expected ${rangeWords(expect.min, expect.max)}`};
		}

		case 'count-within': {
			return judgeCountWithin(expect, evidence, earlier);
		}

		case 'recent': {
			return judgeRecent(expect, evidence);
		}

		case 'schema': {
			const present = n > 0;
			const words = `${expect.object} ${present ? 'exists' : 'does not exist'}`;
			return {verdict: present === (expect.want === 'present') ? 'passed' : 'failed', detail: words};
		}

		case 'version': {
			const row = evidence.rows[0];
			if (n !== 1 || row?.length !== 2) {
				return {verdict: 'error', detail: `the version query returned ${shape(evidence)}, expected one row (applied, expected)`};
			}

			const [applied, expected] = row;
			if (applied === null) {
				return {verdict: 'failed', detail: `no migration applied, expected ${String(expected)}`};
			}

			return String(applied) === String(expected)
				? {verdict: 'passed', detail: `at ${String(applied)}, as expected`}
				: {verdict: 'failed', detail: `at ${String(applied)}, expected ${String(expected)}`};
		}
	}
}

/** The rows where the two named columns differ; a column the query does not return is an error. */
export function columnsEqualOffenders(columns: [string, string], names: readonly string[], rows: readonly Cell[][]): Cell[][] | string {
	const indexes = columns.map(c => names.indexOf(c));
	const missing = columns.filter((_, i) => indexes[i] === -1);
	if (missing.length > 0) {
		return `the query returns no column ${missing.join(' or ')} (its columns: ${names.length === 0 ? 'none' : names.join(', ')})`;
	}

	const [a, b] = indexes as [number, number];
	return rows.filter(row => sameCell(row[a] ?? null, row[b] ?? null) === false);
}

function judgeCountWithin(expect: Extract<KindExpectation, {kind: 'count-within'}>, evidence: Evidence, earlier: readonly CheckResult[]): Judged {
	const value = scalarOf(evidence);
	if (typeof value === 'string') {
		return {verdict: 'error', detail: value};
	}

	const reference = [...earlier].reverse().find(c => `${c.phase}.${c.id}` === expect.check);
	// A table the upgrade created had no count before it: nothing held to keep (a first deployment), not a fault.
	if (reference?.verdict === 'not-applicable') {
		return {verdict: 'not-applicable', detail: `${expect.check} was not applicable before the upgrade (${reference.detail}): no count to keep; ${value} now`};
	}

	if (reference?.verdict !== 'passed' && reference?.verdict !== 'failed') {
		return {verdict: 'error', detail: `${expect.check} ${reference === undefined ? 'has not run' : `ended ${reference.verdict}`}: no baseline to compare ${value} with`};
	}

	const baseline = scalarOf(reference.evidence);
	if (typeof baseline === 'string') {
		return {verdict: 'error', detail: `${expect.check} holds no count to compare with: ${baseline}`};
	}

	const change = baseline === 0 ? (value === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.abs(value - baseline) / baseline * 100;
	const words = `${expect.what}: ${value}, ${baseline} before (${change === Number.POSITIVE_INFINITY ? 'from none' : `${signed(value - baseline)}, ${round(change)}%`})`;
	return change <= expect.percent
		? {verdict: 'passed', detail: `${words}, within ${expect.percent}%`}
		: {verdict: 'failed', detail: `${words}, more than ${expect.percent}%`};
}

function judgeRecent(expect: Extract<KindExpectation, {kind: 'recent'}>, evidence: Evidence): Judged {
	const row = evidence.rows[0];
	if (evidence.total !== 1 || row?.length !== 2) {
		return {verdict: 'error', detail: `the recency query returned ${shape(evidence)}, expected one row (newest, age_seconds)`};
	}

	const [newest, age] = row;
	if (newest === null) {
		return {verdict: 'failed', detail: `${expect.what} has no value: the table is empty or the column all NULL`};
	}

	const seconds = toNumber(age ?? null);
	if (seconds === null) {
		return {verdict: 'error', detail: `the newest ${expect.what}, ${JSON.stringify(newest)}, is not a timestamp the database can read`};
	}

	return seconds <= expect.withinSeconds
		? {verdict: 'passed', detail: `newest ${String(newest)}, ${ago(seconds)} old, within ${expect.within}`}
		: {verdict: 'failed', detail: `newest ${String(newest)} is ${ago(seconds)} old, older than ${expect.within}`};
}

/** The one number of a one-row, one-column result, or why there is none. */
export function scalarOf(evidence: Evidence): number | string {
	if (evidence.total !== 1 || evidence.columns.length !== 1) {
		return `expected one row of one column, the query returned ${shape(evidence)}`;
	}

	const cell = evidence.rows[0]?.[0] ?? null;
	const value = toNumber(cell);
	return value === null ? `expected a number, the query returned ${cell === null ? 'NULL' : JSON.stringify(cell)}` : value;
}

// PostgreSQL returns bigint and numeric as text.
function toNumber(cell: Cell): number | null {
	if (typeof cell === 'number') {
		return cell;
	}

	if (typeof cell === 'string' && cell.trim() !== '' && Number.isFinite(Number(cell))) {
		return Number(cell);
	}

	return null;
}

function sameCell(a: Cell, b: Cell): boolean {
	const x = toNumber(a);
	const y = toNumber(b);
	return x !== null && y !== null ? x === y : a === b;
}

function compare(value: number, op: ScalarOp, limit: number): boolean {
	switch (op) {
		case '=': {
			return value === limit;
		}

		case '!=': {
			return value !== limit;
		}

		case '<': {
			return value < limit;
		}

		case '<=': {
			return value <= limit;
		}

		case '>': {
			return value > limit;
		}

		case '>=': {
			return value >= limit;
		}
	}
}

function shape(evidence: Evidence): string {
	return `${plural(evidence.total, 'row', 'rows')} of ${plural(evidence.columns.length, 'column', 'columns')}`;
}

function rangeWords(min: number | undefined, max: number | undefined): string {
	if (min !== undefined && max !== undefined) {
		return `from ${min} to ${max}`;
	}

	return min === undefined ? `at most ${max ?? 0}` : `at least ${min}`;
}

function ago(seconds: number): string {
	const s = Math.max(0, seconds);
	if (s < 120) {
		return `${Math.round(s)} s`;
	}

	if (s < 7200) {
		return `${Math.round(s / 60)} min`;
	}

	return s < 172_800 ? `${round(s / 3600)} h` : `${round(s / 86_400)} d`;
}

const round = (n: number) => Math.round(n * 10) / 10;
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
