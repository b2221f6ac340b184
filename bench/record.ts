// What reading a long change record costs: `cutover verify` and `cutover replay --plain` of a signed
// record of 10,000 events (`npm run bench:record`; `--events N` for another size), against
// `node -e 1` timed in the same run. The record is written by the real journal and sealer, from a
// synthesized run signed with a throwaway key, and removed afterwards.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {openFileJournal} from '../source/adapters/journal-file.js';
import type {RunEvent} from '../source/engine/events.js';
import {packageRoot} from '../source/package-root.js';
import {createSession} from '../source/run/session.js';
import {attachSealer} from '../source/signing/sealer.js';
import {generateSigningKey, signerOf} from '../source/signing/signing-key.js';
import {bundledCli} from '../test/support/demo-targets.js';
import {median} from './measure.js';

const flag = (name: string, fallback: number) => {
	const at = process.argv.indexOf(name);
	const value = at === -1 ? fallback : Number(process.argv[at + 1]);
	if (!Number.isInteger(value) || value < 1) {
		throw new Error(`${name} takes a whole number of at least 1, not ${process.argv[at + 1]}`);
	}

	return value;
};

const events = flag('--events', 10_000);
const rounds = flag('--rounds', Number(process.env['CUTOVER_BENCH_ROUNDS'] ?? 5));
const goals = {verify: 100, replay: 150};

const scratch = mkdtempSync(path.join(tmpdir(), 'cutover-bench-record-'));
const env = {...process.env, CUTOVER_CONFIG_DIR: path.join(scratch, 'config'), NO_COLOR: '1'};

/** A whole run: window, a backup reporting its progress many times, verification, two migrations, the end. */
function synthesizedRun(total: number, signer: ReturnType<typeof signerOf>): RunEvent[] {
	const head: RunEvent[] = [
		{
			type: 'run.started', runId: 'bench-run', toolVersion: '0.1.0', operator: {osUser: 'ops', name: 'Ops'}, host: 'jump1',
			target: 'sqlite:/srv/demo.db', checklist: {name: 'production', path: '/c/production.yaml', sha256: 'cd'.repeat(32)},
			migrationsDir: '/m', to: null, mode: 'plain', previousRecord: null, signer,
		},
		{type: 'target.fingerprinted', fingerprint: {engine: 'sqlite', serverVersion: 'SQLite 3.53', host: 'jump1', database: 'demo', sizeBytes: 2_000_000_000, path: '/srv/demo.db'}},
		{type: 'migrations.planned', applied: [], pending: [{name: '0001_a', checksum: 'e'.repeat(64), reversible: true}, {name: '0002_b', checksum: 'f'.repeat(64), reversible: true}]},
		{type: 'window.planned', startsAt: 1_700_000_000_000, expectedMinutes: 30, prep: [{id: 'notified', text: 'Stakeholders notified'}], hooks: {on: null, off: null}},
		{type: 'operator.prep-ticked', itemId: 'notified', ticked: true},
		{type: 'operator.window-confirmed', typedName: 'demo'},
		{type: 'backup.started', path: '/backups/demo-1.db', method: 'sqlite online backup'},
	];
	const artifact = {path: '/backups/demo-1.db', format: 'sqlite-file' as const, bytes: 2_000_000_000, sha256: 'ab'.repeat(32), sourceCounts: {users: 8, meters: 40}};
	const tail: RunEvent[] = [
		{type: 'backup.finished', artifact, durationMs: 900_000},
		{type: 'verify.finished', verification: {ok: true, items: [{name: 'integrity_check', ok: true, detail: 'ok'}]}, durationMs: 10},
		{type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null},
	];
	const steps = Math.max(0, total - head.length - tail.length);
	const progress = Array.from({length: steps}, (_, i): RunEvent => {
		const pagesDone = Math.round(((i + 1) / steps) * 488_281);
		return {type: 'backup.progress', progress: {bytes: pagesDone * 4096, estimatedBytes: 2_000_000_000, pagesDone, pagesTotal: 488_281}};
	});
	return [...head, ...progress, ...tail];
}

/** Wall time of one process from spawn to exit; it must exit 0. */
async function exited(command: string, args: string[]): Promise<number> {
	const start = performance.now();
	await new Promise<void>((resolve, reject) => {
		const child = spawn(command, args, {cwd: packageRoot, env, stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		child.on('error', reject);
		child.on('exit', status => status === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${status}: ${stderr}`)));
	});
	return performance.now() - start;
}

try {
	const key = generateSigningKey(path.join(scratch, 'bench-key.pem'));
	const trusted = path.join(scratch, 'allowed_signers');
	writeFileSync(trusted, `bench ${key.sshLine}\n`);
	const record = path.join(scratch, 'records', 'bench-run.jsonl');
	const journal = openFileJournal({path: record, runId: 'bench-run'});
	let now = 1_700_000_000_000;
	const session = createSession(journal, {now: () => (now += 100)});
	const sealer = attachSealer(session, {journalPath: record, key});
	const run = synthesizedRun(events, signerOf(key));
	for (const event of run) {
		if (session.emit(event) === null) {
			throw new Error(`the synthesized run was refused at ${event.type}`);
		}
	}

	journal.close();
	sealer.detach();
	if (sealer.error !== null) {
		throw sealer.error;
	}

	console.error(`node ${process.version}, ${cpus().length} cores, ${rounds} rounds each after one warm-up; a signed record of ${run.length} events, ${(statSync(record).size / 1e6).toFixed(1)} MB, ${sealer.checkpoints} checkpoints`);
	const commands = [
		{what: `cutover verify (${run.length} events)`, goal: goals.verify, args: [bundledCli, 'verify', record, '--trusted', trusted]},
		{what: `cutover replay --plain (${run.length} events)`, goal: goals.replay, args: [bundledCli, 'replay', record, '--plain']},
	];
	const rows: string[][] = [];
	for (const {what, goal, args} of commands) {
		const baseline: number[] = [];
		const ms: number[] = [];
		// eslint-disable-next-line no-await-in-loop -- rounds must not overlap, or they would time each other
		await exited(process.execPath, args);
		for (let round = 0; round < rounds; round++) {
			// eslint-disable-next-line no-await-in-loop -- rounds must not overlap
			ms.push(await exited(process.execPath, args));
			// eslint-disable-next-line no-await-in-loop
			baseline.push(await exited(process.execPath, ['-e', '1']));
		}

		const took = median(ms);
		const bare = median(baseline);
		rows.push([what, String(rounds), took.toFixed(0), bare.toFixed(0), `${(took / bare).toFixed(2)}×`, `${took <= goal ? 'met' : 'missed'} (≤ ${goal} ms)`]);
	}

	const cells = [['what', 'rounds', 'median ms', 'node -e 1 ms', 'ratio', 'goal'], ...rows];
	const widths = cells[0]!.map((_, column) => Math.max(...cells.map(row => row[column]!.length)));
	const line = (row: string[]) => row.map((cell, column) => column === 0 || column === 5 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join('  ');
	console.log([line(cells[0]!), widths.map(width => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n'));
} finally {
	rmSync(scratch, {recursive: true, force: true});
}
