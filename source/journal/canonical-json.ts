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

	if (Array.isArray(value)) {
		return `[${value.map(v => canonicalJson(v === undefined ? null : v)).join(',')}]`;
	}

	const entries = Object.entries(value as Record<string, unknown>)
		.filter(([, v]) => v !== undefined)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
