import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {bundledCli, demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';

// The other tests run dist/source, to test the code; these run what `bin` and `npm start` run, the
// bundle, from a directory that is not the package, so the package root, the demo's files, the
// SQLite query process and backup worker (started by path) and the lazily loaded chunks are found
// from dist/bundle/.
const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-bundle-'));
const env = {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'};

function bundle(args: string[]) {
	const result = spawnSync(process.execPath, [bundledCli, ...args], {cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}

after(() => {
	rmSync(dir, {recursive: true, force: true});
});

describe('the bundle', () => {
	it('is built by npm run build', () => {
		assert.ok(existsSync(bundledCli), `${bundledCli} is missing: npm run build makes it (scripts/bundle.mjs)`);
	});

	it('answers --help', () => {
		const help = bundle(['--help']);
		assert.equal(help.code, 0, help.stderr);
		assert.match(help.stdout, /^cutover /);
		assert.match(help.stdout, /cutover status --db <target>/);
	});

	describe('on a SQLite demo target', () => {
		let target: DemoTarget;
		before(async () => {
			target = await prepareDemoTarget('sqlite');
		});
		after(async () => target.cleanup());

		it('shows its status', () => {
			const status = bundle(['status', '--db', target.db, '--migrations', demoMigrations]);
			assert.equal(status.code, 0, status.stderr);
			assert.match(status.stdout, /^applied {2}0001_create_users_and_meters/m);
			assert.match(status.stdout, /^pending {2}0004_meters_unique_slot/m);
		});
	});

	it('runs the demo to "upgraded" and verifies its record', () => {
		const demo = bundle(['demo', '--plain', '--dir', path.join(dir, 'demo')]);
		assert.equal(demo.code, 0, demo.stderr + demo.stdout);
		assert.match(demo.stdout, /^outcome: upgraded$/m);
		// The backup ran in the backup worker and its copy was checked in the query process: entries of the bundle of their own.
		assert.match(demo.stdout, /backup\.finished +backup .+: [\d.]+ kB, sha256 [0-9a-f]{64}/);
		assert.match(demo.stdout, /verify\.finished +verified: .*ok integrity check/);
		const record = /^change record: (.+)$/m.exec(demo.stdout)?.[1] ?? assert.fail(demo.stdout);
		const verify = bundle(['verify', record]);
		assert.equal(verify.code, 0, verify.stderr + verify.stdout);
		assert.match(verify.stdout, /^verified: 1 record/m);
	});

	describe('on a PostgreSQL demo target', () => {
		let target: DemoTarget;
		before(async () => {
			target = await prepareDemoTarget('postgres');
		});
		after(async () => target.cleanup());

		it('shows its status', () => {
			const status = bundle(['status', '--db', target.db, '--migrations', demoMigrations]);
			assert.equal(status.code, 0, status.stderr);
			assert.match(status.stdout, /^run lock: free/m);
			assert.match(status.stdout, /^applied {2}0001_create_users_and_meters/m);
		});
	});
});
