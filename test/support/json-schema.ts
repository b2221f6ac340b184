/**
 * A small JSON Schema validator (draft 2020-12), for the keywords checklists/checklist.schema.json
 * uses and no others: a keyword it does not know throws, so the schema cannot lean on one that
 * this validator would silently pass.
 */
export type Schema = boolean | Record<string, unknown>;
export type SchemaError = {path: string; problem: string};

const annotations = new Set(['$schema', '$id', 'title', 'description', '$comment', '$defs', 'examples', 'default']);
const known = new Set([...annotations, '$ref', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'enum', 'const', 'items', 'minItems', 'maxItems', 'uniqueItems', 'oneOf', 'anyOf', 'allOf', 'not', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum']);

export function validateJson(root: Schema, value: unknown): SchemaError[] {
	const errors: SchemaError[] = [];
	check(root, value, '', root, errors);
	return errors;
}

function typeOf(value: unknown): string {
	if (value === null) {
		return 'null';
	}

	if (Array.isArray(value)) {
		return 'array';
	}

	return typeof value;
}

function hasType(value: unknown, type: string): boolean {
	if (type === 'integer') {
		return typeof value === 'number' && Number.isInteger(value);
	}

	return typeOf(value) === type;
}

/** JSON equality, as enum, const and uniqueItems compare. */
function equal(a: unknown, b: unknown): boolean {
	return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
	if (Array.isArray(value)) {
		return value.map(v => canonical(v));
	}

	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical((value as Record<string, unknown>)[k])]));
	}

	return value;
}

function resolve(root: Schema, ref: string): Schema {
	if (!ref.startsWith('#/')) {
		throw new Error(`only local references are supported, found ${ref}`);
	}

	let node: unknown = root;
	for (const part of ref.slice(2).split('/')) {
		node = (node as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
	}

	if (node === undefined) {
		throw new Error(`unresolved reference ${ref}`);
	}

	return node as Schema;
}

const matches = (schema: Schema, value: unknown, root: Schema) => {
	const errors: SchemaError[] = [];
	check(schema, value, '', root, errors);
	return errors.length === 0;
};

function check(schema: Schema, value: unknown, path: string, root: Schema, errors: SchemaError[]): void {
	const fail = (problem: string, at = path) => errors.push({path: at === '' ? '/' : at, problem});
	if (schema === true) {
		return;
	}

	if (schema === false) {
		fail('no value is allowed here');
		return;
	}

	for (const keyword of Object.keys(schema)) {
		if (!known.has(keyword)) {
			throw new Error(`the schema uses ${keyword}, which this validator does not implement`);
		}
	}

	const s = schema as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	if (s['$ref'] !== undefined) {
		check(resolve(root, s['$ref'] as string), value, path, root, errors);
	}

	if (s['type'] !== undefined) {
		const types = (Array.isArray(s['type']) ? s['type'] : [s['type']]) as string[];
		if (!types.some(t => hasType(value, t))) {
			fail(`expected ${types.join(' or ')}, found ${typeOf(value)}`);
			return;
		}
	}

	if (s['enum'] !== undefined && !(s['enum'] as unknown[]).some(e => equal(e, value))) {
		fail(`expected one of ${JSON.stringify(s['enum'])}, found ${JSON.stringify(value)}`);
	}

	if (s['const'] !== undefined && !equal(s['const'], value)) {
		fail(`expected ${JSON.stringify(s['const'])}`);
	}

	if (typeof value === 'string' && s['pattern'] !== undefined && !new RegExp(s['pattern'] as string, 'u').test(value)) {
		fail(`${JSON.stringify(value)} does not match ${s['pattern'] as string}`);
	}

	if (typeof value === 'number') {
		if (s['minimum'] !== undefined && value < s['minimum']) {
			fail(`${value} is below ${s['minimum'] as number}`);
		}

		if (s['maximum'] !== undefined && value > s['maximum']) {
			fail(`${value} is above ${s['maximum'] as number}`);
		}

		if (s['exclusiveMinimum'] !== undefined && value <= s['exclusiveMinimum']) {
			fail(`${value} is not above ${s['exclusiveMinimum'] as number}`);
		}
	}

	if (Array.isArray(value)) {
		if (s['minItems'] !== undefined && value.length < s['minItems']) {
			fail(`expected at least ${s['minItems'] as number} items`);
		}

		if (s['maxItems'] !== undefined && value.length > s['maxItems']) {
			fail(`expected at most ${s['maxItems'] as number} items`);
		}

		if (s['uniqueItems'] === true && value.some((item, i) => value.findIndex(other => equal(other, item)) !== i)) {
			fail('items repeat');
		}

		if (s['items'] !== undefined) {
			for (const [i, item] of value.entries()) {
				check(s['items'] as Schema, item, `${path}/${i}`, root, errors);
			}
		}
	}

	if (typeOf(value) === 'object') {
		const record = value as Record<string, unknown>;
		const properties = (s['properties'] ?? {}) as Record<string, Schema>;
		for (const key of (s['required'] ?? []) as string[]) {
			if (!(key in record)) {
				fail(`"${key}" is missing`);
			}
		}

		for (const [key, item] of Object.entries(record)) {
			if (s['propertyNames'] !== undefined && !matches(s['propertyNames'] as Schema, key, root)) {
				fail(`"${key}" is not an allowed name`, `${path}/${key}`);
			}

			if (key in properties) {
				check(properties[key]!, item, `${path}/${key}`, root, errors);
			} else if (s['additionalProperties'] !== undefined) {
				if (s['additionalProperties'] === false) {
					fail(`unknown key "${key}"`, `${path}/${key}`);
				} else {
					check(s['additionalProperties'] as Schema, item, `${path}/${key}`, root, errors);
				}
			}
		}
	}

	for (const sub of (s['allOf'] ?? []) as Schema[]) {
		check(sub, value, path, root, errors);
	}

	if (s['anyOf'] !== undefined && !(s['anyOf'] as Schema[]).some(sub => matches(sub, value, root))) {
		fail('matches none of the allowed forms (anyOf)');
	}

	if (s['oneOf'] !== undefined) {
		const count = (s['oneOf'] as Schema[]).filter(sub => matches(sub, value, root)).length;
		if (count !== 1) {
			fail(count === 0 ? 'matches none of the allowed forms (oneOf)' : `matches ${count} of the forms, where exactly one must (oneOf)`);
		}
	}

	if (s['not'] !== undefined && matches(s['not'] as Schema, value, root)) {
		fail('matches a form that is not allowed (not)');
	}
}
