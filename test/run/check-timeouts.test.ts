// A check that runs too long ends timed out, one the operator stops ends cancelled, both on the
// record with their SQL and how long they ran; either blocks the upgrade like a failure.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {openDatabase} from '../../source/adapters/open-target.js';
import {systemClock} from '../../source/adapters/system-clock.js';
import type {Entry} from '../../source/engine/events.js';
import {Interruption} from '../../source/run/interruption.js';
import {runRecordedCheck} from '../../source/run/checks.js';
import {createSession} from '../../source/run/session.js';
import type {RunbookCheck} from '../../source/run/plan-types.js';
import {parseTarget} from '../../source/target.js';
import {cutover, prepareDemoTarget, readJournal, type DemoTarget} from '../support/demo-targets.js';
import {rowsOf} from '../support/outcome.js';

const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

const slowChecklist = (sql: {sqlite: string; postgres: string}) => `name: slow
window:
  expected-minutes: 5
checks:
  timeout: 20s
  pre:
    - id: quick
      title: A quick one
      expect: some-rows
      sql: SELECT 1
    - id: slow
      title: One that never ends
      expect: no-rows
      timeout: 1s
      sql:
        sqlite: "${sql.sqlite}"
        postgres: "${sql.postgres}"
`;

const check = (sql: string, timeoutMs: number): RunbookCheck => ({id: 'slow', title: 'One that never ends', blocking: true, expect: {kind: 'no-rows'}, sql: {sqlite: sql, postgres: sql}, timeoutMs});

function memorySession() {
	const entries: Entry[] = [];
	return {entries, session: createSession({path: 'memory', append: entry => entries.push(entry), close() {}}, systemClock)};
}

for (const engine of ['sqlite', 'postgres'] as const) {
	const sleeper = engine === 'sqlite' ? endless : 'select pg_sleep(30)';
	describe(`check timeouts and cancel on ${engine}`, () => {
		it('a plain run records the check as timed out after its timeout, and the upgrade gate stays closed', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const checklist = path.join(target.dir, 'slow.yaml');
				writeFileSync(checklist, slowChecklist({sqlite: endless, postgres: 'select pg_sleep(30)'}));
				const run = cutover(target, ['run', '--db', target.db, '--checklist', checklist, '--plain', '--yes', '--confirm-db', target.name, ...dirs(target)]);
				assert.equal(run.code, 1, run.stdout + run.stderr);
				assert.match(run.stdout, /pre slow: running \(timeout 1 s\)/);
				assert.match(run.stdout, /pre slow: TIMED-OUT: stopped at its timeout of 1\.0 s/);
				assert.match(run.stdout, /upgrade not started: blocking check slow timed out: stopped at its timeout of 1\.0 s/);
				const lines = onlyRecord(target);
				const result = lines.find(l => l.kind === 'check.finished' && (l.event['result'] as {id: string}).id === 'slow')?.event['result'] as {verdict: string; sql: string; durationMs: number; timeoutMs: number};
				assert.equal(result.verdict, 'timed-out');
				assert.equal(result.timeoutMs, 1000);
				assert.equal(result.sql, sleeper);
				assert.ok(result.durationMs >= 900 && result.durationMs < 5000, `ran ${result.durationMs} ms`);
				const quick = lines.find(l => l.kind === 'check.started' && l.event['id'] === 'quick');
				assert.equal(quick?.event['timeoutMs'], 20_000, 'the checklist default applies to a check without its own');
				assert.ok(!lines.some(l => l.kind === 'upgrade.started'), 'no upgrade');
			} finally {
				await target.cleanup();
			}
		});

		it('the operator\'s cancel stops the running check at once, and it is recorded cancelled', async () => {
			const target = await prepareDemoTarget(engine);
			const database = await openDatabase(parseTarget(target.db));
			try {
				const {session, entries} = memorySession();
				const stop = new AbortController();
				setTimeout(() => session.emit({type: 'operator.check-cancelled', id: 'slow', phase: 'pre'}), 700);
				const started = Date.now();
				const result = await runRecordedCheck({session, clock: systemClock, signal: stop.signal, connections: {database}}, check(sleeper, 60_000), 'pre');
				assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
				assert.equal(result.verdict, 'cancelled');
				assert.match(result.detail, /^stopped with Esc after \d\.\d s$/);
				assert.equal(result.sql, sleeper);
				assert.deepEqual(entries.map(e => e.event.type), ['check.started', 'operator.check-cancelled', 'check.finished']);
				assert.equal(session.state.runningCheck, null);
				assert.equal(session.state.checks[0]?.verdict, 'cancelled');
				// The connection is usable for the next check.
				assert.deepEqual(rowsOf(await database.query('SELECT 1 AS one')), [[1]]);
			} finally {
				await database.close();
				await target.cleanup();
			}
		});

		it('leaving the run stops the running check; a hang-up lets it run to its end', async () => {
			const target = await prepareDemoTarget(engine);
			const database = await openDatabase(parseTarget(target.db));
			try {
				const leave = new AbortController();
				setTimeout(() => leave.abort(), 300);
				const left = await runRecordedCheck({...memorySession(), clock: systemClock, signal: leave.signal, connections: {database}}, check(sleeper, 60_000), 'pre');
				assert.equal(left.verdict, 'cancelled');
				assert.match(left.detail, /^stopped on leaving the run after/);

				const hangUp = new AbortController();
				setTimeout(() => hangUp.abort(new Interruption('SIGHUP')), 100);
				const finished = await runRecordedCheck({...memorySession(), clock: systemClock, signal: hangUp.signal, connections: {database}}, check(engine === 'sqlite' ? 'SELECT 1 FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 3000000) SELECT count(*) FROM c) WHERE 0' : 'SELECT 1 FROM pg_sleep(0.6) WHERE false', 60_000), 'pre');
				assert.equal(finished.verdict, 'passed', finished.detail);
			} finally {
				await database.close();
				await target.cleanup();
			}
		});
	});
}

function dirs(target: DemoTarget) {
	return ['--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')];
}

function onlyRecord(target: DemoTarget) {
	const files = readdirSync(path.join(target.dir, 'records')).filter(name => name.endsWith('.jsonl'));
	assert.equal(files.length, 1, `one record, found ${files.join(', ')}`);
	return readJournal(readFileSync(path.join(target.dir, 'records', files[0]!), 'utf8'));
}
