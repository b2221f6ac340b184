import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {plainCommand} from '../../source/cli/plain-command.js';
import {cli, cutover, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';

/** A real shell pipeline; the exit status of cutover (the pipeline's first command) and what it wrote to stderr. */
function pipeline(args: string[], reader: string, env: Record<string, string | undefined>) {
	const quoted = [process.execPath, cli, ...args].map(arg => `'${arg.replaceAll('\'', '\'\\\'\'')}'`).join(' ');
	const result = spawnSync('bash', ['-c', `${quoted} 2>"$ERR" | ${reader} >/dev/null; echo "\${PIPESTATUS[0]}"; cat "$ERR"`], {
		encoding: 'utf8',
		env: {...process.env, ...env, ERR: path.join(os.tmpdir(), `cutover-pipe-${process.pid}-${Math.random()}.err`)},
	});
	const [status = '', ...stderr] = result.stdout.split('\n');
	return {status: Number(status), stderr: stderr.join('\n')};
}

/** Runs the built CLI with exactly this environment added (undefined removes a variable), stdin not a terminal. */
function run(args: string[], env: Record<string, string | undefined>) {
	const merged: NodeJS.ProcessEnv = {...process.env};
	for (const [key, value] of Object.entries(env)) {
		if (value === undefined) {
			delete merged[key];
		} else {
			merged[key] = value;
		}
	}

	const result = spawnSync(process.execPath, [cli, ...args], {encoding: 'utf8', env: merged, stdio: ['ignore', 'pipe', 'pipe']});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}

const noStack = (stderr: string) => {
	assert.doesNotMatch(stderr, /EPIPE|\n\s+at |unexpected error/, stderr);
};

describe('a command whose reader goes away', () => {
	let target: DemoTarget;
	let record: string;
	let env: Record<string, string>;
	before(async () => {
		target = await prepareDemoTarget('sqlite');
		env = {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'};
		const records = path.join(target.dir, 'records');
		const made = cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')]);
		assert.equal(made.code, 0, made.stderr);
		record = path.join(records, readdirSync(records)[0]!);
	});
	after(async () => target.cleanup());

	for (const reader of ['head -1', 'head -2', 'true']) {
		it(`status | ${reader} ends with status 0 and no stack trace`, () => {
			for (let i = 0; i < 3; i++) {
				const {status, stderr} = pipeline(['status', '--db', target.db], reader, env);
				noStack(stderr);
				assert.equal(status, 0, stderr);
			}
		});

		it(`verify <record> | ${reader} ends with the status of the verification and no stack trace`, () => {
			const {status, stderr} = pipeline(['verify', record], reader, env);
			noStack(stderr);
			// An unsigned record verifies its chain; what counts here is that no EPIPE turned it into a crash.
			assert.equal(status, run(['verify', record], env).code, stderr);
		});
	}

	for (const command of [['verify'], ['replay', '--plain']]) {
		it(`${command.join(' ')} <record> > /dev/full fails, saying the write failed, not 0 with nothing said`, () => {
			const quoted = [process.execPath, cli, ...command, record].map(arg => `'${arg}'`).join(' ');
			const result = spawnSync('bash', ['-c', `${quoted} > /dev/full`], {encoding: 'utf8', env: {...process.env, ...env}});
			assert.notEqual(result.status, 0, result.stderr);
			assert.match(result.stderr, /ENOSPC/);
		});
	}
});

describe('a settings directory that cannot be written', () => {
	// Tests run as root, whom chmod does not stop: a path under a regular file cannot be a directory for anyone.
	const unwritable = {HOME: '/etc/passwd/x', CUTOVER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined};

	it('is named, with the variable and the flag that move it, and no stack trace', () => {
		const result = run(['config'], unwritable);
		assert.equal(result.code, 1);
		noStack(result.stderr);
		assert.match(result.stderr, /cannot use the settings directory \/etc\/passwd\/x\/\.config\/cutover \(ENOTDIR/);
		assert.match(result.stderr, /CUTOVER_CONFIG_DIR=<dir> or --config-dir <dir>/);
	});

	it('is named for a run too, and for CUTOVER_CONFIG_DIR pointing at one', () => {
		const runResult = run(['run', '--db', 'sqlite:/nowhere/app.db', '--plain'], unwritable);
		assert.match(runResult.stderr, /cannot use the settings directory \/etc\/passwd\/x\/\.config\/cutover/);
		const moved = run(['config'], {CUTOVER_CONFIG_DIR: '/etc/passwd/elsewhere'});
		assert.equal(moved.code, 1);
		noStack(moved.stderr);
		assert.match(moved.stderr, /cannot use the settings directory \/etc\/passwd\/elsewhere /);
	});

	it('is moved by --config-dir, before or after the command', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-config-dir-'));
		try {
			const first = run(['--config-dir', dir, 'config', 'operatorName', 'Dana Ops'], unwritable);
			assert.equal(first.code, 0, first.stderr);
			const second = run(['config', '--config-dir', dir], unwritable);
			assert.equal(second.code, 0, second.stderr);
			assert.match(second.stdout, new RegExp(`^# ${dir}/config\\.json`, 'm'));
			assert.match(second.stdout, /operatorName = Dana Ops/);
			assert.match(run(['--help'], {}).stdout, /--config-dir <dir> +where the settings live .*CUTOVER_CONFIG_DIR/s);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});

describe('the hint off a terminal', () => {
	it('is the whole command, with every flag the operator gave, then --plain --yes --confirm-db', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const records = path.join(target.dir, 'records');
			const backups = path.join(target.dir, 'my backups');
			const args = ['run', '--db', target.db, '--migrations', 'migrations', '--checklist', 'checklists/production.yaml', '--records', records, '--backups', backups,
				'--to', '0003_archive_duplicate_meters', '--window-start', '2026-11-22T02:00:00Z', '--window-minutes', '30', '--override', 'pre.x=known, fixed later', '--yes'];
			const result = run(args, {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config')});
			assert.equal(result.code, 1);
			assert.match(result.stderr, /the console needs a terminal/);
			const hint = /run the same flow without the console: (.*) \(it stops at every gate no flag opens\)/.exec(result.stderr)?.[1];
			assert.equal(hint, [
				`cutover run --db ${target.db} --migrations migrations --checklist checklists/production.yaml --records ${records} --backups '${backups}'`,
				`--to 0003_archive_duplicate_meters --window-start 2026-11-22T02:00:00Z --window-minutes 30 --override 'pre.x=known, fixed later'`,
				`--config-dir ${path.join(target.dir, 'config')} --plain --yes --confirm-db demo`,
			].join(' '));
		} finally {
			await target.cleanup();
		}
	});

	it('hides a password in the URL, drops the answers given, and quotes for the shell', () => {
		assert.equal(
			plainCommand('run', ['--db', 'postgres://deploy:s3cret@db1/billing', '--plain', '--confirm-db', 'wrong', '--confirm-db=wrong', '--at-end', 'keep', '--override', 'a=it\'s known'], 'billing'),
			'cutover run --db \'postgres://deploy:***@db1/billing\' --at-end keep --override \'a=it\'\\\'\'s known\' --plain --yes --confirm-db billing',
		);
		assert.equal(plainCommand('run', ['--db=postgresql://u:p@h/d'], 'd'), 'cutover run \'--db=postgresql://u:***@h/d\' --plain --yes --confirm-db d');
	});
});
