// How a checklist gives an HTTP or command probe, and what it is told when it gets one wrong:
// the file, the step, the line and the fix. No credential may be written in the runbook itself.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {loadChecklist, sqlFor} from '../../source/checklist/index.js';
import {ChecklistError} from '../../source/errors/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-probes-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
function write(text: string): string {
	const file = path.join(dir, `probes-${counter++}.yaml`);
	writeFileSync(file, text);
	return file;
}

/** The case's lines start at line 8. */
const checklist = (lines: string) => `name: probes
window:
  expected-minutes: 5
checks:
  pre:
    - id: c
      title: C
${lines}`;

const cases: Array<{name: string; lines: string; where: string; problem: RegExp}> = [
	{name: 'an http probe without its url', lines: '      http: {status: 200}\n', where: 'checks.pre[0].http.url', problem: /"url" is missing \(line 8\)/},
	{name: 'a url that is not http', lines: '      http: {url: ftp://host/x}\n', where: 'checks.pre[0].http.url', problem: /"ftp:\/\/host\/x" is not an http:\/\/ or https:\/\/ URL \(line 8\)/},
	{name: 'an unknown method', lines: '      http: {url: http://h/, method: FETCH}\n', where: 'checks.pre[0].http.method', problem: /unknown method "FETCH": use GET, HEAD, POST/},
	{name: 'a status out of range', lines: '      http: {url: http://h/, status: [401, 4030]}\n', where: 'checks.pre[0].http.status[1]', problem: /expected an HTTP status such as 200, or a list such as \[401, 403\] \(from 100 to 599\), found 4030 \(line 8\)/},
	{name: 'a regex that does not compile', lines: '      http:\n        url: http://h/\n        body: /ok(/\n', where: 'checks.pre[0].http.body', problem: /\/ok\(\/ is not a valid regular expression .*; to find the text itself, leave out the slashes \(line 10\)/},
	{name: 'a regex flag that makes matching stateful', lines: '      http: {url: http://h/, body: /ok/g}\n', where: 'checks.pre[0].http.body', problem: /the flags allowed are i, m, s and u/},
	{name: 'a body YAML reads as a number', lines: '      http: {url: http://h/, body: 200}\n', where: 'checks.pre[0].http.body', problem: /YAML reads 200 as a number: quote the text to find, for example '200'/},
	{name: 'timeout inside the probe', lines: '      http:\n        url: http://h/\n        timeout: 5s\n', where: 'checks.pre[0].http.timeout', problem: /timeout: belongs to the check, as for every check: write it beside http:.* \(line 10\)/},
	{name: 'a password written in the runbook', lines: '      http:\n        url: http://h/admin\n        auth: {user: admin, password: hunter2}\n', where: 'checks.pre[0].http.auth.password', problem: /a password written in the runbook ends up in the record: give it as \$\{env:NAME\} .*\(line 10\)/},
	{name: 'a bearer token written in the runbook', lines: '      http:\n        url: http://h/admin\n        headers:\n          Authorization: Bearer abc123\n', where: 'checks.pre[0].http.headers.Authorization', problem: /the Authorization header, written in the runbook, ends up in the record: give the secret as \$\{env:NAME\}, for example Authorization: 'Bearer \$\{env:ADMIN_TOKEN\}' \(line 11\)/},
	{name: 'a variable written the shell way', lines: '      http: {url: http://h/, headers: {X-Key: "${ADMIN_KEY}"}}\n', where: 'checks.pre[0].http.headers.X-Key', problem: /"\$\{ADMIN_KEY\}" is not a variable: write \$\{env:NAME\}/},
	{name: 'a body on a GET', lines: '      http: {url: http://h/, json: {a: 1}}\n', where: 'checks.pre[0].http.json', problem: /a GET request sends no body: use method: POST/},
	{name: 'two bodies', lines: '      http: {url: http://h/, method: POST, json: {a: 1}, send: x}\n', where: 'checks.pre[0].http.send', problem: /give the request body once/},
	{name: 'a typo in the probe', lines: '      http: {url: http://h/, stauts: 200}\n', where: 'checks.pre[0].http.stauts', problem: /unknown key "stauts"; did you mean "status"\?/},
	{name: 'auth and an Authorization header', lines: '      http: {url: http://h/, auth: {user: a, password: "${env:P}"}, headers: {authorization: "Bearer ${env:T}"}}\n', where: 'checks.pre[0].http.auth', problem: /keep one of them/},
	{name: 'a command probe without run', lines: '      command: {exit: 1}\n', where: 'checks.pre[0].command.run', problem: /"run" is missing \(line 8\)/},
	{name: 'an empty argument list', lines: '      command: {run: []}\n', where: 'checks.pre[0].command.run', problem: /expected a command line, or a list: the program, then its arguments/},
	{name: 'an exit code out of range', lines: '      command: {run: "true", exit: 256}\n', where: 'checks.pre[0].command.exit', problem: /expected an exit code such as 0, or a list such as \[0, 1\] \(from 0 to 255\), found 256/},
	{name: 'a command naming a variable the http way', lines: '      command: {run: "curl -u admin:${env:PW} http://h/"}\n', where: 'checks.pre[0].command.run', problem: /a command reads the environment itself: write \$NAME \(the shell expands it\), not \$\{env:NAME\} \(line 8\)/},
	{name: 'a probe with expect', lines: '      command: {run: "true"}\n      expect: no-rows\n', where: 'checks.pre[0].expect', problem: /command brings its own expectation: remove expect: \(line 9\)/},
	{name: 'a probe and sql', lines: '      sql: SELECT 1\n      expect: no-rows\n      http: {url: http://h/}\n', where: 'checks.pre[0].http', problem: /http brings its own SQL: give sql: with expect:, or http:, not both/},
];

describe('probes: errors name the file, the step, the line and the fix', () => {
	for (const {name, lines, where, problem} of cases) {
		it(name, async () => {
			const file = write(checklist(lines));
			await assert.rejects(loadChecklist(file), (error: unknown) => {
				assert.ok(error instanceof ChecklistError, String(error));
				assert.equal(error.where, where, error.message);
				assert.match(error.message, problem);
				assert.ok(error.message.startsWith(`${file}: `), error.message);
				return true;
			});
		});
	}
});

describe('probes: what a valid checklist becomes', () => {
	it('an http probe: GET and 200 unless given, its request as the recorded statement, names not values', async () => {
		const loaded = await loadChecklist(write(`name: p
window: {expected-minutes: 5}
checks:
  pre:
    - {id: health, title: Health, http: {url: 'http://127.0.0.1:8080/health', body: /"status":\\s*"ok"/i}, timeout: 5s, severity: warn}
    - id: login
      title: Admin login
      http:
        method: post
        url: \${env:APP_URL}/login
        json: {user: '\${env:ADMIN_USER}', password: '\${env:ADMIN_PASSWORD}'}
    - {id: refused, title: Members refused, http: {url: 'http://h/admin', auth: {user: member, password: '\${env:MEMBER_PASSWORD}'}, status: [401, 403]}}
`));
		const [health, login, refused] = loaded.checks.pre;
		assert.deepEqual(health!.expect, {kind: 'http', status: [200], body: {kind: 'matches', source: String.raw`"status":\s*"ok"`, flags: 'i'}});
		assert.equal(health!.timeoutMs, 5000);
		assert.equal(health!.blocking, false);
		assert.equal(sqlFor(health!, 'sqlite'), 'GET http://127.0.0.1:8080/health');
		assert.equal(sqlFor(login!, 'postgres'), 'POST ${env:APP_URL}/login\nContent-Type: application/json\n\n{"user":"${env:ADMIN_USER}","password":"${env:ADMIN_PASSWORD}"}');
		assert.deepEqual(refused!.expect, {kind: 'http', status: [401, 403]});
		assert.equal(sqlFor(refused!, 'sqlite'), 'GET http://h/admin\nAuthorization: Basic (member:${env:MEMBER_PASSWORD})');
	});

	it('a command probe: a shell line or an argument list, exit 0 unless given', async () => {
		const loaded = await loadChecklist(write(`name: p
window: {expected-minutes: 5}
checks:
  pre:
    - {id: stopped, title: App stopped, command: {run: pgrep -f myapp, exit: 1}}
    - {id: listed, title: Listed, command: {run: [ls, -l, "/srv/my app"], stdout: app}, evidence: 10}
`));
		const [stopped, listed] = loaded.checks.pre;
		assert.deepEqual(stopped!.probe, {kind: 'command', run: 'pgrep -f myapp'});
		assert.deepEqual(stopped!.expect, {kind: 'command', exit: [1]});
		assert.equal(sqlFor(listed!, 'sqlite'), 'ls -l \'/srv/my app\'');
		assert.deepEqual(listed!.expect, {kind: 'command', exit: [0], stdout: {kind: 'contains', text: 'app'}});
		assert.equal(listed!.evidenceLimit, 10);
	});
});
