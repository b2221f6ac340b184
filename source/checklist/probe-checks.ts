import type {ProbeExpectation} from '../engine/judge-probes.js';
import {envNames, probeText, type HttpBody, type HttpProbeSpec, type ProbeSpec, type TextMatch} from '../engine/probes.js';
import type {Path, Validator} from './validator.js';

/**
 * Checks that ask something other than the database: an HTTP endpoint (the application's health,
 * a login) or a command (the application process is stopped). They bring their own expectation;
 * their "SQL" is the request or command line as written, which is what the record shows as run.
 */
export const PROBE_KINDS = ['http', 'command'] as const;
export type ProbeKind = typeof PROBE_KINDS[number];

export type CompiledProbe = {expect: ProbeExpectation; sql: {sqlite: string; postgres: string}; probe: ProbeSpec};

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const httpKeys = ['method', 'url', 'status', 'body', 'headers', 'auth', 'json', 'send'];
const commandKeys = ['run', 'exit', 'stdout'];
// Headers that carry a credential: written literally, it would be in the runbook and the record.
const credentialHeaders = ['authorization', 'proxy-authorization', 'cookie'];

export function compileProbe(kind: ProbeKind, value: unknown, path: Path, v: Validator): CompiledProbe {
	if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'timeout' in value) {
		v.fail([...path, 'timeout'], `timeout: belongs to the check, as for every check: write it beside ${kind}:, for example {id: …, ${kind}: {…}, timeout: 5s}`);
	}

	const probe = kind === 'http' ? readHttp(value, path, v) : readCommand(value, path, v);
	const text = probeText(probe.probe);
	return {...probe, sql: {sqlite: text, postgres: text}};
}

function readHttp(value: unknown, path: Path, v: Validator): Omit<CompiledProbe, 'sql'> {
	const map = v.object(value, path, {required: ['url'], optional: httpKeys.filter(k => k !== 'url')});
	const method = map['method'] === undefined ? 'GET' : v.text(map['method'], [...path, 'method']).toUpperCase();
	if (!methods.includes(method)) {
		v.fail([...path, 'method'], `unknown method "${String(map['method'])}": use ${methods.join(', ')}`);
	}

	const url = readTemplate(map['url'], [...path, 'url'], v);
	checkUrl(url, [...path, 'url'], v);
	const headers = readHeaders(map['headers'], [...path, 'headers'], v);
	const spec: HttpProbeSpec = {kind: 'http', method, url, headers};
	if (map['auth'] !== undefined) {
		const auth = v.object(map['auth'], [...path, 'auth'], {required: ['user', 'password'], optional: []});
		const user = readTemplate(auth['user'], [...path, 'auth', 'user'], v);
		const password = readTemplate(auth['password'], [...path, 'auth', 'password'], v);
		if (envNames(password).length === 0) {
			v.fail([...path, 'auth', 'password'], 'a password written in the runbook ends up in the record: give it as ${env:NAME} and set NAME where cutover runs');
		}

		if (headers.some(([n]) => n.toLowerCase() === 'authorization')) {
			v.fail([...path, 'auth'], 'auth: sends an Authorization header, and headers: gives one too: keep one of them');
		}

		spec.auth = {user, password};
	}

	const body = readBody(map, path, method, v);
	if (body !== undefined) {
		spec.body = body;
	}

	const status = map['status'] === undefined ? [200] : readCodes(map['status'], [...path, 'status'], {min: 100, max: 599, what: 'an HTTP status such as 200, or a list such as [401, 403]'}, v);
	const match = map['body'] === undefined ? undefined : readMatch(map['body'], [...path, 'body'], v);
	return {expect: {kind: 'http', status, ...(match === undefined ? {} : {body: match})}, probe: spec};
}

/** `json:` (a value, sent as JSON) or `send:` (text, sent as written): the request's body, at most one. */
function readBody(map: Record<string, unknown>, path: Path, method: string, v: Validator): HttpBody | undefined {
	if (map['json'] !== undefined && map['send'] !== undefined) {
		v.fail([...path, 'send'], 'give the request body once: json: (a mapping, sent as JSON) or send: (text, sent as written)');
	}

	if (map['json'] === undefined && map['send'] === undefined) {
		return undefined;
	}

	if (method === 'GET' || method === 'HEAD') {
		v.fail([...path, map['json'] === undefined ? 'send' : 'json'], `a ${method} request sends no body: use method: POST (or PUT, PATCH)`);
	}

	if (map['send'] !== undefined) {
		return {kind: 'text', text: readTemplate(map['send'], [...path, 'send'], v)};
	}

	checkJson(map['json'], [...path, 'json'], v);
	return {kind: 'json', value: map['json']};
}

function checkJson(value: unknown, path: Path, v: Validator): void {
	if (typeof value === 'string') {
		readTemplate(value, path, v);
	} else if (Array.isArray(value)) {
		for (const [i, item] of value.entries()) {
			checkJson(item, [...path, i], v);
		}
	} else if (typeof value === 'object' && value !== null) {
		for (const [key, item] of Object.entries(value)) {
			checkJson(item, [...path, key], v);
		}
	}
}

function readHeaders(value: unknown, path: Path, v: Validator): Array<[string, string]> {
	if (value === undefined) {
		return [];
	}

	const map = v.object(value, path, {required: [], optional: Object.keys(value ?? {})});
	return Object.entries(map).map(([name, raw]): [string, string] => {
		if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(name)) {
			v.fail([...path, name], `"${name}" is not a header name: letters, digits and dashes, for example X-Request-Id`);
		}

		const text = readTemplate(typeof raw === 'number' ? String(raw) : raw, [...path, name], v);
		if (credentialHeaders.includes(name.toLowerCase()) && envNames(text).length === 0) {
			v.fail([...path, name], `the ${name} header, written in the runbook, ends up in the record: give the secret as \${env:NAME}, for example ${name}: 'Bearer \${env:ADMIN_TOKEN}'`);
		}

		return [name, text];
	});
}

function readCommand(value: unknown, path: Path, v: Validator): Omit<CompiledProbe, 'sql'> {
	const map = v.object(value, path, {required: ['run'], optional: commandKeys.filter(k => k !== 'run')});
	const at = [...path, 'run'];
	let run: string | string[];
	if (Array.isArray(map['run'])) {
		run = map['run'].map((a, i) => typeof a === 'number' ? String(a) : v.text(a, [...at, i]));
		if (run.length === 0) {
			v.fail(at, 'expected a command line, or a list: the program, then its arguments');
		}
	} else {
		run = v.text(map['run'], at);
	}

	// The command inherits cutover's environment: its shell reads $NAME itself, and the record keeps the line as written.
	const words = typeof run === 'string' ? [run] : run;
	if (words.some(w => w.includes('${env:'))) {
		v.fail(at, typeof run === 'string'
			? 'a command reads the environment itself: write $NAME (the shell expands it), not ${env:NAME}'
			: 'a command reads the environment itself: give run: as a command line, where the shell expands $NAME, not ${env:NAME}');
	}

	const exit = map['exit'] === undefined ? [0] : readCodes(map['exit'], [...path, 'exit'], {min: 0, max: 255, what: 'an exit code such as 0, or a list such as [0, 1]'}, v);
	const match = map['stdout'] === undefined ? undefined : readMatch(map['stdout'], [...path, 'stdout'], v);
	return {expect: {kind: 'command', exit, ...(match === undefined ? {} : {stdout: match})}, probe: {kind: 'command', run}};
}

/** A status or exit code, or a list of them. */
function readCodes(value: unknown, path: Path, range: {min: number; max: number; what: string}, v: Validator): number[] {
	const list = Array.isArray(value) ? value : [value];
	if (list.length === 0) {
		v.fail(path, `expected ${range.what}`);
	}

	return list.map((code, i) => {
		if (typeof code !== 'number' || !Number.isInteger(code) || code < range.min || code > range.max) {
			return v.fail(Array.isArray(value) ? [...path, i] : path, `expected ${range.what} (from ${range.min} to ${range.max}), found ${JSON.stringify(code ?? null)}`);
		}

		return code;
	});
}

/** Text to find, or /a regex/ with optional flags i, m, s, u. */
function readMatch(value: unknown, path: Path, v: Validator): TextMatch {
	if (typeof value === 'number' || typeof value === 'boolean') {
		v.fail(path, `YAML reads ${String(value)} as a ${typeof value}: quote the text to find, for example '${String(value)}'`);
	}

	const text = v.text(value, path);
	const regex = /^\/(.+)\/([a-z]*)$/s.exec(text);
	if (regex === null) {
		return {kind: 'contains', text};
	}

	const [, source, flags] = regex as unknown as [string, string, string];
	if (/[^imsu]/.test(flags)) {
		v.fail(path, `/${source}/${flags}: the flags allowed are i, m, s and u`);
	}

	try {
		new RegExp(source, flags); // eslint-disable-line no-new
	} catch (error) {
		v.fail(path, `/${source}/ is not a valid regular expression (${error instanceof Error ? error.message : String(error)}); to find the text itself, leave out the slashes`);
	}

	return {kind: 'matches', source, flags};
}

/** Text that may name variables as ${env:NAME}; any other ${…} is a mistake worth stopping on. */
function readTemplate(value: unknown, path: Path, v: Validator): string {
	const text = v.text(value, path);
	const stray = text.replaceAll(/\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/g, '').match(/\$\{[^}]*\}?/);
	if (stray !== null) {
		v.fail(path, `"${stray[0]}" is not a variable: write \${env:NAME} (NAME of letters, digits and _), for example \${env:ADMIN_PASSWORD}`);
	}

	return text;
}

function checkUrl(url: string, path: Path, v: Validator): void {
	// A URL that starts with a variable (${env:APP_URL}/health) is known only when the check runs.
	if (url.startsWith('${env:')) {
		return;
	}

	let parsed: URL;
	try {
		parsed = new URL(url.replaceAll(/\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/g, 'x'));
	} catch {
		return v.fail(path, `"${url}" is not a URL: give one such as http://127.0.0.1:8080/health`);
	}

	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		v.fail(path, `"${url}" is not an http:// or https:// URL`);
	}
}
