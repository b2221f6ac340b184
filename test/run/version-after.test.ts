import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, it} from 'node:test';
import pg from 'pg';
import type {RunEvent} from '../../source/engine/events.js';
import {describeEvent} from '../../source/journal/describe-event.js';
import {MigrationFileError} from '../../source/errors/index.js';
import {finishRun} from '../../source/run/finish-run.js';
import type {RunDeps} from '../../source/run/run-deps.js';
import {createSession} from '../../source/run/session.js';
import {cli, cliEnv, prepareDemoTarget, readJournal} from '../support/demo-targets.js';

/** A post check slow enough to lose the connection in. */
const checklist = `name: lost-connection
window:
  expected-minutes: 5
maintenance:
  on: 'echo on'
  off: 'echo off'
checks:
  post:
    - id: slow
      title: A check slow enough to lose the connection in
      blocking: true
      expect: some-rows
      sql: SELECT 1 AS waited FROM pg_sleep(3)
`;

describe('the version at the end of a run', () => {
	it('after cutover\'s sessions are terminated following a migration, it is read on a new connection: 0002, not none', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			const file = path.join(target.dir, 'checklist.yaml');
			writeFileSync(file, checklist);
			const records = path.join(target.dir, 'records');
			const child = spawn(process.execPath, [cli, 'run', '--db', target.db, '--checklist', file, '--to', '0002_users_status', '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')], {
				env: {...process.env, ...cliEnv(target)},
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let out = '';
			child.stdout.on('data', (chunk: Buffer) => {
				out += chunk.toString('utf8');
			});
			child.stderr.on('data', (chunk: Buffer) => {
				out += chunk.toString('utf8');
			});
			const exited = new Promise<number | null>(resolve => {
				child.on('exit', code => resolve(code));
			});

			const admin = new pg.Client({connectionString: target.db});
			await admin.connect();
			try {
				// The post check is running, after 0002 committed: every session cutover has on the database goes.
				const deadline = Date.now() + 60_000;
				for (;;) {
					// eslint-disable-next-line no-await-in-loop -- polling
					const slow = await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()`);
					if (slow.rowCount !== 0) {
						break;
					}

					assert.ok(Date.now() < deadline, `the slow check never started:\n${out}`);
					// eslint-disable-next-line no-await-in-loop
					await sleep(20);
				}

				// Not the run lock's session ('cutover run <id>'): losing that stops the run resumably, a fault of its own (test/resume/lost-run-lock).
				const terminated = await admin.query(`SELECT pg_terminate_backend(pid) AS gone FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'cutover%' AND application_name NOT LIKE 'cutover run %' AND pid <> pg_backend_pid()`);
				assert.ok(terminated.rowCount! >= 2, 'the run\'s database and migrator sessions, at least');
			} finally {
				await admin.end();
			}

			const code = await exited;
			assert.equal(code, 1, out);
			const [name] = readdirSync(records).filter(f => f.endsWith('.jsonl'));
			const lines = readJournal(readFileSync(path.join(records, name!), 'utf8'));
			const finished = lines.at(-1)!;
			assert.equal(finished.kind, 'run.finished', out);
			assert.equal(finished.event['versionAfter'], '0002_users_status', out);
			assert.equal(finished.event['versionAfterUnknown'], undefined);
			assert.match(out, /run finished: upgraded-with-failures; version 0001_create_users_and_meters → 0002_users_status/);
			assert.deepEqual((await target.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => r['name']), ['0001_create_users_and_meters', '0002_users_status']);
		} finally {
			await target.cleanup();
		}
	});

	it('when no connection answers, it is recorded as unknown, never as an empty schema', async () => {
		const entries: RunEvent[] = [];
		const session = createSession({path: '/dev/null', append: entry => entries.push(entry.event), close() {}}, {now: () => 0});
		const lost = new Error('Connection terminated unexpectedly');
		let reopened = 0;
		const deps = {
			session,
			runbook: {maintenance: {on: null, off: null, offWhenMidChange: false}},
			connections: {
				migrator: {plan: async () => Promise.reject(lost)},
				async close() {},
				async reopen() {
					reopened++;
					throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
				},
			},
		} as unknown as RunDeps;
		await finishRun(deps, 'failed');
		const finished = entries.at(-1);
		assert.equal(finished?.type, 'run.finished');
		assert.equal(reopened, 1, 'a new connection was tried');
		assert.ok(finished?.type === 'run.finished');
		assert.equal(finished.versionAfter, null);
		assert.match(finished.versionAfterUnknown ?? '', /Connection terminated unexpectedly.*new connection \(connect ECONNREFUSED/);
		assert.match(describeEvent(finished), /version none → unknown \(/);
	});

	it('when the folder does not load, it says so, and does not blame the connection or open a new one', async () => {
		const entries: RunEvent[] = [];
		const session = createSession({path: '/dev/null', append: entry => entries.push(entry.event), close() {}}, {now: () => 0});
		let reopened = 0;
		const deps = {
			session,
			runbook: {maintenance: {on: null, off: null, offWhenMidChange: false}},
			connections: {
				migrator: {plan: async () => Promise.reject(new MigrationFileError('/m/0002_x.up.sql', 'byte 3 (0xe9) is not UTF-8', {hint: 'save it as UTF-8'}))},
				async close() {},
				async reopen() {
					reopened++;
				},
			},
		} as unknown as RunDeps;
		await finishRun(deps, 'failed');
		const finished = entries.at(-1);
		assert.ok(finished?.type === 'run.finished');
		assert.equal(reopened, 0);
		assert.match(finished.versionAfterUnknown ?? '', /^the version was not read: the migrations folder does not load \(.*0002_x\.up\.sql.*not UTF-8/);
		assert.doesNotMatch(finished.versionAfterUnknown ?? '', /connection/);
	});
});
