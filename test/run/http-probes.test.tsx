// HTTP probes against a real server on 127.0.0.1: statuses, body matches, credentials read from
// the environment, a missing variable, a timeout, the operator's Esc; and the proof that no
// credential reaches the record on disk or any frame of the checks screen.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {App} from '../../screens/app.js';
import {openDatabase} from '../../source/adapters/open-target.js';
import {openFileJournal} from '../../source/adapters/journal-file.js';
import {localProbes} from '../../source/adapters/local-probes.js';
import {loadChecklist, type Checklist} from '../../source/checklist/index.js';
import type {CheckResult} from '../../source/engine/model.js';
import {basicToken} from '../../source/engine/probes.js';
import type {Database} from '../../source/ports/database.js';
import {runRecordedCheck} from '../../source/run/checks.js';
import {createSession, type Session} from '../../source/run/session.js';
import {parseTarget} from '../../source/target.js';
import {keys, overflowing, render} from '../support/render.js';
import {atProceed} from '../support/run-fixtures.js';
import {createSqliteFile, type SqliteFile} from '../support/sqlite.js';

const ADMIN_PASSWORD = 'Adm1n-pw-q7Zr"x';
const MEMBER_PASSWORD = 'memb3r-pw-K2v';
const secretsOf = [ADMIN_PASSWORD, MEMBER_PASSWORD, basicToken('admin', ADMIN_PASSWORD), basicToken('member', MEMBER_PASSWORD), encodeURIComponent(ADMIN_PASSWORD)];

/** A small application: health, a login that echoes what it was sent, an admin route, a route that never answers. */
function application(): http.Server {
	return http.createServer((request, response) => {
		let body = '';
		request.on('data', (chunk: Buffer) => {
			body += chunk.toString('utf8');
		});
		request.on('end', () => {
			const auth = request.headers.authorization ?? '';
			const send = (status: number, text: string, headers: Record<string, string> = {}) => {
				response.writeHead(status, {'content-type': 'application/json', ...headers});
				response.end(text);
			};

			switch (request.url) {
				case '/health': {
					send(200, '{"status":"ok","db":"up"}');
					break;
				}

				case '/degraded': {
					send(200, '{"status":"degraded"}');
					break;
				}

				case '/login': {
					const sent = JSON.parse(body || '{}') as {user?: string; password?: string};
					const ok = request.method === 'POST' && sent.user === 'admin' && sent.password === ADMIN_PASSWORD;
					// Echoes what it was sent, as careless applications do: the evidence must not.
					send(ok ? 200 : 401, JSON.stringify({ok, received: sent}));
					break;
				}

				case '/admin': {
					if (auth === `Basic ${basicToken('admin', ADMIN_PASSWORD)}`) {
						send(200, `{"area":"admin","you":"${auth}"}`);
					} else if (auth === `Basic ${basicToken('member', MEMBER_PASSWORD)}`) {
						send(403, '{"error":"admins only"}');
					} else {
						send(401, '{"error":"log in"}', {'www-authenticate': 'Basic realm="app"'});
					}

					break;
				}

				default: {
					// /slow: never answers; the probe's timeout or Esc must end it.
				}
			}
		});
	});
}

const checklistYaml = (base: string, closed: string) => String.raw`name: probes
window: {expected-minutes: 5}
checks:
  pre:
    - {id: health, title: Health endpoint answers, http: {url: '${base}/health', body: '/"status":\s*"ok"/'}}
    - {id: degraded, title: Health says ok, http: {url: '${base}/degraded', body: '"status":"ok"'}}
    - id: admin-login
      title: Logging in as an administrator works
      http:
        method: POST
        url: '${base}/login'
        json: {user: admin, password: '${'${env:ADMIN_PASSWORD}'}'}
        body: '"ok":true'
    - id: wrong-login
      title: A wrong password is refused
      http:
        method: POST
        url: '${base}/login'
        json: {user: admin, password: 'not-it'}
        status: 401
    - {id: admin-area, title: Admin area for admins, http: {url: '${base}/admin', auth: {user: admin, password: '${'${env:ADMIN_PASSWORD}'}'}, body: admin}}
    - {id: member-refused, title: An ordinary account gets 401/403, http: {url: '${base}/admin', auth: {user: member, password: '${'${env:MEMBER_PASSWORD}'}'}, status: [401, 403]}}
    - {id: anonymous-403, title: Anonymous gets 403, http: {url: '${base}/admin', status: 403}}
    - {id: token, title: Token route, http: {url: '${base}/admin', headers: {Authorization: 'Bearer ${'${env:CUTOVER_TEST_UNSET_TOKEN}'}'}}}
    - {id: slow, title: Slow endpoint, http: {url: '${base}/slow'}, timeout: 300ms}
    - {id: closed, title: Nothing listening, http: {url: '${closed}/health'}}
`;

describe('http probes against a real server', () => {
	const server = application();
	let base = '';
	let closed = '';
	let dir = '';
	let sqlite: SqliteFile;
	let database: Database;
	let checklist: Checklist;
	const env = {ADMIN_PASSWORD, MEMBER_PASSWORD};

	before(async () => {
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		// A port that was just free and is closed again: connection refused.
		const spare = http.createServer();
		await new Promise<void>(resolve => spare.listen(0, '127.0.0.1', resolve));
		closed = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
		await new Promise(resolve => spare.close(resolve));
		dir = mkdtempSync(path.join(tmpdir(), 'cutover-http-'));
		const file = path.join(dir, 'probes.yaml');
		writeFileSync(file, checklistYaml(base, closed));
		checklist = await loadChecklist(file);
		sqlite = await createSqliteFile('CREATE TABLE t (id integer)');
		database = await openDatabase(parseTarget(`sqlite:${sqlite.path}`));
	});
	after(async () => {
		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
		await database.close();
		await sqlite.cleanup();
		rmSync(dir, {recursive: true, force: true});
	});

	const session = (name: string): {session: Session; file: string} => {
		const file = path.join(dir, `${name}.jsonl`);
		return {session: createSession(openFileJournal({path: file, runId: name}), {now: () => Date.now()}), file};
	};

	const runAll = async (s: Session): Promise<Map<string, CheckResult>> => {
		const results = new Map<string, CheckResult>();
		for (const check of checklist.checks.pre) {
			// eslint-disable-next-line no-await-in-loop -- checks run one at a time, as in a run
			results.set(check.id, await runRecordedCheck({session: s, clock: {now: () => Date.now()}, signal: new AbortController().signal, connections: {database}, probes: localProbes(env)}, check, 'pre'));
		}

		return results;
	};

	it('judges status and body, reads credentials from the environment, and keeps no secret in the record or on the screen', async () => {
		const {session: s, file} = session('all');
		const results = await runAll(s);
		const verdict = (id: string) => `${results.get(id)!.verdict}: ${results.get(id)!.detail}`;
		assert.equal(verdict('health'), String.raw`passed: status 200, body matches /"status":\s*"ok"/`);
		assert.equal(verdict('degraded'), 'failed: status 200, but the body does not contain "\\"status\\":\\"ok\\""');
		assert.equal(verdict('admin-login'), 'passed: status 200, body contains "\\"ok\\":true"');
		assert.equal(verdict('wrong-login'), 'passed: status 401');
		assert.equal(verdict('admin-area'), 'passed: status 200, body contains "admin"');
		assert.equal(verdict('member-refused'), 'passed: status 403');
		assert.equal(verdict('anonymous-403'), 'failed: status 401, expected 403');
		assert.match(verdict('token'), /^error: the environment variable CUTOVER_TEST_UNSET_TOKEN is not set: set it where cutover runs/);
		assert.equal(verdict('slow'), 'timed-out: stopped at its timeout of 0.3 s');
		assert.match(verdict('closed'), /^error: nothing listens at 127\.0\.0\.1:\d+ \(connection refused\): is the application running\?$/);

		const login = results.get('admin-login')!;
		assert.equal(login.probe, 'http');
		assert.equal(login.sql, `POST ${base}/login\nContent-Type: application/json\n\n{"user":"admin","password":"\${env:ADMIN_PASSWORD}"}`);
		const loginBody = String(login.evidence.rows.find(r => r[0] === 'body')![1]);
		assert.match(loginBody, /"received":\{"user":"admin","password":"\*\*\*"\}/, 'the echoed password is replaced');
		assert.deepEqual(results.get('anonymous-403')!.evidence.rows.map(r => r[0]), ['status', 'body', 'content-type', 'www-authenticate']);
		assert.match(String(results.get('admin-area')!.evidence.rows[1]![1]), /"you":"Basic \*\*\*"/, 'the echoed Basic token is replaced');
		assert.match(results.get('member-refused')!.sql, /Authorization: Basic \(member:\$\{env:MEMBER_PASSWORD\}\)/);
		assert.equal(results.get('slow')!.durationMs < 3000, true, `slow ran ${results.get('slow')!.durationMs} ms`);

		// The record, as written to disk, holds the names and never a value.
		const record = readFileSync(file, 'utf8');
		assert.match(record, /\$\{env:ADMIN_PASSWORD\}/);
		for (const secret of secretsOf) {
			assert.equal(record.includes(secret), false, `the record holds ${secret}`);
			assert.equal(record.includes(JSON.stringify(secret).slice(1, -1)), false, `the record holds ${secret}, JSON-escaped`);
		}

		// The checks screen, each check selected, its evidence and then its request: no secret in any frame.
		const screen = render(<App state={atProceed([...results.values()])} now={Date.now()} onDecision={() => {}} onQuit={() => {}} interactive/>);
		try {
			const frames: string[] = [await screen.waitForFrame('Health endpoint answers')];
			assert.match(frames[0]!, /› ✓ passed {2}block {2}Health endpoint answers\s+status 200, body matches/);
			assert.match(frames[0]!, /── health · \d+ ms · s: request · expects status 200, body matches /);
			for (let i = 0; i < results.size; i++) {
				screen.stdin.write('s');
				// eslint-disable-next-line no-await-in-loop -- one key, one frame
				frames.push(await screen.waitForFrame('s: evidence'));
				screen.stdin.write('s');
				// eslint-disable-next-line no-await-in-loop
				frames.push(await screen.waitForFrame('s: request'));
				screen.stdin.write(keys.down);
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 30));
			}

			const shown = frames.join('\n');
			assert.match(shown, /POST http:\/\/127\.0\.0\.1:\d+\/login/);
			assert.match(shown, /"password":"\$\{env:ADMIN_PASSWORD\}"/, 'the request shows the name');
			assert.match(shown, /✗ FAILED {2}block {2}Anonymous gets 403\s+status 401, expected 403/);
			assert.match(shown, /! error {3}block {2}Token route\s+the environment varia/);
			assert.match(shown, /Token route: the environment variable\sCUTOVER_TEST_UNSET_TOKEN is not set/, 's shows the detail whole');
			assert.match(shown, /✗ TIMEOUT block {2}Slow endpoint/);
			for (const frame of frames) {
				assert.deepEqual(overflowing(frame), []);
			}

			for (const secret of secretsOf) {
				assert.equal(shown.includes(secret), false, `a frame shows ${secret}`);
			}
		} finally {
			screen.unmount();
		}
	});

	it('a missing variable is an error verdict naming it, and nothing is sent', async () => {
		let requests = 0;
		const count = () => {
			requests++;
		};

		server.on('request', count);
		try {
			const {session: s} = session('missing');
			const check = checklist.checks.pre.find(c => c.id === 'admin-login')!;
			const result = await runRecordedCheck({session: s, clock: {now: () => Date.now()}, signal: new AbortController().signal, connections: {database}, probes: localProbes({MEMBER_PASSWORD})}, check, 'pre');
			assert.equal(result.verdict, 'error');
			assert.equal(result.detail, 'the environment variable ADMIN_PASSWORD is not set: set it where cutover runs (export ADMIN_PASSWORD=…); the runbook reads the credential from it');
			assert.equal(requests, 0);
			const empty = await runRecordedCheck({session: s, clock: {now: () => Date.now()}, signal: new AbortController().signal, connections: {database}, probes: localProbes({ADMIN_PASSWORD: ''})}, check, 'pre');
			assert.match(empty.detail, /ADMIN_PASSWORD is not set/, 'an empty variable is no credential');
		} finally {
			server.off('request', count);
		}
	});

	it('Esc on the checks screen stops a request that hangs: cancelled, well before its timeout', async () => {
		const {session: s} = session('cancel');
		const check = {...checklist.checks.pre.find(c => c.id === 'slow')!, timeoutMs: 30_000};
		const off = s.subscribe((_, entry) => {
			if (entry.event.type === 'check.started') {
				setTimeout(() => s.emit({type: 'operator.check-cancelled', id: 'slow', phase: 'pre'}), 100);
			}
		});
		const started = Date.now();
		const result = await runRecordedCheck({session: s, clock: {now: () => Date.now()}, signal: new AbortController().signal, connections: {database}, probes: localProbes(env)}, check, 'pre');
		off();
		assert.equal(result.verdict, 'cancelled');
		assert.match(result.detail, /^stopped with Esc after 0\.\d s$/);
		assert.ok(Date.now() - started < 5000);
	});
});
