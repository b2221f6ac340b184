// How soon cutover answers, against `node -e 1` timed in the same run on the same machine:
// `npm run bench:startup`. Figures are ratios to that baseline, never absolute promises.
import {execFileSync, spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import {packageRoot} from '../source/package-root.js';
import {bundledCli, prepareDemoTarget, type DemoTarget} from '../test/support/demo-targets.js';
import {median} from './measure.js';

const rounds = Number(process.env['CUTOVER_BENCH_ROUNDS'] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) {
	throw new Error(`CUTOVER_BENCH_ROUNDS must be a whole number of at least 1, not ${process.env['CUTOVER_BENCH_ROUNDS']}`);
}

// What the operator runs (the bundle, as `bin` and `npm start` do); another entry point to time the
// same way, e.g. the unbundled dist/source/cli/main.js: CUTOVER_BENCH_CLI=<file>.
const cli = process.env['CUTOVER_BENCH_CLI'] === undefined ? bundledCli : path.resolve(process.env['CUTOVER_BENCH_CLI']);

const scratch = mkdtempSync(path.join(tmpdir(), 'cutover-bench-startup-'));
const env = {...process.env, CUTOVER_CONFIG_DIR: path.join(scratch, 'config'), NO_COLOR: '1'};

/** Wall time of one process from spawn to exit. */
async function exited(command: string, args: string[]): Promise<number> {
	const start = performance.now();
	const code = await new Promise<number | null>((resolve, reject) => {
		const child = spawn(command, args, {cwd: packageRoot, env, stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		child.on('error', reject);
		child.on('exit', status => status === 0 || status === 1 ? resolve(status) : reject(new Error(`${command} ${args.join(' ')} exited ${status}: ${stderr}`)));
	});
	void code;
	return performance.now() - start;
}

/**
 * Wall time from starting the command in an 80x24 tmux terminal until its screen matches
 * `frame`, polled every 10 ms; the terminal is then closed (SIGHUP, a resumable stop).
 * `painted`, when given, hears when the screen first showed anything.
 */
async function firstFrame(command: string[], frame: RegExp, painted?: (ms: number) => void): Promise<number> {
	const socket = `cutover-bench-${randomBytes(4).toString('hex')}`;
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const quoted = command.map(arg => `'${arg.replaceAll('\'', '\'\\\'\'')}'`).join(' ');
	const vars = `CUTOVER_CONFIG_DIR='${env.CUTOVER_CONFIG_DIR}' NO_COLOR=1 TERM=xterm-256color`;
	const start = performance.now();
	tmux('new-session', '-d', '-s', 'run', '-x', '80', '-y', '24', '-c', packageRoot, `env ${vars} ${quoted}; sleep 600`);
	try {
		let last = '';
		let blank = true;
		while (performance.now() - start < 120_000) {
			last = tmux('capture-pane', '-p', '-t', 'run');
			if (blank && last.trim() !== '') {
				blank = false;
				painted?.(performance.now() - start);
			}

			if (frame.test(last)) {
				return performance.now() - start;
			}

			// eslint-disable-next-line no-await-in-loop -- polling
			await sleep(10);
		}

		throw new Error(`${command.join(' ')} did not show ${String(frame)} within 120 s; it shows:\n${last}`);
	} finally {
		// The command's own process (the pane's shell runs it, then `sleep`): the next round waits for it to end.
		const shell = tmux('display-message', '-p', '-t', 'run', '#{pane_pid}').trim();
		const children = childrenOf(shell);
		tmux('kill-server');
		// The stopped run lets go of its lock before the next round takes it: on a loaded machine a
		// PostgreSQL run takes seconds to stop its lock trace and drop its copy.
		const until = performance.now() + 60_000;
		while (children.some(alive) && performance.now() < until) {
			// eslint-disable-next-line no-await-in-loop -- polling
			await sleep(50);
		}
	}
}

function childrenOf(pid: string): number[] {
	try {
		return execFileSync('pgrep', ['-P', pid], {encoding: 'utf8'}).split('\n').filter(line => line !== '').map(Number);
	} catch {
		// pgrep finds none: the command has already ended.
		return [];
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

type Row = {what: string; ms: number[]; baseline: number[]};
const rows: Row[] = [];

/** Rounds of `work` alternated with rounds of the baseline, after one unrecorded warm-up of each. */
async function against(what: string, baseline: () => Promise<number>, work: (round: number) => Promise<number>): Promise<void> {
	await baseline();
	await work(-1);
	const row: Row = {what, ms: [], baseline: []};
	for (let round = 0; round < rounds; round++) {
		// eslint-disable-next-line no-await-in-loop -- rounds must not overlap, or they would time each other
		row.ms.push(await work(round));
		// eslint-disable-next-line no-await-in-loop
		row.baseline.push(await baseline());
	}

	rows.push(row);
	console.error(`  ${what}: ${median(row.ms).toFixed(0)} ms`);
}

const bareNode = async () => exited(process.execPath, ['-e', '1']);
const bareNodeFrame = async () => firstFrame([process.execPath, '-e', 'console.log("bench-ready")'], /bench-ready/);
// The window screen, fingerprint and plan read: what the operator first acts on.
const windowScreen = /Type the database name/;

const targets: DemoTarget[] = [];
try {
	console.error(`node ${process.version}, ${cpus().length} cores, ${rounds} rounds each after one warm-up; ${path.relative(packageRoot, cli)}`);
	const sqlite = await prepareDemoTarget('sqlite');
	targets.push(sqlite);
	const postgres = await prepareDemoTarget('postgres');
	targets.push(postgres);
	const demoRun = await new Promise<string>((resolve, reject) => {
		const child = spawn(process.execPath, [cli, 'demo', '--plain', '--dir', path.join(scratch, 'demo')], {cwd: packageRoot, env, stdio: ['ignore', 'pipe', 'inherit']});
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
		});
		child.on('exit', status => {
			const record = /^change record: (.+)$/m.exec(out)?.[1];
			return status === 0 && record !== undefined ? resolve(record) : reject(new Error(`demo --plain failed:\n${out}`));
		});
	});

	console.error('commands, spawn to exit:');
	await against('cutover --help', bareNode, async () => exited(process.execPath, [cli, '--help']));
	await against('cutover verify (one demo record)', bareNode, async () => exited(process.execPath, [cli, 'verify', demoRun, '--allow-unsigned']));
	await against('cutover status (SQLite)', bareNode, async () => exited(process.execPath, [cli, 'status', '--db', sqlite.db]));
	await against('cutover status (PostgreSQL)', bareNode, async () => exited(process.execPath, [cli, 'status', '--db', postgres.db]));
	console.error('consoles, start to window screen in tmux (baseline: node printing a line there):');
	for (const target of [sqlite, postgres]) {
		const run = (round: number) => [process.execPath, cli, 'run', '--db', target.db, '--records', path.join(target.dir, `records-${round}`), '--backups', path.join(target.dir, 'backups')];
		const engine = target.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
		// The same rounds, read twice: when anything showed (the early frame), and when the window screen could be answered.
		const painted: number[] = [];
		// eslint-disable-next-line no-await-in-loop -- one console at a time
		await against(`console first frame (${engine})`, bareNodeFrame, async round => firstFrame(run(round), windowScreen, ms => {
			if (round >= 0) {
				painted.push(ms);
			}
		}));
		rows.push({what: `  of which anything on screen (${engine})`, ms: painted, baseline: rows.at(-1)!.baseline});
	}

	if (process.argv.includes('--npm-start')) {
		// A built tree: what a newcomer's second `npm start` costs before the demo's window shows.
		await against('npm start (built tree)', bareNodeFrame, async () => firstFrame(['npm', 'start', '--silent'], windowScreen));
	}

	console.log(formatRows(rows));
} finally {
	for (const target of targets) {
		// eslint-disable-next-line no-await-in-loop
		await target.cleanup();
	}

	rmSync(scratch, {recursive: true, force: true});
}

function formatRows(all: Row[]): string {
	const cells = [['what', 'rounds', 'median ms', 'baseline ms', 'ratio'], ...all.map(row => {
		const ms = median(row.ms);
		const baseline = median(row.baseline);
		return [row.what, String(row.ms.length), ms.toFixed(0), baseline.toFixed(0), `${(ms / baseline).toFixed(2)}×`];
	})];
	const widths = cells[0]!.map((_, column) => Math.max(...cells.map(row => row[column]!.length)));
	const line = (row: string[]) => row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join('  ');
	return [line(cells[0]!), widths.map(width => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line), '',
		'baseline: `node -e 1` for commands; for consoles and npm start, node printing one line in the same tmux terminal.'].join('\n');
}
