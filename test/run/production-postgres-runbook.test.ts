// The shipped runbook checklists/production-postgres.yaml, end to end on PostgreSQL with the demo
// migrations, against a small application on 127.0.0.1 whose address and accounts reach the
// runbook through the environment: every check passes and no credential is in the record; an
// application that lets an ordinary account into the admin area fails the run.
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {basicToken} from '../../source/engine/probes.js';
import {packageRoot} from '../../source/package-root.js';
import {cutoverAsync, latestRecord, runDirs} from '../support/cutover-async.js';
import {demoMigrations, prepareDemoTarget} from '../support/demo-targets.js';

const runbook = path.join(packageRoot, 'checklists/production-postgres.yaml');
const accounts = {APP_ADMIN_USER: 'ada', APP_ADMIN_PASSWORD: 'pg-Adm1n-7xQ', APP_MEMBER_USER: 'grace', APP_MEMBER_PASSWORD: 'pg-Memb3r-2kW'};

/** The application: health, a JSON login for the admin, and an admin area by Basic authentication. */
function application(options: {memberIsAdmin: boolean}) {
	const seen: string[] = [];
	const server = http.createServer((request, response) => {
		let body = '';
		request.on('data', (chunk: Buffer) => {
			body += chunk.toString('utf8');
		});
		request.on('end', () => {
			seen.push(`${request.method ?? ''} ${request.url ?? ''}`);
			if (request.url === '/health') {
				response.writeHead(200, {'content-type': 'application/json'}).end('{"status":"ok"}');
			} else if (request.method === 'POST' && request.url === '/login') {
				const sent = JSON.parse(body || '{}') as {user?: string; password?: string};
				const ok = sent.user === accounts.APP_ADMIN_USER && sent.password === accounts.APP_ADMIN_PASSWORD;
				response.writeHead(ok ? 200 : 401).end(JSON.stringify({ok}));
			} else if (request.url === '/admin') {
				const auth = request.headers.authorization;
				const admin = auth === `Basic ${basicToken(accounts.APP_ADMIN_USER, accounts.APP_ADMIN_PASSWORD)}`;
				const member = auth === `Basic ${basicToken(accounts.APP_MEMBER_USER, accounts.APP_MEMBER_PASSWORD)}`;
				response.writeHead(admin || (member && options.memberIsAdmin) ? 200 : (member ? 403 : 401)).end();
			} else {
				response.writeHead(404).end();
			}
		});
	});
	return {server, seen};
}

async function listen(server: http.Server): Promise<string> {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: http.Server): Promise<void> {
	server.closeAllConnections();
	await new Promise(resolve => server.close(resolve));
}

describe('checklists/production-postgres.yaml on PostgreSQL', () => {
	const app = application({memberIsAdmin: false});
	let url = '';
	before(async () => {
		url = await listen(app.server);
	});
	after(async () => close(app.server));

	it('runs the demo migrations with every check passing, probes the application, and keeps no credential in the record', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			// The runbook's 15 minutes of observation are skipped by the operator's flag, on the record.
			const run = await cutoverAsync(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', runbook, ...runDirs(target),
				'--plain', '--yes', '--confirm-db', target.name, '--observe', 'skip'], {APP_URL: url, ...accounts});
			const {verdicts, results, outcome, text, events} = latestRecord(target);
			assert.equal(outcome, 'upgraded', run.stdout + run.stderr);
			assert.equal(run.code, 0);
			assert.deepEqual(Object.keys(verdicts), [
				'pre.duplicate-meters', 'pre.admin-exists', 'pre.duplicate-emails', 'pre.version-recorded',
				'post.version', 'post.key-exists', 'post.active-admin', 'post.health-endpoint', 'post.admin-login', 'post.member-refused',
				'post.again.duplicate-meters', 'post.again.admin-exists', 'post.again.duplicate-emails', 'post.again.version-recorded',
			]);
			// The duplicates are a warning the fix-up answers: shown before, gone after.
			assert.match(verdicts['pre.duplicate-meters']!, /^failed: \d+ duplicate groups?$/);
			assert.equal(results.find(r => r.id === 'duplicate-meters' && r.phase === 'pre')!.blocking, false);
			for (const [id, verdict] of Object.entries(verdicts).filter(([id]) => id !== 'pre.duplicate-meters')) {
				assert.match(verdict, /^passed: /, `${id}: ${verdict}`);
			}

			assert.equal(verdicts['post.version'], 'passed: at 0004_meters_unique_slot, as expected');
			assert.equal(verdicts['post.health-endpoint'], 'passed: status 200, body contains "\\"status\\":\\"ok\\""');
			assert.equal(verdicts['post.admin-login'], 'passed: status 200');
			assert.equal(verdicts['post.member-refused'], 'passed: status 403');
			const recorded = results.find(r => r.id === 'version-recorded' && r.phase === 'pre')!;
			assert.deepEqual(recorded.evidence.rows.map(r => r[0]), ['0001_create_users_and_meters'], 'the version before the upgrade is in the record');
			assert.deepEqual(app.seen, ['GET /health', 'POST /login', 'GET /admin']);
			const verified = events.findIndex(e => e.type === 'verify.finished' && (e['verification'] as {ok: boolean}).ok);
			assert.ok(verified !== -1 && verified < events.findIndex(e => e.type === 'upgrade.started'), 'the backup was verified before the upgrade');
			const observed = events.find(e => e.type === 'observation.started');
			assert.equal(observed?.['durationMs'], 15 * 60_000);
			assert.equal(observed?.['thresholdsFrom'], 'runbook');
			assert.equal(events.find(e => e.type === 'observation.finished')?.['reason'], 'skipped');
			assert.match(run.stdout, /maintenance mode: on/);
			assert.match(run.stdout, /maintenance mode: off/);

			const applied = await target.rows('SELECT name FROM cutover_migrations ORDER BY name');
			assert.deepEqual(applied.map(r => r['name']), ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot']);
			for (const secret of [accounts.APP_ADMIN_PASSWORD, accounts.APP_MEMBER_PASSWORD, basicToken(accounts.APP_MEMBER_USER, accounts.APP_MEMBER_PASSWORD)]) {
				assert.equal(text.includes(secret), false, 'the record holds a credential');
				assert.equal(run.stdout.includes(secret) || run.stderr.includes(secret), false, 'the output shows a credential');
			}

			assert.match(text, /\$\{env:APP_ADMIN_PASSWORD\}/, 'the record keeps the variable\'s name');
			const verify = await cutoverAsync(target, ['verify', path.join(target.dir, 'records')]);
			assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		} finally {
			await target.cleanup();
		}
	});

	it('fails the run when an ordinary account gets into the admin area', async () => {
		const open = application({memberIsAdmin: true});
		const openUrl = await listen(open.server);
		const target = await prepareDemoTarget('postgres');
		try {
			const run = await cutoverAsync(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', runbook, ...runDirs(target),
				'--plain', '--yes', '--confirm-db', target.name], {APP_URL: openUrl, ...accounts});
			const {verdicts, outcome} = latestRecord(target);
			assert.equal(verdicts['post.member-refused'], 'failed: status 200, expected 403', run.stdout);
			assert.notEqual(outcome, 'upgraded');
			assert.notEqual(run.code, 0);
		} finally {
			await close(open.server);
			await target.cleanup();
		}
	});
});
