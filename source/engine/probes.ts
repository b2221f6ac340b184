/**
 * HTTP and command probes as the checklist gives them. Text may name environment variables as
 * `${env:NAME}`; they are read when the check runs, and the record keeps the text as written
 * (the names, never the values), so a credential reaches neither the screen nor the record.
 */

/** A response body or a command's stdout must contain `text`, or match a /regex/. */
export type TextMatch = {kind: 'contains'; text: string} | {kind: 'matches'; source: string; flags: string};

/** A request body: text as written, or a JSON value whose texts may name variables (serialized after they are read, so a quote in a password stays JSON). */
export type HttpBody = {kind: 'text'; text: string} | {kind: 'json'; value: unknown};

export type HttpProbeSpec = {
	kind: 'http';
	method: string;
	url: string;
	headers: Array<[string, string]>;
	/** Basic authentication: the user and password, each usually `${env:NAME}`. */
	auth?: {user: string; password: string};
	body?: HttpBody;
};

/** A shell command line, or an argument list run without a shell. */
export type CommandProbeSpec = {kind: 'command'; run: string | string[]};

export type ProbeSpec = HttpProbeSpec | CommandProbeSpec;

const reference = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The variables a text names, in order, each once. */
export function envNames(text: string): string[] {
	return [...new Set([...text.matchAll(reference)].map(m => m[1]!))];
}

/** Every variable the probe names. */
export function probeEnvNames(spec: ProbeSpec): string[] {
	if (spec.kind === 'command') {
		return [];
	}

	const texts = [spec.url, ...spec.headers.flat(), ...(spec.auth ? [spec.auth.user, spec.auth.password] : []), ...(spec.body ? bodyTexts(spec.body) : [])];
	return [...new Set(texts.flatMap(t => envNames(t)))];
}

function bodyTexts(body: HttpBody): string[] {
	return body.kind === 'text' ? [body.text] : leaves(body.value);
}

function leaves(value: unknown): string[] {
	if (typeof value === 'string') {
		return [value];
	}

	if (Array.isArray(value)) {
		return value.flatMap(v => leaves(v));
	}

	return typeof value === 'object' && value !== null ? Object.values(value).flatMap(v => leaves(v)) : [];
}

/** The text with its variables replaced by their values (which must all be known). */
export function fillText(text: string, values: ReadonlyMap<string, string>): string {
	return text.replaceAll(reference, (whole, name: string) => values.get(name) ?? whole);
}

export type ResolvedHttp = {method: string; url: string; headers: Array<[string, string]>; body?: string};

/** The request to send, with the values read from the environment. */
export function resolveHttp(spec: HttpProbeSpec, values: ReadonlyMap<string, string>): ResolvedHttp {
	const headers = spec.headers.map(([name, value]): [string, string] => [name, fillText(value, values)]);
	const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
	if (spec.auth && !has('authorization')) {
		headers.push(['Authorization', `Basic ${basicToken(fillText(spec.auth.user, values), fillText(spec.auth.password, values))}`]);
	}

	if (spec.body?.kind === 'json' && !has('content-type')) {
		headers.push(['Content-Type', 'application/json']);
	}

	const body = spec.body === undefined ? undefined : (spec.body.kind === 'text' ? fillText(spec.body.text, values) : JSON.stringify(fillJson(spec.body.value, values)));
	return {method: spec.method, url: fillText(spec.url, values), headers, ...(body === undefined ? {} : {body})};
}

function fillJson(value: unknown, values: ReadonlyMap<string, string>): unknown {
	if (typeof value === 'string') {
		return fillText(value, values);
	}

	if (Array.isArray(value)) {
		return value.map(v => fillJson(v, values));
	}

	return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, values)])) : value;
}

export function basicToken(user: string, password: string): string {
	return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/**
 * The probe as the record shows it (its "statement"): the request line, headers and body as the
 * checklist wrote them, `${env:NAME}` left in place; a command line as given.
 */
export function probeText(spec: ProbeSpec): string {
	if (spec.kind === 'command') {
		return typeof spec.run === 'string' ? spec.run : spec.run.map(a => quoteArgument(a)).join(' ');
	}

	const lines = [`${spec.method} ${spec.url}`, ...spec.headers.map(([n, v]) => `${n}: ${v}`)];
	if (spec.auth) {
		lines.push(`Authorization: Basic (${spec.auth.user}:${spec.auth.password})`);
	}

	if (spec.body?.kind === 'json') {
		lines.push('Content-Type: application/json');
	}

	if (spec.body !== undefined) {
		lines.push('', spec.body.kind === 'text' ? spec.body.text : JSON.stringify(spec.body.value));
	}

	return lines.join('\n');
}

function quoteArgument(argument: string): string {
	return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll('\'', '\'\\\'\'')}'`;
}

/**
 * Every way a value read from the environment could come back in a response or a message: as
 * is, URL-encoded, inside JSON, and inside a Basic token. Longest first, so a token goes before
 * the password inside it.
 */
export function secretForms(spec: ProbeSpec, values: ReadonlyMap<string, string>): string[] {
	const forms = new Set<string>();
	for (const value of values.values()) {
		if (value === '') {
			continue;
		}

		forms.add(value);
		forms.add(encodeURIComponent(value));
		forms.add(JSON.stringify(value).slice(1, -1));
	}

	if (spec.kind === 'http' && spec.auth) {
		forms.add(basicToken(fillText(spec.auth.user, values), fillText(spec.auth.password, values)));
	}

	return [...forms].filter(f => f !== '').sort((a, b) => b.length - a.length);
}

/** The text with every secret form replaced by ***. */
export function redact(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		out = out.replaceAll(secret, '***');
	}

	return out;
}

/**
 * The values of the environment variables a command names ($NAME, ${NAME}, ${NAME:?…}): its
 * output may echo them (curl -v prints the Authorization it sent), and the record must not.
 * Values shorter than four characters are left: hiding "80" would hide every 80 in the output.
 */
export function commandSecrets(run: string | readonly string[], env: (name: string) => string | undefined): string[] {
	const text = typeof run === 'string' ? run : run.join(' ');
	const names = new Set([...text.matchAll(/\$\{?([A-Za-z_]\w*)/g)].map(match => match[1]!));
	return [...names].map(name => env(name)).filter((value): value is string => value !== undefined && value.length >= 4);
}
