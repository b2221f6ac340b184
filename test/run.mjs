// Runs the compiled tests with node's own runner. Arguments filter by path substring:
// `npm test -- engine` runs only files whose path contains "engine".
import {readdirSync} from 'node:fs';
import {join} from 'node:path';
import {spawnSync} from 'node:child_process';

const root = 'dist/test';
const walk = dir => readdirSync(dir, {withFileTypes: true}).flatMap(e => e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
const filters = process.argv.slice(2);
const files = walk(root).filter(f => f.endsWith('.test.js')).filter(f => filters.length === 0 || filters.some(x => f.includes(x))).sort();
if (files.length === 0) {
	console.error(`no test files under ${root} match ${filters.join(' ') || '*'}`);
	process.exit(1);
}

// One file at a time: the suites share one PostgreSQL server and a 2-core machine.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--enable-source-maps', ...files], {stdio: 'inherit'});
process.exit(result.status ?? 1);
