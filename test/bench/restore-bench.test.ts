// The restore bench at its smoke size: it must back up, restore through cutover's rollback adapter
// and bare pg_restore, and print its table and extrapolation. No figure is judged here (times on a
// shared machine prove nothing); `npm run bench:restore` does that.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

test('bench:restore at --scale 0.01 restores both ways and prints the table and the 5-minute extrapolation', () => {
	const bench = path.join(packageRoot, 'dist/bench/restore.js');
	const run = spawnSync(process.execPath, [bench, '--scale', '0.01', '--rounds', '1'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000});
	assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
	assert.match(run.stdout, /what\s+rounds\s+median ms \(cutover\)\s+median ms \(bare\)\s+ratio\s+goal/);
	assert.match(run.stdout, /^cutover restore \(pg-custom\) \/ createdb \+ pg_restore\s+1\s+\d+\s+\d+\s+[\d.]+×\s+(met|missed) \(≤ 1\.05×\)/m);
	assert.match(run.stdout, /restore throughput: \d+ MB\/s of database/);
	assert.match(run.stdout, /largest database whose rollback by restore stays under 5 minutes on this machine: about [\d.]+ GB \(an extrapolation/);
	assert.match(run.stderr, /node v[\d.]+, \d+ cores, load [\d. ]+, scale 0\.01/, 'the machine it ran on');
});
