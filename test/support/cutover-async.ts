import {spawn} from 'node:child_process';
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import type {CheckResult} from '../../source/engine/model.js';
import {cli, cliEnv, readJournal, type DemoTarget} from './demo-targets.js';

/**
 * The built CLI, asynchronously: an application it probes can answer from the test's own process
 * meanwhile. `env` is laid over the test's environment; a name given as undefined is removed.
 */
export async function cutoverAsync(target: DemoTarget, args: string[], env: Record<string, string | undefined> = {}) {
	const merged: Record<string, string | undefined> = {...process.env, ...cliEnv(target), ...env};
	const child = spawn(process.execPath, [cli, ...args], {env: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)), stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString('utf8');
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	const code = await new Promise<number | null>(resolve => child.once('close', resolve));
	return {code, stdout, stderr};
}

/** The newest record in the target's records/: its text, its events, each check's result and verdict line (phase.id), and the outcome. */
export function latestRecord(target: DemoTarget) {
	const records = path.join(target.dir, 'records');
	const file = readdirSync(records).filter(f => f.endsWith('.jsonl')).map(f => path.join(records, f)).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs).at(-1);
	if (file === undefined) {
		throw new Error(`no record in ${records}`);
	}

	const text = readFileSync(file, 'utf8');
	const events = readJournal(text).map(l => l.event);
	const results = events.filter(e => e.type === 'check.finished').map(e => e['result'] as CheckResult);
	return {
		file,
		text,
		events,
		results,
		verdicts: Object.fromEntries(results.map(r => [`${r.phase}.${r.id}`, `${r.verdict}: ${r.detail}`])),
		outcome: events.find(e => e.type === 'run.finished')?.['outcome'],
	};
}

/** The directories a test's run keeps to itself. */
export const runDirs = (target: DemoTarget) => ['--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')];
