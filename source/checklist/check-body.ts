import type {Expectation} from '../engine/judge.js';
import {compileDataTest, DATA_TEST_KINDS, type CompileContext, type DataTestKind} from './data-tests.js';
import {readExpectation} from './expectations.js';
import {compileProbe, PROBE_KINDS, type ProbeKind} from './probe-checks.js';
import {compileSchemaCheck, SCHEMA_CHECK_KINDS, type SchemaCheckKind} from './schema-checks.js';
import type {CheckDefinition} from './types.js';
import type {Path, Validator} from './validator.js';

/** The keys a check may carry besides the body: every check has them. */
export const CHECK_OPTION_KEYS = ['severity', 'blocking', 'evidence', 'timeout', 'database'];
/** A check is either `sql:` with `expect:`, or one of these kinds, which bring their own SQL (or request, or command) and expectation. */
export const CHECK_KINDS: readonly string[] = [...DATA_TEST_KINDS, ...SCHEMA_CHECK_KINDS, ...PROBE_KINDS];
export const CHECK_BODY_KEYS = ['expect', 'sql', ...CHECK_KINDS];

export type CheckBody = {expect: Expectation; sql: CheckDefinition['sql']; counts?: string; probe?: CheckDefinition['probe']};

export function readCheckBody(
	check: Record<string, unknown>,
	path: Path,
	context: CompileContext & {id: string; before: readonly string[]},
	readSql: (value: unknown, path: Path) => CheckDefinition['sql'],
	v: Validator,
): CheckBody {
	const kinds = CHECK_KINDS.filter(k => check[k] !== undefined);
	if (check['sql'] !== undefined) {
		if (kinds.length > 0) {
			v.fail([...path, kinds[0]!], `${kinds[0]!} brings its own SQL: give sql: with expect:, or ${kinds[0]!}:, not both`);
		}

		if (check['expect'] === undefined) {
			v.fail([...path, 'expect'], '"expect" is missing: say what the SQL\'s rows must be (no-rows, some-rows, {at-least: N}, …)');
		}

		return {expect: readExpectation(check['expect'], [...path, 'expect'], context.phase, context.id, context.before, v), sql: readSql(check['sql'], [...path, 'sql'])};
	}

	if (kinds.length === 0) {
		v.fail([...path, 'sql'], `"sql" is missing: give sql: with expect:, or one of ${CHECK_KINDS.join(', ')}`);
	}

	if (kinds.length > 1) {
		v.fail([...path, kinds[1]!], `one kind per check: ${kinds.join(' and ')} are separate checks, each with its own id`);
	}

	const kind = kinds[0]!;
	if (check['expect'] !== undefined) {
		v.fail([...path, 'expect'], `${kind} brings its own expectation: remove expect:`);
	}

	const at = [...path, kind];
	if ((PROBE_KINDS as readonly string[]).includes(kind)) {
		return compileProbe(kind as ProbeKind, check[kind], at, v);
	}

	return (DATA_TEST_KINDS as readonly string[]).includes(kind)
		? compileDataTest(kind as DataTestKind, check[kind], at, context, v)
		: compileSchemaCheck(kind as SchemaCheckKind, check[kind], at, v);
}

/** `severity: block | warn`, or its older spelling `blocking: true | false`; a check the author forgot to classify blocks. */
export function readBlocking(check: Record<string, unknown>, path: Path, v: Validator): boolean {
	const blocking = check['blocking'] === undefined ? undefined : v.boolean(check['blocking'], [...path, 'blocking'], true);
	const severity = check['severity'];
	if (severity === undefined) {
		return blocking ?? true;
	}

	if (severity !== 'block' && severity !== 'warn') {
		v.fail([...path, 'severity'], `expected block or warn, found ${JSON.stringify(severity)}`);
	}

	if (blocking !== undefined && blocking !== (severity === 'block')) {
		v.fail([...path, 'severity'], `severity: ${severity} contradicts blocking: ${String(blocking)}: keep severity: and remove blocking:`);
	}

	return severity === 'block';
}

/** `evidence: N`: how many offending rows the record keeps and the screen shows. */
export function readEvidenceLimit(value: unknown, path: Path, v: Validator): number | undefined {
	return value === undefined ? undefined : v.count(value, path, {min: 1, max: 1000});
}
