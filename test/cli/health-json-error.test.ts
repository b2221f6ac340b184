// cutover health --json answers in JSON when it could not check, so a monitor parsing stdout sees
// status could-not-check rather than nothing, with exit 3 as ever.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {cli} from '../support/demo-targets.js';

describe('cutover health --json when it cannot check', () => {
	it('prints one JSON object saying so, the error and its hint, and exits 3', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'cutover-health-json-'));
		try {
			const result = spawnSync(process.execPath, [cli, 'health', '--db', `sqlite:${path.join(dir, 'missing.db')}`, '--checklist', path.join(packageRoot, 'checklists/health.yaml'), '--json'], {
				encoding: 'utf8',
				env: {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'},
			});
			assert.equal(result.status, 3, result.stdout + result.stderr);
			const answer = JSON.parse(result.stdout) as {status: string; exitCode: number; error: string; hint: string | null};
			assert.equal(answer.status, 'could-not-check');
			assert.equal(answer.exitCode, 3);
			assert.match(answer.error, /missing\.db/);
			assert.ok(answer.hint !== null && answer.hint.length > 0, 'the hint says what to do');
			assert.match(result.stderr, /missing\.db/, 'the message is on stderr too');
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
