// The lint bench at its smoke size: it must generate, read and lint its folder and print its table.
// No figure is judged here (times on a shared machine prove nothing); `npm run bench:lint` does that.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

test('bench:lint at --size 14 reads and lints the generated folder and prints the table', () => {
	const bench = path.join(packageRoot, 'dist/bench/lint.js');
	const run = spawnSync(process.execPath, [bench, '--size', '14', '--rounds', '1'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000});
	assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
	assert.match(run.stdout, /what\s+rounds\s+median ms \(lint\)\s+median ms \(read\)\s+ratio\s+goal/);
	assert.match(run.stdout, /^cutover lint \(14 migrations\) \/ reading the folder\s+1\s+\d+\s+\d+\s+[\d.]+×\s+(met|missed) \(≤ 3×\)/m);
	// Group 0 indexes a table the folder never created: the rules must have seen it.
	assert.match(run.stdout, /findings on the generated folder: [1-9]\d*/);
	assert.match(run.stderr, /node v[\d.]+, \d+ cores, load [\d. ]+, 14 migrations/, 'the machine it ran on');
});
