/** What the password lookup matches on; `host` is already mapped as libpq maps it (socket default → localhost). */
export type PgpassKey = {host: string; port: string; dbname: string; user: string};

/**
 * The password of the first matching line of a pgpass file (`host:port:db:user:password`, `*`
 * matching any value, `\:` and `\\` escaped), as libpq's passwordFromFile reads it.
 */
export function lookupPgpass(text: string, key: PgpassKey): string | undefined {
	for (const raw of text.split('\n')) {
		const line = raw.replace(/\r$/, '');
		if (line === '' || line.startsWith('#')) {
			continue;
		}

		let rest: string | undefined = line;
		for (const wanted of [key.host, key.port, key.dbname, key.user]) {
			rest = matchField(rest, wanted);
			if (rest === undefined) {
				break;
			}
		}

		if (rest !== undefined) {
			return rest.replaceAll(/\\(.)/g, '$1');
		}
	}

	return undefined;
}

/** The rest of the line after a field that matches `wanted`, or undefined. */
function matchField(line: string, wanted: string): string | undefined {
	if (line.startsWith('*:')) {
		return line.slice(2);
	}

	let index = 0;
	let value = '';
	while (index < line.length) {
		const char = line[index]!;
		if (char === ':') {
			return value === wanted ? line.slice(index + 1) : undefined;
		}

		if (char === '\\' && index + 1 < line.length) {
			index++;
		}

		value += line[index];
		index++;
	}

	// A line that ends before all fields: it matches nothing.
	return undefined;
}
