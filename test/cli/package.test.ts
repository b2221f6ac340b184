// The package an operator installs holds what runs and nothing else, and runs: packed as npm packs
// it, unpacked elsewhere, with the installed dependencies beside it, the demo upgrades its database.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

describe('the packed package', () => {
	it('holds the bundle, the runbooks and the demo migrations, no tests, sources or maps, and runs the demo', () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'cutover-pack-'));
		try {
			// --ignore-scripts: the tree is built already (npm test builds first); prepare would build it again.
			const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {cwd: packageRoot, encoding: 'utf8'});
			assert.equal(pack.status, 0, pack.stderr);
			const [packed] = JSON.parse(pack.stdout) as Array<{filename: string; files: Array<{path: string}>}>;
			const files = packed!.files.map(f => f.path);
			assert.ok(files.includes('dist/bundle/main.js') && files.includes('package.json') && files.includes('README.md'), files.join('\n'));
			assert.ok(files.includes('checklists/production.yaml') && files.includes('checklists/checklist.schema.json'), 'the runbooks and their schema');
			assert.ok(files.some(f => f.startsWith('migrations/0001_')), 'the demo migrations');
			const stray = files.filter(f => /^(test|source|screens|bench|scripts|dist\/(source|test|bench|screens))\//.test(f) || f.endsWith('.map'));
			assert.deepEqual(stray, [], 'nothing but what runs');

			const unpacked = spawnSync('tar', ['-xzf', path.join(dir, packed!.filename), '-C', dir], {encoding: 'utf8'});
			assert.equal(unpacked.status, 0, unpacked.stderr);
			// The dependencies as npm would install them beside it (no registry needed here).
			symlinkSync(path.join(packageRoot, 'node_modules'), path.join(dir, 'package', 'node_modules'));
			const demo = spawnSync(process.execPath, [path.join(dir, 'package', 'dist/bundle/main.js'), 'demo', '--plain', '--dir', path.join(dir, 'demo')], {
				encoding: 'utf8',
				env: {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'},
				timeout: 120_000,
			});
			assert.equal(demo.status, 0, demo.stdout + demo.stderr);
			assert.match(demo.stdout, /^outcome: upgraded$/m);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
