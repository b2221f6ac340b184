import type {Expectation} from '../engine/judge.js';
import {SCALAR_OPS, type ScalarOp} from '../engine/judge-kinds.js';
import {readNames} from './sql-text.js';
import type {CheckSection} from './types.js';
import type {Path, Validator} from './validator.js';

const forms = 'no-rows, some-rows, {at-least: N}, {scalar: \'<= 5\'}, {columns-equal: [a, b]} or {same-rows-as: pre.<check id>}';
const mapKeys = ['same-rows-as', 'at-least', 'scalar', 'columns-equal'];

/** What the rows of a check's own SQL must be. `before` holds the qualified ids (pre.x) of the checks run before this one. */
export function readExpectation(value: unknown, path: Path, phase: CheckSection, id: string, before: readonly string[], v: Validator): Expectation {
	if (value === 'no-rows' || value === 'some-rows') {
		return {kind: value};
	}

	if (typeof value === 'string') {
		v.fail(path, `unknown expectation "${value}": use ${forms}`);
	}

	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		v.fail(path, `expected ${forms}`);
	}

	const map = v.object(value, path, {required: [], optional: mapKeys});
	const given = mapKeys.filter(k => map[k] !== undefined);
	if (given.length !== 1) {
		v.fail(given.length === 0 ? path : [...path, given[1]!], `give one expectation: ${forms}`);
	}

	const key = given[0]!;
	const at = [...path, key];
	switch (key) {
		case 'at-least': {
			return {kind: 'at-least', rows: v.count(map[key], at, {min: 1, max: Number.MAX_SAFE_INTEGER})};
		}

		case 'scalar': {
			return {kind: 'scalar', ...readComparison(map[key], at, v)};
		}

		case 'columns-equal': {
			const columns = readNames(map[key], at, 'two columns', v);
			if (columns.length !== 2) {
				v.fail(at, `expected two columns, for example [total, unique], found ${columns.length}`);
			}

			return {kind: 'columns-equal', columns: [columns[0]!, columns[1]!]};
		}

		default: {
			return readSameRowsAs(map[key], at, phase, id, before, v);
		}
	}
}

/** `'<= 5'`: an operator and a number, quoted (YAML reads a bare > as the start of folded text). */
function readComparison(value: unknown, path: Path, v: Validator): {op: ScalarOp; value: number} {
	const text = typeof value === 'string' ? value.trim() : '';
	const match = /^(!=|<=|>=|=|<|>)\s*(-?\d+(?:\.\d+)?)$/.exec(text);
	if (!match) {
		v.fail(path, `expected an operator (${SCALAR_OPS.join(' ')}) and a number in quotes, for example '<= 5', found ${JSON.stringify(value ?? null)}`);
	}

	return {op: match[1] as ScalarOp, value: Number(match[2])};
}

function readSameRowsAs(value: unknown, path: Path, phase: CheckSection, id: string, before: readonly string[], v: Validator): Expectation {
	const reference = v.text(value, path);
	const qualified = /^(pre|post|health)\./.test(reference) ? reference : `${phase}.${reference}`;
	if (qualified === `${phase}.${id}`) {
		v.fail(path, `${id} cannot compare with itself`);
	}

	if (!before.includes(qualified)) {
		v.fail(path, `"${reference}" is not a check that runs before ${phase}.${id}${before.length === 0 ? '' : ` (earlier checks: ${before.join(', ')})`}`);
	}

	return {kind: 'same-rows-as', check: qualified};
}
