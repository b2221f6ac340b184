import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import type {ObservedFigure} from '../../source/engine/observation.js';
import {cli, cliEnv, cutover, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';

/** The production runbook with an observation period (and extra YAML) appended. */
function runbookWith(target: DemoTarget, extra: string): string {
	const file = path.join(target.dir, 'observed.yaml');
	writeFileSync(file, `${readFileSync(productionChecklist, 'utf8')}\n${extra}\n`);
	return file;
}

function run(target: DemoTarget, checklist: string, more: string[] = []) {
	const records = path.join(target.dir, 'records');
	const result = cutover(target, ['run', '--db', target.db, '--checklist', checklist, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups'), ...more]);
	const [file, ...others] = readdirSync(records).filter(f => f.endsWith('.jsonl'));
	assert.equal(others.length, 0);
	const record = path.join(records, file!);
	return {...result, record, lines: readJournal(readFileSync(record, 'utf8'))};
}

/** The record verifies and replays, the new kinds read as known ones. */
function verifiesAndReplays(target: DemoTarget, record: string): string {
	const verified = cutover(target, ['verify', record]);
	assert.equal(verified.code, 0, verified.stdout + verified.stderr);
	const replay = cutover(target, ['replay', record, '--plain']);
	assert.equal(replay.code, 0, replay.stdout + replay.stderr);
	assert.doesNotMatch(replay.stdout, /does not know/);
	return replay.stdout;
}

describe('the observation period of a plain run', () => {
	it('on SQLite: waits the runbook\'s 2 s, judges every threshold not applicable, and finishes elapsed before the rollback prompt', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const checklist = runbookWith(target, 'observe: {duration: 2s, every: 500ms}\nthresholds:\n  connections: {warn: 80%, alert: 90%}\n  lock-wait: {alert: 5s}');
			const started = Date.now();
			const result = run(target, checklist);
			assert.equal(result.code, 0, result.stdout + result.stderr);
			const kinds = result.lines.map(l => l.kind);
			const at = (kind: string) => kinds.indexOf(kind);
			assert.ok(at('post.compared') < at('observation.started') && at('observation.finished') < at('rollback.offered'), kinds.join(' '));
			const startedEvent = result.lines[at('observation.started')]!.event;
			assert.equal(startedEvent['durationMs'], 2000);
			assert.equal(startedEvent['thresholdsFrom'], 'runbook');
			const finished = result.lines[at('observation.finished')]!;
			assert.equal(finished.event['reason'], 'elapsed');
			assert.ok(Number(finished.event['observedMs']) >= 2000, String(finished.event['observedMs']));
			assert.ok(Date.now() - started >= 2000);

			// Levels never change on SQLite: one sample, not one per read (every 500 ms).
			const samples = result.lines.filter(l => l.kind === 'observation.sample');
			assert.equal(samples.length, 1);
			const figures = samples[0]!.event['figures'] as ObservedFigure[];
			assert.deepEqual(figures.map(f => [f.name, f.level]), [['connections', 'not-applicable'], ['lock-wait', 'not-applicable']]);
			assert.equal(kinds.includes('observation.breach'), false);
			assert.match(result.stdout, /observation\.started +observation period: 2 s, until .*thresholds from the runbook: connections, lock-wait/);
			assert.match(result.stdout, /observation\.sample +connections not applicable \(SQLite has no connection slots/);
			assert.match(result.stdout, /observation\.finished +observation period over after 2 s: its time elapsed; 0 breaches/);
			assert.match(result.stdout, /rollback\.offered .*observation period over \(no threshold breached\)/);

			const replay = verifiesAndReplays(target, result.record);
			assert.match(replay, /observation period over after 2 s: its time elapsed/);
		} finally {
			await target.cleanup();
		}
	});

	it('with --observe skip: records the operator\'s flag and reads no figures', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const result = run(target, runbookWith(target, 'observe: {minutes: 30}'), ['--observe', 'skip']);
			assert.equal(result.code, 0, result.stdout + result.stderr);
			const kinds = result.lines.map(l => l.kind);
			const from = kinds.indexOf('observation.started');
			assert.deepEqual(kinds.slice(from, from + 4), ['observation.started', 'operator.observation-ended', 'observation.finished', 'rollback.offered']);
			assert.equal(result.lines[from]!.event['thresholdsFrom'], 'handbook');
			assert.equal(result.lines[from + 1]!.event['flag'], '--observe skip');
			assert.equal(result.lines[from + 2]!.event['reason'], 'skipped');
			assert.match(result.stdout, /operator\.observation-ended +operator skipped the observation period \(--observe skip\)/);
			verifiesAndReplays(target, result.record);
		} finally {
			await target.cleanup();
		}
	});

	it('refuses a bad --observe', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const result = cutover(target, ['run', '--db', target.db, '--plain', '--observe', 'later']);
			assert.equal(result.code, 2, result.stdout + result.stderr);
			assert.match(result.stderr, /--observe later is not a choice/);
		} finally {
			await target.cleanup();
		}
	});

	it('on PostgreSQL: a connections threshold at 0% breaches once, is recorded and printed, and the record verifies', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			const checklist = runbookWith(target, 'observe: {duration: 3s, every: 500ms}\nthresholds:\n  connections: {alert: 0%}\n  lock-wait: {warn: 2s, alert: 5s}');
			const result = run(target, checklist);
			assert.equal(result.code, 0, result.stdout + result.stderr);
			const breaches = result.lines.filter(l => l.kind === 'observation.breach');
			// The run's own sessions are connections: over 0% at every read, one crossing only.
			assert.equal(breaches.length, 1, result.stdout);
			const figure = breaches[0]!.event['figure'] as ObservedFigure;
			assert.equal(figure.name, 'connections');
			assert.equal(figure.level, 'alert');
			assert.ok((figure.value ?? 0) > 0);
			assert.equal(breaches[0]!.event['previous'], 'ok');
			const samples = result.lines.filter(l => l.kind === 'observation.sample');
			const levels = (samples[0]!.event['figures'] as ObservedFigure[]).map(f => [f.name, f.level]);
			assert.deepEqual(levels, [['connections', 'alert'], ['lock-wait', 'ok']]);
			// Six reads or so, few samples: only when levels change.
			assert.ok(samples.length <= 2, `${samples.length} samples`);
			const finished = result.lines.find(l => l.kind === 'observation.finished')!;
			assert.equal(finished.event['reason'], 'elapsed');
			assert.equal(finished.event['breaches'], 1);
			assert.match(result.stdout, /observation\.breach +BREACH connections ALERT \(was ok\): \d+ of \d+ usable connections \([\d.]+%\) \(alert 0\.0%\)/);
			assert.match(result.stdout, /rollback\.offered .*breaches: connections alert/);

			const replay = verifiesAndReplays(target, result.record);
			assert.match(replay, /BREACH connections ALERT/);
		} finally {
			await target.cleanup();
		}
	});
});

describe('a stop during the observation period', () => {
	it('a terminate closes the period as interrupted at a safe point; resume observes for the time left and finishes the run', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const checklist = runbookWith(target, 'observe: {duration: 6s, every: 200ms}');
			const records = path.join(target.dir, 'records');
			const dirs = ['--records', records, '--backups', path.join(target.dir, 'backups')];
			const child = spawn(process.execPath, [cli, 'run', '--db', target.db, '--checklist', checklist, '--plain', '--yes', '--confirm-db', target.name, ...dirs], {
				env: {...process.env, ...cliEnv(target)}, stdio: ['ignore', 'pipe', 'pipe'],
			});
			let out = '';
			child.stdout.on('data', chunk => {
				out += String(chunk);
			});
			const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
			const deadline = Date.now() + 60_000;
			while (!out.includes('observation.sample') && Date.now() < deadline) {
				// eslint-disable-next-line no-await-in-loop -- polling
				await new Promise(resolve => setTimeout(resolve, 50));
			}

			assert.match(out, /observation\.sample/);
			await new Promise(resolve => setTimeout(resolve, 1000));
			child.kill('SIGTERM');
			assert.equal(await exited, 1, out);
			const record = path.join(records, readdirSync(records).find(f => f.endsWith('.jsonl'))!);
			const stopped = readJournal(readFileSync(record, 'utf8'));
			const kinds = stopped.map(l => l.kind);
			assert.deepEqual(kinds.slice(-2), ['observation.finished', 'run.interrupted'], kinds.join(' '));
			const interrupted = stopped.at(-2)!.event;
			assert.equal(interrupted['reason'], 'interrupted');
			const observed = Number(interrupted['observedMs']);
			assert.ok(observed >= 1000 && observed < 6000, String(observed));

			const resumed = cutover(target, ['resume', record, '--plain', '--yes', '--confirm-db', target.name, ...dirs]);
			assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
			const lines = readJournal(readFileSync(record, 'utf8')).slice(stopped.length);
			const again = lines.find(l => l.kind === 'observation.started')!;
			assert.equal(again.event['resumed'], true);
			// The time left, not the whole period again.
			const left = Number(again.event['endsAt']) - (again as unknown as {at: number}).at;
			assert.ok(Math.abs(left - (6000 - observed)) < 50, `${left} left after ${observed} observed`);
			const finished = lines.filter(l => l.kind === 'observation.finished');
			assert.deepEqual(finished.map(l => l.event['reason']), ['elapsed']);
			assert.equal(lines.at(-1)?.kind, 'run.finished');
			assert.equal(lines.at(-1)?.event['outcome'], 'upgraded');
			verifiesAndReplays(target, record);
		} finally {
			await target.cleanup();
		}
	});
});
