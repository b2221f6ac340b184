// What an operator does: `npm install -g` of the packed tarball into a clean prefix, then the
// `cutover` that lands in its bin/ answers --help, runs the demo and reads the demo's database.
//
// better-sqlite3 would compile from source here (its prebuilt binary is downloaded from a host
// this machine does not reach; the compile takes over a minute). Its installer first looks for a
// local prebuild, so the test hands it the binary `npm ci` built in this tree, under the name
// prebuild-install looks for: the install takes seconds and stays a real `npm install -g`. The
// dependencies' tarballs come from npm's cache (warm after `npm ci`); --prefer-offline still
// lets npm ask the registry for package metadata, which the cache does not keep.
import assert from 'node:assert/strict';
import {spawnSync, type SpawnSyncOptions} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

const sqliteModule = path.join(packageRoot, 'node_modules', 'better-sqlite3');

function run(command: string, args: string[], options: SpawnSyncOptions): {status: number | null; out: string} {
	const result = spawnSync(command, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options});
	return {status: result.status, out: `${String(result.stdout)}${String(result.stderr)}`};
}

describe('npm install -g of the packed tarball', () => {
	it('puts a cutover in the prefix that shows its help, runs the demo and reads the demo database', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'cutover-global-'));
		try {
			const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {cwd: packageRoot, encoding: 'utf8'});
			assert.equal(pack.status, 0, pack.stderr);
			const [packed] = JSON.parse(pack.stdout) as Array<{filename: string}>;

			const {version} = JSON.parse(readFileSync(path.join(sqliteModule, 'package.json'), 'utf8')) as {version: string};
			const prebuilds = path.join(dir, 'prebuilds');
			mkdirSync(prebuilds);
			const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
			const prebuild = run('tar', ['-czf', path.join(prebuilds, name), '-C', sqliteModule, 'build/Release/better_sqlite3.node'], {});
			assert.equal(prebuild.status, 0, prebuild.out);

			const prefix = path.join(dir, 'prefix');
			const env = {...process.env, npm_config_better_sqlite3_local_prebuilds: prebuilds, NO_COLOR: '1', CUTOVER_CONFIG_DIR: path.join(dir, 'config')};
			const install = run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, packed!.filename)], {
				cwd: dir,
				env,
				timeout: 300_000,
			});
			assert.equal(install.status, 0, install.out);
			const installed = path.join(prefix, 'lib', 'node_modules', 'cutover');
			assert.ok(existsSync(path.join(installed, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')), 'better-sqlite3 has its binary');
			// A compile leaves its object files; the local prebuild does not. Without this the test would silently take minutes.
			assert.equal(existsSync(path.join(installed, 'node_modules', 'better-sqlite3', 'build', 'Release', 'obj')), false, 'better-sqlite3 came from the local prebuild, not a compile');

			const cutover = path.join(prefix, 'bin', 'cutover');
			// From a directory with no node_modules above it: only what the install put in the prefix can be found.
			const help = run(cutover, ['--help'], {cwd: dir, env, timeout: 60_000});
			assert.equal(help.status, 0, help.out);
			assert.match(help.out, /^Usage$/m);
			assert.match(help.out, /cutover status --db <target>/);

			const demo = run(cutover, ['demo', '--plain', '--dir', path.join(dir, 'demo')], {cwd: dir, env, timeout: 120_000});
			assert.equal(demo.status, 0, demo.out);
			assert.match(demo.out, /^outcome: upgraded$/m);

			const status = run(cutover, ['status', '--db', path.join(dir, 'demo', 'demo.db'), '--migrations', path.join(installed, 'migrations')], {cwd: dir, env, timeout: 60_000});
			assert.equal(status.status, 0, status.out);
			assert.match(status.out, /^sqlite [\d.]+ database demo/m);
			assert.match(status.out, /^applied\s+0004_meters_unique_slot\s/m);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
