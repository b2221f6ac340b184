import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {cli} from '../support/demo-targets.js';

const lint = (...files: string[]) => {
	const result = spawnSync(process.execPath, [cli, 'checklist', 'lint', ...files], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
};

describe('cutover checklist lint', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-lint-'));
	after(() => {
		rmSync(dir, {recursive: true, force: true});
	});

	it('passes the shipped runbook without a database', () => {
		const result = lint(path.join(packageRoot, 'checklists', 'production.yaml'));
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^ok {3}.*production\.yaml: "production", 3 preparation items, 3 pre and \d+ post checks$/m);
	});

	it('passes the shipped health checklist and counts its health checks and thresholds', () => {
		const result = lint(path.join(packageRoot, 'checklists', 'health.yaml'));
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^ok {3}.*health\.yaml: "health", 0 preparation items, 0 pre and 0 post checks, 4 health checks and 4 thresholds$/m);
	});

	it('names a runbook\'s observation period, and says when the handbook\'s thresholds judge it', () => {
		const observed = path.join(dir, 'observed.yaml');
		writeFileSync(observed, 'name: observed\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {minutes: 15}\n');
		const result = lint(observed);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /"observed", 0 preparation items, 0 pre and 0 post checks, an observation period of 15 min \(judged by the maintenance handbook's thresholds\) \(a runbook with no checks\)$/m);
		const bad = path.join(dir, 'observed-bad.yaml');
		writeFileSync(bad, 'name: observed\nwindow: {expected-minutes: 5}\nchecks: {}\nobserve: {minutes: 15, duration: 2s}\n');
		const failed = lint(bad);
		assert.equal(failed.code, 1);
		assert.match(failed.stdout, /^FAIL .*observed-bad\.yaml.*observe.*give one of minutes: or duration:.*\(line 4\)/m);
	});

	it('names the file, the step and the line of a typo, and exits 1', () => {
		const bad = path.join(dir, 'typo.yaml');
		writeFileSync(bad, 'name: typo\nwindow: {expected-minutes: 5}\nchecks:\n  pre:\n    - id: a\n      titel: b\n');
		const result = lint(bad);
		assert.equal(result.code, 1);
		assert.match(result.stdout, /^FAIL .*typo\.yaml: checks\.pre\[0\]\.titel: unknown key "titel"; did you mean "title"\?.*\(line 6\)$/m);
		assert.match(result.stderr, /1 of 1 checklist did not validate\n {2}→ fix what each FAIL line names/);
	});

	it('checks every file it is given, and a missing one is a failure, not a crash', () => {
		const good = path.join(dir, 'empty-checks.yaml');
		writeFileSync(good, 'name: nothing-to-check\nwindow: {expected-minutes: 5}\nchecks: {}\n');
		const result = lint(good, path.join(dir, 'absent.yaml'));
		assert.equal(result.code, 1);
		assert.match(result.stdout, /^ok {3}.*empty-checks\.yaml: "nothing-to-check", 0 preparation items, 0 pre and 0 post checks \(a runbook with no checks\)$/m);
		assert.match(result.stdout, /^FAIL .*absent\.yaml: cannot read the checklist/m);
		assert.doesNotMatch(result.stderr, /\n\s+at /);
	});

	it('is bad usage without a subcommand or a file', () => {
		assert.equal(lint().code, 2);
		const none = spawnSync(process.execPath, [cli, 'checklist'], {encoding: 'utf8'});
		assert.equal(none.status, 2);
		assert.match(none.stderr, /checklist needs a subcommand\n {2}→ cutover checklist lint/);
	});
});
