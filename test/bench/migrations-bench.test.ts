// The migrations bench at its smoke size: it must run end to end on both engines and print its
// table. No figure is judged here (times on a shared machine prove nothing); `npm run bench:migrations` does that.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

test('bench:migrations at --size 10 applies and reverts every migration on both engines and prints the table', () => {
	const bench = path.join(packageRoot, 'dist/bench/migrations.js');
	const run = spawnSync(process.execPath, [bench, '--size', '10'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000});
	assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
	assert.match(run.stdout, /engine\s+direction\s+migrations\s+cutover ms\s+bare ms\s+ratio/);
	for (const engine of ['sqlite', 'postgres']) {
		for (const direction of ['up', 'down']) {
			assert.match(run.stdout, new RegExp(`^${engine}\\s+${direction}\\s+10\\s+\\d+\\s+\\d+\\s+[\\d.]+×`, 'm'), `a row for ${engine} ${direction}`);
		}
	}

	assert.match(run.stderr, /node v[\d.]+, \d+ cores, 10 migrations/, 'the machine it ran on');
});
