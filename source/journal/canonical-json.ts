/**
 * JSON with object keys sorted, no whitespace (RFC 8785 for the values a journal holds:
 * strings, integers, booleans, null). The same event always gives the same bytes, so a
 * hash of a line means something.
 */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value !== 'object') {
		if (typeof value === 'number' && !Number.isFinite(value)) {
			throw new TypeError(`cannot encode ${value} in a journal line`);
		}

		return JSON.stringify(value) ?? 'null';
	}

	// Loops and string concatenation rather than entries/filter/sort/map: verify encodes every line
	// of a record again to check its form, and the callbacks and arrays were most of that cost.
	if (Array.isArray(value)) {
		let out = '[';
		for (let i = 0; i < value.length; i++) {
			const v: unknown = value[i];
			out += (i === 0 ? '' : ',') + canonicalJson(v === undefined ? null : v);
		}

		return `${out}]`;
	}

	const object = value as Record<string, unknown>;
	// The default sort compares UTF-16 code units, as `<` on strings does.
	const keys = Object.keys(object).sort();
	let out = '{';
	for (const key of keys) {
		const v = object[key];
		if (v !== undefined) {
			out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
		}
	}

	return `${out}}`;
}
