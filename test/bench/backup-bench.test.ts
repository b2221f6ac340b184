// `npm run bench` at a smoke size: both engines seed, back up and verify through cutover and the
// bare tools, and the report prints every pairing with its goal and the SQLite stall figure.
// No figure is judged here (times on a shared machine prove nothing); `npm run bench` does that.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

const row = (what: string, goal: string) => new RegExp(String.raw`^${what}\s+1\s+\d+\s+\d+\s+[\d.]+×\s+${goal}$`, 'm');

test('bench (backup) at --scale 0.01 measures both engines and prints the table with goals and the stall', () => {
	const bench = path.join(packageRoot, 'dist/bench/backup.js');
	const run = spawnSync(process.execPath, [bench, '--scale', '0.01', '--rounds', '1'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000});
	assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
	assert.match(run.stdout, row(String.raw`sqlite backup \+ verify / sqlite3 \.backup \+ PRAGMA integrity_check`, String.raw`(met|missed) \(≤ 1\.15×\)`));
	assert.match(run.stdout, row('sqlite backup', '—'));
	assert.match(run.stdout, row(String.raw`postgres custom backup \+ verify / pg_dump -Fc`, String.raw`(met|missed) \(≤ 1\.05×\)`));
	assert.match(run.stdout, row(String.raw`postgres directory backup \(-j \d+\) \+ verify / pg_dump -Fc`, String.raw`(met|missed) \(≤ 0\.75×\)`));
	assert.match(run.stdout, /^SQLite: longest event-loop stall over cutover's whole backup \+ verify: \d+ ms, (met|missed) \(≤ 100 ms\)$/m);
	assert.match(run.stderr, /node v[\d.]+, \d+ cores, load [\d. ]+, scale 0\.01, 1 rounds/, 'the machine it ran on');
	assert.doesNotMatch(run.stderr, /could not clean up/);
});
