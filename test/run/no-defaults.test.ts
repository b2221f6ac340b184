// Outside `cutover demo`, a run and status use what the working directory holds or the flags name, never cutover's own demo files.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {cli, cliEnv, demoMigrations, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';

const scratch: string[] = [];
after(() => {
	for (const dir of scratch) {
		rmSync(dir, {recursive: true, force: true});
	}
});

/** An empty working directory, or one with the given files copied in. */
function workdir(files: {migrations?: boolean; checklists?: Record<string, string>} = {}): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-cwd-'));
	scratch.push(dir);
	if (files.migrations) {
		cpSync(demoMigrations, path.join(dir, 'migrations'), {recursive: true});
	}

	if (files.checklists) {
		mkdirSync(path.join(dir, 'checklists'));
		for (const [name, text] of Object.entries(files.checklists)) {
			writeFileSync(path.join(dir, 'checklists', name), text);
		}
	}

	return dir;
}

const inDir = (cwd: string, target: DemoTarget, args: string[]) => {
	const result = spawnSync(process.execPath, [cli, ...args], {cwd, encoding: 'utf8', env: {...process.env, ...cliEnv(target)}, timeout: 120_000});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
};

const noChecks = 'name: no-checks\nwindow:\n  expected-minutes: 10\nchecks: {}\n';

describe('no silent defaults', async () => {
	const target = await prepareDemoTarget('sqlite');
	after(async () => target.cleanup());
	const dirs = ['--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')];
	const plain = ['--plain', '--yes', '--confirm-db', target.name, ...dirs];

	it('run from an empty directory without flags stops and names --migrations', () => {
		const run = inDir(workdir(), target, ['run', '--db', target.db, ...plain]);
		assert.equal(run.code, 2, run.stderr);
		assert.match(run.stderr, /no migrations: --migrations was not given and .* has no migrations\/ directory/);
		assert.match(run.stderr, /pass --migrations <directory>/);
		assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
		assert.deepEqual(readdirSync(target.dir).filter(f => f === 'records'), [], 'nothing was written');
	});

	it('status from an empty directory names --migrations instead of listing the demo\'s migrations', () => {
		const status = inDir(workdir(), target, ['status', '--db', target.db]);
		assert.equal(status.code, 2, status.stderr);
		assert.match(status.stderr, /pass --migrations <directory>/);
		assert.doesNotMatch(status.stdout, /pending/);
	});

	it('status uses ./migrations and says so', () => {
		const cwd = workdir({migrations: true});
		const status = inDir(cwd, target, ['status', '--db', target.db]);
		assert.equal(status.code, 0, status.stderr);
		// The shipped examples (and the split runbook's folders) sit in folders of their own there, which the demo does not run.
		assert.ok(status.stdout.includes(`migrations from ${path.join(cwd, 'migrations')} · golang-migrate format · `), status.stdout);
		assert.match(status.stdout, /· golang-migrate format · \d+ files ignored: [^\n]*\bexamples\/[^\n]*\n/);
		assert.match(status.stdout, /pending {2}0002/);
	});

	it('run with ./migrations but no checklist names --checklist', () => {
		const run = inDir(workdir({migrations: true}), target, ['run', '--db', target.db, ...plain]);
		assert.equal(run.code, 2, run.stderr);
		assert.match(run.stderr, /no checklist: --checklist was not given and .* has no checklists\/\*\.yaml/);
		assert.match(run.stderr, /pass --checklist <file\.yaml>/);
	});

	it('several checklists: asks which with --checklist', () => {
		const run = inDir(workdir({migrations: true, checklists: {'a.yaml': noChecks, 'b.yaml': noChecks}}), target, ['run', '--db', target.db, ...plain]);
		assert.equal(run.code, 2, run.stderr);
		assert.match(run.stderr, /several checklists in .*checklists: a\.yaml, b\.yaml/);
		assert.match(run.stderr, /say which with --checklist/);
	});

	it('several checklists with a production.yaml among them: that one, named in the record', async () => {
		// A database and records of its own: the next test upgrades the shared one and reads its only record.
		const own = await prepareDemoTarget('sqlite');
		try {
			const cwd = workdir({migrations: true, checklists: {'health.yaml': noChecks, 'production.yaml': noChecks.replace('no-checks', 'prod'), 'z.yaml': noChecks}});
			const run = inDir(cwd, own, ['run', '--db', own.db, '--plain', '--yes', '--confirm-db', own.name, '--records', path.join(own.dir, 'records'), '--backups', path.join(own.dir, 'backups')]);
			assert.equal(run.code, 0, run.stderr + run.stdout);
			assert.ok(run.stdout.includes(`checklist prod (${path.join(cwd, 'checklists', 'production.yaml')})`), run.stdout);
		} finally {
			await own.cleanup();
		}
	});

	it('uses ./migrations and the one ./checklists/*.yaml, says so, and runs a runbook with no checks', () => {
		const cwd = workdir({migrations: true, checklists: {'only.yaml': noChecks}});
		const run = inDir(cwd, target, ['run', '--db', target.db, ...plain]);
		assert.equal(run.code, 0, run.stderr + run.stdout);
		assert.ok(run.stdout.includes(`checklist no-checks (${path.join(cwd, 'checklists', 'only.yaml')}), migrations from ${path.join(cwd, 'migrations')}`), run.stdout);
		const records = path.join(target.dir, 'records');
		const record = readdirSync(records).find(f => f.endsWith('.jsonl'));
		assert.ok(record);
		const lines = readJournal(readFileSync(path.join(records, record), 'utf8'));
		const started = lines.find(l => l.kind === 'run.started')?.event as unknown as {checklist: {path: string}; migrationsDir: string};
		assert.equal(started.checklist.path, path.join(cwd, 'checklists', 'only.yaml'));
		assert.equal(started.migrationsDir, path.join(cwd, 'migrations'));
		assert.ok(!lines.some(l => l.kind === 'check.finished'), 'no check of the demo runbook ran');
		assert.ok(lines.some(l => l.kind === 'window.planned' && (l.event as {checks?: unknown}).checks !== undefined));
		assert.notEqual(productionChecklist, started.checklist.path);
	});

	it('passes over a file of health checks alone: it is for cutover health, not a runbook for a run', () => {
		const health = 'name: health\nchecks:\n  health:\n    - {id: users, title: Users, row_count: {table: users, min: 1}}\nthresholds:\n  connections: {alert: 90%}\n';
		const alone = inDir(workdir({migrations: true, checklists: {'health.yaml': health}}), target, ['run', '--db', target.db, ...plain]);
		assert.equal(alone.code, 2, alone.stderr);
		assert.match(alone.stderr, /no checklist: .* has no checklists\/\*\.yaml \(health\.yaml holds health checks only, for cutover health\)\n {2}→ pass --checklist/);
		const cwd = workdir({migrations: true, checklists: {'health.yaml': health, 'only.yaml': noChecks}});
		const beside = inDir(cwd, target, ['run', '--db', target.db, ...plain]);
		assert.equal(beside.code, 0, beside.stderr + beside.stdout);
		assert.ok(beside.stdout.includes(`checklist no-checks (${path.join(cwd, 'checklists', 'only.yaml')})`), beside.stdout);
	});
});
