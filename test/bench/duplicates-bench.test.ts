// The duplicate-check bench at a smoke size: it must seed meters with repeated keys, find every
// group through cutover's check runner and through psql, print its table, and drop its database.
// No figure is judged here (times on a shared machine prove nothing); `npm run bench:duplicates` does that.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

test('bench:duplicates at --rows 20000 finds the 20 groups both ways and prints the table', () => {
	const bench = path.join(packageRoot, 'dist/bench/duplicates.js');
	const run = spawnSync(process.execPath, [bench, '--rows', '20000', '--rounds', '1'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000});
	assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
	assert.match(run.stdout, /^meters: 20,000 rows, 20 duplicate \(unit_id, kind, slot\) groups/m);
	assert.match(run.stdout, /^check: SELECT "unit_id", "kind", "slot", count\(\*\)/m, 'the checklist\'s compiled SQL');
	assert.match(run.stdout, /^duplicate check through cutover \/ the same SQL through psql\s+1\s+\d+\s+\d+\s+[\d.]+×\s+(met|missed) \(≤ 1\.05×\)/m);
	assert.match(run.stderr, /node v[\d.]+, \d+ cores, load [\d. ]+, 20,000 rows/, 'the machine it ran on');
	assert.doesNotMatch(run.stderr, /could not clean up/);
});
