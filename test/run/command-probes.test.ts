// Command probes on real processes: exit codes, stdout matched, the output's last lines kept, a
// timeout that ends the whole pipeline, Esc, and a program that does not exist.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {localProbes} from '../../source/adapters/local-probes.js';
import {loadChecklist, type Checklist} from '../../source/checklist/index.js';
import type {CheckResult} from '../../source/engine/model.js';
import {runCheck} from '../../source/run/checks.js';
import type {RunbookCheck} from '../../source/run/plan-types.js';
import type {Database} from '../../source/ports/database.js';

const marker = `cutover-probe-app-${randomUUID()}`;
const sleeper = `31.${Math.floor(Math.random() * 1e6)}`;
const clock = {now: () => Date.now()};
// Command probes never touch the database: a run hands its own in, this one refuses any use.
const noDatabase = {engine: 'sqlite', query: async () => assert.fail('a probe ran SQL')} as unknown as Database;

const yaml = String.raw`name: commands
window: {expected-minutes: 5}
checks:
  pre:
    - {id: stopped, title: The application process is stopped, command: {run: 'pgrep -f ${marker}', exit: 1}}
    - {id: exit-three, title: Exits 3, command: {run: 'exit 3', exit: [0, 3]}}
    - {id: ready, title: Ready, command: {run: [node, -e, "console.log('ready: 3 workers')"], stdout: '/ready: \d+ workers/'}}
    - {id: not-ready, title: Not ready, command: {run: 'echo starting', stdout: ready}}
    - {id: lines, title: Lines, command: {run: 'for i in 1 2 3 4 5 6; do echo line $i; done; echo oops >&2; exit 2', exit: 2}}
    - {id: more-lines, title: More lines, command: {run: 'seq 1 20'}, evidence: 8}
    - {id: hangs, title: Hangs, command: {run: 'echo before; sleep ${sleeper}; echo after'}, timeout: 400ms}
    - {id: no-program, title: No such program, command: {run: [cutover-no-such-program-x]}}
    - {id: simple-not-found, title: A simple line run directly, command: {run: cutover-no-such-program-x --help}}
    - {id: shell-not-found, title: Not found through the shell, command: {run: 'cutover-no-such-program-x 2>&1'}}
    - {id: echoes-secret, title: Echoes what it sends, command: {run: 'echo "Authorization: Bearer $PROBE_TOKEN" >&2; echo sent', stdout: sent}}
`;

describe('command probes on real processes', () => {
	let dir = '';
	let checklist: Checklist;
	const check = (id: string): RunbookCheck => checklist.checks.pre.find(c => c.id === id)!;
	const run = async (id: string, control: {signal?: AbortSignal} = {}): Promise<CheckResult> => runCheck(noDatabase, check(id), 'pre', [], clock, id, {probes: localProbes({}), ...control});

	before(async () => {
		dir = mkdtempSync(path.join(tmpdir(), 'cutover-commands-'));
		writeFileSync(path.join(dir, 'c.yaml'), yaml);
		checklist = await loadChecklist(path.join(dir, 'c.yaml'));
	});
	after(() => {
		rmSync(dir, {recursive: true, force: true});
	});

	it('hides the values of the variables the command names from its output (curl -v echoes what it sent)', async () => {
		const token = `tok-${randomUUID()}`;
		process.env['PROBE_TOKEN'] = token;
		try {
			const result = await runCheck(noDatabase, check('echoes-secret'), 'pre', [], clock, 'echoes-secret', {probes: localProbes(process.env)});
			assert.equal(result.verdict, 'passed', result.detail);
			assert.ok(!JSON.stringify(result).includes(token), JSON.stringify(result.evidence));
			assert.match(JSON.stringify(result.evidence), /Authorization: Bearer \*\*\*/);
		} finally {
			delete process.env['PROBE_TOKEN'];
		}
	});

	it('pgrep: fails while the application runs, passes once it is stopped', async () => {
		const app = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', marker], {stdio: 'ignore'});
		try {
			await new Promise(resolve => setTimeout(resolve, 200));
			const running = await run('stopped');
			assert.equal(running.verdict, 'failed', running.detail);
			assert.equal(running.detail, 'exit 0, expected 1');
			assert.equal(running.evidence.rows[0]![0], 'exit');
			assert.ok(running.evidence.rows.some(r => r[1] === String(app.pid)), `the evidence shows the pid: ${JSON.stringify(running.evidence.rows)}`);
			assert.equal(running.probe, 'command');
			assert.equal(running.sql, `pgrep -f ${marker}`);
			assert.equal(running.expectation, 'exit 1');
		} finally {
			app.kill('SIGKILL');
			await new Promise(resolve => app.once('exit', resolve));
		}

		const stopped = await run('stopped');
		assert.equal(`${stopped.verdict}: ${stopped.detail}`, 'passed: exit 1');
		assert.deepEqual(stopped.evidence.rows, [['exit', 1]]);
	});

	it('judges exit codes and stdout', async () => {
		assert.equal((await run('exit-three')).detail, 'exit 3');
		const ready = await run('ready');
		assert.equal(`${ready.verdict}: ${ready.detail}`, String.raw`passed: exit 0, stdout matches /ready: \d+ workers/`);
		assert.equal(ready.sql, 'node -e \'console.log(\'\\\'\'ready: 3 workers\'\\\'\')\'');
		const notReady = await run('not-ready');
		assert.equal(`${notReady.verdict}: ${notReady.detail}`, 'failed: exit 0, but stdout does not contain "ready"');
	});

	it('keeps the exit code and the last lines of stdout and stderr', async () => {
		const lines = await run('lines');
		assert.equal(lines.verdict, 'passed', lines.detail);
		assert.deepEqual(lines.evidence.rows, [['exit', 2], ['output', 'line 4'], ['output', 'line 5'], ['output', 'line 6'], ['output', 'oops']]);
		assert.equal(lines.evidence.columns[1], 'value (output: the last 4 of 7 lines)');
		const more = await run('more-lines');
		assert.deepEqual(more.evidence.rows.slice(1).map(r => r[1]), ['13', '14', '15', '16', '17', '18', '19', '20'], 'evidence: 8 keeps eight lines');
	});

	it('stops a command at its timeout, the whole pipeline with it, and keeps what it wrote', async () => {
		const started = Date.now();
		const hung = await run('hangs');
		assert.equal(`${hung.verdict}: ${hung.detail}`, 'timed-out: stopped at its timeout of 0.4 s');
		assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
		assert.deepEqual(hung.evidence.rows, [['exit', 'timed-out'], ['output', 'before']]);
		// The sleep in the middle of the line was the shell's child: it is gone too.
		await new Promise(resolve => setTimeout(resolve, 100));
		assert.equal(spawnSync('pgrep', ['-f', `sleep ${sleeper}`]).status, 1, 'the sleep was ended');
	});

	it('stops when the operator cancels', async () => {
		const stop = new AbortController();
		setTimeout(() => stop.abort(), 150);
		const result = await runCheck(noDatabase, {...check('hangs'), timeoutMs: 30_000}, 'pre', [], clock, 'hangs', {probes: localProbes({}), signal: stop.signal, reason: () => 'stopped with Esc'});
		assert.equal(result.verdict, 'cancelled');
		assert.match(result.detail, /^stopped with Esc after 0\.\d s$/);
	});

	it('a program that does not exist is an error saying so; through the shell, its 127', async () => {
		const missing = await run('no-program');
		assert.equal(`${missing.verdict}: ${missing.detail}`, 'error: cutover-no-such-program-x: no such program (looked for in PATH)');
		const simple = await run('simple-not-found');
		assert.equal(`${simple.verdict}: ${simple.detail}`, 'error: cutover-no-such-program-x: no such program (looked for in PATH)', 'a line without shell syntax runs without a shell');
		const shell = await run('shell-not-found');
		assert.equal(`${shell.verdict}: ${shell.detail}`, 'failed: exit 127, expected 0');
		assert.match(String(shell.evidence.rows[1]?.[1]), /not found/);
	});
});
