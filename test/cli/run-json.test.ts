import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {describe, it} from 'node:test';
import type {JournalLine} from '../../source/journal/line.js';
import {cli, cliEnv, cutover, demoMigrations, prepareDemoTarget, productionChecklist, type DemoTarget} from '../support/demo-targets.js';
import {SLOW, slowMigrations} from '../resume/interrupted-runs.js';

type JsonLine = {seq: number; at: number; event: {type: string} & Record<string, unknown>};

const records = (target: DemoTarget) => path.join(target.dir, 'records');
const dirs = (target: DemoTarget) => ['--records', records(target), '--backups', path.join(target.dir, 'backups')];

function recordOf(target: DemoTarget): {file: string; lines: JournalLine[]} {
	const files = readdirSync(records(target)).filter(f => f.endsWith('.jsonl'));
	assert.equal(files.length, 1, files.join(', '));
	const file = path.join(records(target), files[0]!);
	return {file, lines: readFileSync(file, 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line) as JournalLine)};
}

/** Every line of stdout is one JSON object: nothing else may be there for a CI system to trip on. */
function jsonLines(stdout: string): JsonLine[] {
	assert.ok(stdout.endsWith('\n'), 'ends with a newline');
	return stdout.slice(0, -1).split('\n').map((line, i) => {
		let parsed: unknown;
		assert.doesNotThrow(() => {
			parsed = JSON.parse(line);
		}, `stdout line ${i + 1} is JSON: ${line}`);
		assert.deepEqual(Object.keys(parsed as object).sort(), ['at', 'event', 'seq']);
		return parsed as JsonLine;
	});
}

const asEntries = (lines: readonly JournalLine[]) => lines.map(line => ({seq: line.seq, at: line.at, event: line.event}));

async function withTarget(work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget('sqlite');
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

describe('cutover run --json', () => {
	it('prints each event of the record as one JSON line, in order, and nothing else on stdout; the record verifies', async () => withTarget(async target => {
		const run = cutover(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', productionChecklist, ...dirs(target), '--json', '--yes', '--confirm-db', target.name, '--override', 'duplicate-meters=0003 archives them']);
		assert.equal(run.code, 0, run.stderr);
		const printed = jsonLines(run.stdout);
		const record = recordOf(target);
		assert.deepEqual(printed, asEntries(record.lines));
		assert.deepEqual(printed.map(p => p.seq), printed.map((_, i) => i));
		assert.equal(printed[0]?.event.type, 'run.started');
		assert.equal(printed[0]?.event['mode'], 'plain');
		assert.equal(printed.at(-1)?.event.type, 'run.finished');
		assert.ok(printed.some(p => p.event.type === 'check.finished'));
		// What is said to a human goes to stderr.
		assert.match(run.stderr, /^outcome: upgraded\nchange record: .*\.jsonl$/m);
		assert.match(run.stderr, /made a signing key/);
		const verify = cutover(target, ['verify', record.file]);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /^verified: 1 record/m);
	}));

	it('implies the non-interactive flow: off a terminal it fails closed at the window without --yes, still in JSON lines', async () => withTarget(async target => {
		const run = cutover(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', productionChecklist, ...dirs(target), '--json']);
		assert.equal(run.code, 1, run.stderr);
		const printed = jsonLines(run.stdout);
		assert.deepEqual(printed, asEntries(recordOf(target).lines));
		assert.ok(!printed.some(p => p.event.type === 'backup.started'), 'nothing past the window');
		assert.doesNotMatch(run.stderr, /the console needs a terminal/);
	}));

	it('on resume prints the events the resume adds, after those the interrupted run printed', async () => withTarget(async target => {
		const migrations = slowMigrations(target);
		const args = ['run', '--db', target.db, '--migrations', migrations, '--checklist', productionChecklist, ...dirs(target), '--json', '--yes', '--confirm-db', target.name, '--override', 'duplicate-meters=0003 archives them'];
		const child = spawn(process.execPath, [cli, ...args], {env: {...process.env, ...cliEnv(target)}, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
		});
		const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
		const deadline = Date.now() + 60_000;
		while (!stdout.includes(`"name":"${SLOW}"`) || !stdout.includes('"type":"migration.started"')) {
			assert.ok(Date.now() < deadline, `the slow migration never started: ${stdout.slice(-500)}`);
			// eslint-disable-next-line no-await-in-loop -- polling
			await sleep(50);
		}

		child.kill('SIGTERM');
		assert.equal(await exited, 1);
		const first = jsonLines(stdout);
		const interrupted = recordOf(target);
		assert.deepEqual(first, asEntries(interrupted.lines));
		assert.equal(first.at(-1)?.event.type, 'run.interrupted');

		const resume = cutover(target, ['resume', interrupted.file, '--json', '--yes', '--confirm-db', target.name, '--migrations', migrations, ...dirs(target)]);
		assert.equal(resume.code, 0, resume.stderr);
		assert.match(resume.stderr, /^Resuming /);
		const added = jsonLines(resume.stdout);
		const whole = recordOf(target).lines;
		assert.deepEqual(added, asEntries(whole.slice(first.length)));
		assert.equal(added[0]?.seq, first.length);
		assert.equal(added.at(-1)?.event.type, 'run.finished');
		const verify = cutover(target, ['verify', interrupted.file]);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
	}));
});
