import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {describeExpectation, judge, toEvidence} from '../../source/engine/judge.js';
import {judgeCommand, judgeHttp, type CommandAnswer, type HttpAnswer, type ProbeExpectation} from '../../source/engine/judge-probes.js';
import {basicToken, probeText, redact, resolveHttp, secretForms, type HttpProbeSpec} from '../../source/engine/probes.js';

const answer = (status: number, body: string, headers: Array<[string, string]> = []): HttpAnswer => ({status, statusText: '', headers, body, bodyTruncated: false});
const exited = (exitCode: number | null, stdout: string, signal: string | null = null): CommandAnswer => ({exitCode, signal, stdout, output: stdout});
type Http = Extract<ProbeExpectation, {kind: 'http'}>;
type Command = Extract<ProbeExpectation, {kind: 'command'}>;

describe('a probe\'s body in the evidence', () => {
	it('is hidden before it is cut: a secret across the cut leaves none of its characters', () => {
		const secret = 'S3cr3tTokenValue';
		const body = `${'x'.repeat(190)}{"token":"${secret}"}`;
		const result = judgeHttp({kind: 'http', status: [200]}, answer(200, body), [secret]);
		const shown = String(result.evidence.rows.find(row => row[0] === 'body')?.[1]);
		assert.ok(!shown.includes('S3cr'), shown);
		assert.ok(shown.endsWith('{"token":"…'), shown);
	});
});

describe('judging HTTP probes', () => {
	const table: Array<[string, Http, HttpAnswer, 'passed' | 'failed' | 'error', string]> = [
		['the status expected', {kind: 'http', status: [200]}, answer(200, 'ok'), 'passed', 'status 200'],
		['another status', {kind: 'http', status: [200]}, answer(503, 'down'), 'failed', 'status 503, expected 200'],
		['one of two refusals', {kind: 'http', status: [401, 403]}, answer(403, ''), 'passed', 'status 403'],
		['a success where a refusal was expected', {kind: 'http', status: [401, 403]}, answer(200, 'welcome'), 'failed', 'status 200, expected 401 or 403'],
		['a body that contains the text', {kind: 'http', status: [200], body: {kind: 'contains', text: '"ok"'}}, answer(200, '{"status":"ok"}'), 'passed', 'status 200, body contains "\\"ok\\""'],
		['a body that does not', {kind: 'http', status: [200], body: {kind: 'contains', text: 'ok'}}, answer(200, 'degraded'), 'failed', 'status 200, but the body does not contain "ok"'],
		['a body matching a pattern', {kind: 'http', status: [200], body: {kind: 'matches', source: String.raw`"status":\s*"OK"`, flags: 'i'}}, answer(200, '{"status": "ok"}'), 'passed', String.raw`status 200, body matches /"status":\s*"OK"/i`],
		['a body not matching it', {kind: 'http', status: [200], body: {kind: 'matches', source: '^up$', flags: ''}}, answer(200, 'down'), 'failed', 'status 200, but the body does not match /^up$/'],
		['a pattern from a record that does not compile', {kind: 'http', status: [200], body: {kind: 'matches', source: '(', flags: ''}}, answer(200, 'x'), 'error', 'the pattern /(/ does not compile: Invalid regular expression: /(/: Unterminated group'],
	];
	for (const [name, expect, got, verdict, detail] of table) {
		it(name, () => {
			const result = judgeHttp(expect, got, []);
			assert.equal(result.detail, detail);
			assert.equal(result.verdict, verdict);
		});
	}

	it('keeps the status, the body\'s first 200 characters and a few headers as evidence, secrets replaced', () => {
		const body = `token=s3cret ${'x'.repeat(300)}`;
		const result = judgeHttp({kind: 'http', status: [200]}, {...answer(200, body, [['content-type', 'text/plain'], ['set-cookie', 'sid=1'], ['www-authenticate', 'Basic realm="s3cret"']]), statusText: 'OK'}, ['s3cret']);
		assert.deepEqual(result.evidence.columns, ['what', 'value']);
		assert.deepEqual(result.evidence.rows.map(r => r[0]), ['status', 'body', 'content-type', 'www-authenticate'], 'no cookie');
		assert.equal(result.evidence.rows[0]![1], '200 OK');
		// The first 200 characters of the body with its secrets hidden.
		assert.equal(result.evidence.rows[1]![1], `token=*** ${'x'.repeat(200 - 'token=*** '.length)}…`);
		assert.equal(result.evidence.rows[3]![1], 'Basic realm="***"');
		assert.doesNotMatch(JSON.stringify(result), /s3cret/);
	});

	it('describes the rule in words', () => {
		assert.equal(describeExpectation({kind: 'http', status: [401, 403]}), 'status 401 or 403');
		assert.equal(describeExpectation({kind: 'command', exit: [1], stdout: {kind: 'contains', text: 'stopped'}}), 'exit 1, stdout contains "stopped"');
	});

	it('is never judged from rows: a record that tries says so', () => {
		assert.equal(judge({kind: 'http', status: [200]}, toEvidence([], []), []).verdict, 'error');
	});
});

describe('judging command probes', () => {
	const table: Array<[string, Command, CommandAnswer, 'passed' | 'failed', string]> = [
		['the exit code expected', {kind: 'command', exit: [0]}, exited(0, ''), 'passed', 'exit 0'],
		['a process still running (pgrep exits 0)', {kind: 'command', exit: [1]}, exited(0, '4242\n'), 'failed', 'exit 0, expected 1'],
		['one of several codes', {kind: 'command', exit: [0, 3]}, exited(3, ''), 'passed', 'exit 3'],
		['stdout that contains the text', {kind: 'command', exit: [0], stdout: {kind: 'contains', text: 'inactive'}}, exited(0, 'inactive\n'), 'passed', 'exit 0, stdout contains "inactive"'],
		['stdout that does not match', {kind: 'command', exit: [0], stdout: {kind: 'matches', source: '^ok$', flags: 'm'}}, exited(0, 'nope\n'), 'failed', 'exit 0, but stdout does not match /^ok$/m'],
		['a command ended by a signal', {kind: 'command', exit: [0]}, exited(null, '', 'SIGSEGV'), 'failed', 'ended by SIGSEGV, expected exit 0'],
	];
	for (const [name, expect, got, verdict, detail] of table) {
		it(name, () => {
			const result = judgeCommand(expect, got);
			assert.equal(result.detail, detail);
			assert.equal(result.verdict, verdict);
		});
	}

	it('keeps the exit code and the output\'s last lines', () => {
		const output = Array.from({length: 9}, (_, i) => `line ${i + 1}`).join('\n') + '\n';
		const result = judgeCommand({kind: 'command', exit: [0]}, exited(0, output), 3);
		assert.deepEqual(result.evidence.rows, [['exit', 0], ['output', 'line 7'], ['output', 'line 8'], ['output', 'line 9']]);
		assert.deepEqual(result.evidence.columns, ['what', 'value (output: the last 3 of 9 lines)']);
		assert.equal(result.evidence.truncated, true);
		assert.deepEqual(judgeCommand({kind: 'command', exit: [0]}, exited(0, '')).evidence.rows, [['exit', 0]], 'no output, no output row');
	});
});

describe('probe requests and secrets', () => {
	const spec: HttpProbeSpec = {
		kind: 'http', method: 'POST', url: 'http://h/login?k=${env:KEY}', headers: [['X-Token', '${env:TOKEN}']],
		auth: {user: '${env:USER_NAME}', password: '${env:PASS}'}, body: {kind: 'json', value: {password: '${env:PASS}', n: 1}},
	};
	const values = new Map([['KEY', 'k&y'], ['TOKEN', 'tok'], ['USER_NAME', 'root'], ['PASS', 'p"w']]);

	it('fills the values in where they are sent, JSON-escaped inside JSON', () => {
		const request = resolveHttp(spec, values);
		assert.equal(request.url, 'http://h/login?k=k&y');
		assert.deepEqual(request.headers, [['X-Token', 'tok'], ['Authorization', `Basic ${basicToken('root', 'p"w')}`], ['Content-Type', 'application/json']]);
		assert.equal(request.body, '{"password":"p\\"w","n":1}');
	});

	it('records the request with the names, never the values', () => {
		const text = probeText(spec);
		assert.equal(text, 'POST http://h/login?k=${env:KEY}\nX-Token: ${env:TOKEN}\nAuthorization: Basic (${env:USER_NAME}:${env:PASS})\nContent-Type: application/json\n\n{"password":"${env:PASS}","n":1}');
	});

	it('redacts every form a value can come back in: as is, URL-encoded, JSON-escaped, inside the Basic token', () => {
		const secrets = secretForms(spec, values);
		const echoed = `k&y k%26y tok p\\"w ${basicToken('root', 'p"w')} root`;
		assert.equal(redact(echoed, secrets), '*** *** *** *** *** ***');
	});
});
