// The record bench at its smoke size: it must write, sign, verify and replay a record and print its
// table. No figure is judged here (times on a shared machine prove nothing); `npm run bench:record` does that.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

test('bench:record at --events 200 verifies and replays a signed record and prints the table', () => {
	const bench = path.join(packageRoot, 'dist/bench/record.js');
	const run = spawnSync(process.execPath, [bench, '--events', '200', '--rounds', '1'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000});
	assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
	assert.match(run.stdout, /what\s+rounds\s+median ms\s+node -e 1 ms\s+ratio\s+goal/);
	assert.match(run.stdout, /^cutover verify \(200 events\)\s+1\s+\d+\s+\d+\s+[\d.]+×\s+(met|missed) \(≤ 100 ms\)/m);
	assert.match(run.stdout, /^cutover replay --plain \(200 events\)\s+1\s+\d+\s+\d+\s+[\d.]+×\s+(met|missed) \(≤ 150 ms\)/m);
	assert.match(run.stderr, /a signed record of 200 events, [\d.]+ MB, \d+ checkpoints/, 'the record it read');
});
