// The backfill bench at its smoke size: it must run end to end on PostgreSQL and print its table.
// No figure is judged here (times on a shared machine prove nothing); `npm run bench:backfill` does that.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

test('bench:backfill at --rows 20000 updates both tables whole and prints lock hold, ratio and latencies', () => {
	const bench = path.join(packageRoot, 'dist/bench/backfill.js');
	const run = spawnSync(process.execPath, [bench, '--rows', '20000'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000});
	assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
	assert.match(run.stdout, /^time ÷ plain UPDATE\s+-\s+1\.00\s+[\d.]+\s+≤ 2\.0$/m);
	assert.match(run.stdout, /^longest lock hold ms\s+-\s+\d+\s+\d+\s+≤ 100$/m);
	assert.match(run.stdout, /^reader p99 ms\s+[\d.]+\s+[\d.]+\s+[\d.]+/m);
	assert.match(run.stdout, /^longest lock hold: \d+ ms \(goal ≤ 100: (met|NOT met)\); time ÷ plain UPDATE: [\d.]+ \(goal ≤ 2\.0: (met|NOT met)\)$/m);
	assert.match(run.stderr, /node v[\d.]+, \d+ cores, PostgreSQL [\d.]+.*, 20,000 rows per table/, 'the machine it ran on');

	const bad = spawnSync(process.execPath, [bench, '--rows', 'many'], {encoding: 'utf8'});
	assert.equal(bad.status, 2);
	assert.match(bad.stderr, /--rows must be a whole number of at least 1 \(got many\), e\.g\. --rows 500000/);
});
