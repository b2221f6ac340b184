// A whole plain run on SQLite whose runbook has HTTP and command probes: the record holds each
// probe's request as written, its verdict and its evidence, verifies, and holds no credential.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import type {CheckResult} from '../../source/engine/model.js';
import {basicToken} from '../../source/engine/probes.js';
import {cutoverAsync} from '../support/cutover-async.js';
import {demoMigrations, prepareDemoTarget, readJournal, type DemoTarget} from '../support/demo-targets.js';

const ADMIN_PASSWORD = 'run-Adm1n-9fQ2';
const MEMBER_PASSWORD = 'run-Memb3r-4kT';
const marker = `cutover-run-app-${randomUUID()}`;

const runbook = (base: string) => `name: probes-run
window: {expected-minutes: 5}
checks:
  pre:
    - {id: app-stopped, title: The application process is stopped, command: {run: 'pgrep -f ${marker}', exit: 1}}
    - {id: admin, title: An admin, sql: "SELECT id FROM users WHERE role = 'admin'", expect: {at-least: 1}}
  post:
    - {id: health, title: Health endpoint, http: {url: '${base}/health', body: '"status":"ok"'}, timeout: 5s}
    - id: admin-login
      title: Logging in as an administrator works
      http:
        method: POST
        url: '${base}/login'
        json: {user: admin, password: '\${env:ADMIN_PASSWORD}'}
        body: '"ok":true'
    - {id: member-refused, title: An ordinary account gets 403, http: {url: '${base}/admin', auth: {user: member, password: '\${env:MEMBER_PASSWORD}'}, status: [401, 403]}}
    - {id: node-version, title: Node answers, severity: warn, command: {run: [node, --version], stdout: /^v\\d+\\./}}
`;

describe('a plain run on SQLite with HTTP and command probes', () => {
	const server = http.createServer((request, response) => {
		let body = '';
		request.on('data', (chunk: Buffer) => {
			body += chunk.toString('utf8');
		});
		request.on('end', () => {
			if (request.url === '/health') {
				response.end('{"status":"ok"}');
			} else if (request.url === '/login') {
				const sent = JSON.parse(body || '{}') as {password?: string};
				response.writeHead(sent.password === ADMIN_PASSWORD ? 200 : 401).end(JSON.stringify({ok: sent.password === ADMIN_PASSWORD, echo: sent}));
			} else {
				response.writeHead(request.headers.authorization === `Basic ${basicToken('admin', ADMIN_PASSWORD)}` ? 200 : 403).end(`{"auth":"${request.headers.authorization ?? ''}"}`);
			}
		});
	});
	let base = '';
	let target: DemoTarget;
	before(async () => {
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		target = await prepareDemoTarget('sqlite');
	});
	after(async () => {
		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
		await target.cleanup();
	});

	it('runs every probe, records each with its request and evidence, and the record verifies', async () => {
		const checklist = path.join(target.dir, 'probes.yaml');
		writeFileSync(checklist, runbook(base));
		const records = path.join(target.dir, 'records');
		const run = await cutoverAsync(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', checklist,
			'--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')], {ADMIN_PASSWORD, MEMBER_PASSWORD});
		const file = readdirSync(records).find(f => f.endsWith('.jsonl'));
		assert.ok(file, run.stdout + run.stderr);
		const text = readFileSync(path.join(records, file), 'utf8');
		const results = readJournal(text).map(l => l.event).filter(e => e.type === 'check.finished').map(e => e['result'] as CheckResult);
		const verdicts = Object.fromEntries(results.map(r => [`${r.phase}.${r.id}`, `${r.verdict}: ${r.detail}`]));
		assert.deepEqual(Object.keys(verdicts), ['pre.app-stopped', 'pre.admin', 'post.health', 'post.admin-login', 'post.member-refused', 'post.node-version', 'post.again.app-stopped', 'post.again.admin'], run.stdout);
		assert.match(verdicts['pre.admin']!, /^passed: /);
		assert.match(verdicts['post.again.admin']!, /^passed: /);
		assert.equal(verdicts['pre.app-stopped'], 'passed: exit 1');
		assert.equal(verdicts['post.again.app-stopped'], 'passed: exit 1');
		assert.equal(verdicts['post.health'], 'passed: status 200, body contains "\\"status\\":\\"ok\\""');
		assert.equal(verdicts['post.admin-login'], 'passed: status 200, body contains "\\"ok\\":true"');
		assert.equal(verdicts['post.member-refused'], 'passed: status 403');
		assert.equal(verdicts['post.node-version'], String.raw`passed: exit 0, stdout matches /^v\d+\./`);
		assert.equal(run.code, 0, run.stdout + run.stderr);
		assert.match(run.stdout, /^outcome: upgraded$/m);

		const byId = (id: string) => results.find(r => `${r.phase}.${r.id}` === id)!;
		assert.equal(byId('post.admin-login').sql, `POST ${base}/login\nContent-Type: application/json\n\n{"user":"admin","password":"\${env:ADMIN_PASSWORD}"}`);
		assert.equal(byId('post.admin-login').probe, 'http');
		assert.match(String(byId('post.admin-login').evidence.rows[1]![1]), /"echo":\{"user":"admin","password":"\*\*\*"\}/);
		assert.equal(byId('pre.app-stopped').sql, `pgrep -f ${marker}`);
		assert.equal(byId('post.node-version').blocking, false);
		assert.match(run.stdout, /post health: running \(timeout 5 s\): GET http:\/\/127\.0\.0\.1:\d+\/health/);
		for (const secret of [ADMIN_PASSWORD, MEMBER_PASSWORD, basicToken('member', MEMBER_PASSWORD)]) {
			assert.equal(text.includes(secret), false, `the record holds ${secret}`);
			assert.equal(run.stdout.includes(secret) || run.stderr.includes(secret), false, `the output shows ${secret}`);
		}

		const verify = await cutoverAsync(target, ['verify', path.join(records, file)], {});
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /^verified: 1 record/m);
	});

	it('stops before the upgrade while the application still runs', async () => {
		const app = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', marker], {stdio: 'ignore'});
		const other = await prepareDemoTarget('sqlite');
		try {
			await new Promise(resolve => setTimeout(resolve, 200));
			const checklist = path.join(other.dir, 'probes.yaml');
			writeFileSync(checklist, runbook(base));
			const records = path.join(other.dir, 'records');
			const run = await cutoverAsync(other, ['run', '--db', other.db, '--migrations', demoMigrations, '--checklist', checklist,
				'--plain', '--yes', '--confirm-db', other.name, '--records', records, '--backups', path.join(other.dir, 'backups')], {});
			const file = readdirSync(records).find(f => f.endsWith('.jsonl'))!;
			const events = readJournal(readFileSync(path.join(records, file), 'utf8')).map(l => l.event);
			const stopped = events.find(e => e.type === 'check.finished' && (e['result'] as CheckResult).id === 'app-stopped')!['result'] as CheckResult;
			assert.equal(`${stopped.verdict}: ${stopped.detail}`, 'failed: exit 0, expected 1');
			assert.ok(stopped.evidence.rows.some(r => r[1] === String(app.pid)), JSON.stringify(stopped.evidence.rows));
			assert.equal(events.some(e => e.type === 'upgrade.started'), false, 'no upgrade while the application runs');
			assert.notEqual(run.code, 0, run.stdout);
		} finally {
			app.kill('SIGKILL');
			await other.cleanup();
		}
	});
});
