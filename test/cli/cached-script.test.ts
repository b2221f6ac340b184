import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {pathToFileURL} from 'node:url';
import {codeCacheDir} from '../../source/cli/cached-script.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-cached-script-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let scripts = 0;
/** A script in the bundle's shape, whose export says `word` (and what require and the url gave it). */
function writeScript(word: string, file = path.join(dir, `script-${scripts++}.js`)): string {
	writeFileSync(file, `(async function (require, url, exports) {'use strict'; await null; exports({word: ${JSON.stringify(word)}, sep: require('node:path').sep, url, strict: this === undefined});\n})\n`);
	return file;
}

type Exports = {word: string; sep: string; url: string; strict: boolean};
const loader = pathToFileURL(path.join(import.meta.dirname, '../../source/cli/cached-script.js')).href;

/**
 * Runs the script in a process of its own (V8 also keeps what it compiled in memory, so a second
 * run in this one would not read the cache) and writes its cache as the console does once drawn.
 */
function runAndSave(file: string, cache: string | null): {exports: Exports; cacheUsed: boolean} {
	const program = `
		const {runCachedScript} = await import(${JSON.stringify(loader)});
		const script = await runCachedScript(${JSON.stringify(file)}, ${JSON.stringify(cache)});
		script.saveAfter(Promise.resolve());
		process.on('exit', () => console.log(JSON.stringify({exports: script.exports, cacheUsed: script.cacheUsed})));
	`;
	const result = spawnSync(process.execPath, ['--input-type=module', '-e', program], {encoding: 'utf8'});
	assert.equal(result.status, 0, result.stderr);
	return JSON.parse(result.stdout) as {exports: Exports; cacheUsed: boolean};
}

const caches = (cache: string) => readdirSync(cache).filter(name => name.endsWith('.v8'));

describe('a script run with the code cache', () => {
	it('runs as a module would (strict, Node\'s modules through require, its own URL) and uses its cache from the second start', () => {
		const cache = path.join(dir, 'cache-1');
		const file = writeScript('one');
		const first = runAndSave(file, cache);
		assert.deepEqual(first.exports, {word: 'one', sep: path.sep, url: new URL(`file://${file}`).href, strict: true});
		assert.equal(first.cacheUsed, false);
		assert.equal(caches(cache).length, 1);
		const second = runAndSave(file, cache);
		assert.equal(second.cacheUsed, true);
		assert.equal(second.exports.word, 'one');
	});

	it('never runs an edited script from the cache of what it was, even of the same length, and keeps one cache per script', () => {
		const cache = path.join(dir, 'cache-2');
		const file = writeScript('old');
		runAndSave(file, cache);
		const before = caches(cache);
		writeScript('new', file);
		const edited = runAndSave(file, cache);
		assert.equal(edited.exports.word, 'new');
		assert.equal(edited.cacheUsed, false);
		const now = caches(cache);
		assert.equal(now.length, 1, now.join(' '));
		assert.notDeepEqual(now, before);
		assert.equal(runAndSave(file, cache).cacheUsed, true);
	});

	it('does not use a damaged cache, and makes it again', () => {
		const cache = path.join(dir, 'cache-3');
		const file = writeScript('whole');
		runAndSave(file, cache);
		const [name] = caches(cache);
		const stored = path.join(cache, name!);
		const bytes = readFileSync(stored);
		bytes[bytes.length - 8]! ^= 0xFF;
		writeFileSync(stored, bytes);
		const damaged = runAndSave(file, cache);
		assert.equal(damaged.cacheUsed, false);
		assert.equal(damaged.exports.word, 'whole');
		assert.equal(runAndSave(file, cache).cacheUsed, true);
	});

	it('makes the cache again when V8 turns it down (as it does one of another Node, other flags or another script)', () => {
		const cache = path.join(dir, 'cache-4');
		const file = writeScript('mine');
		const other = writeScript('a longer word');
		runAndSave(file, cache);
		runAndSave(other, cache);
		const [mine, theirs] = [file, other].map(script => caches(cache).find(name => name.startsWith(path.basename(script, '.js')))!);
		// Whole as a file (its hash holds), but compiled from another source: V8 checks that much itself.
		writeFileSync(path.join(cache, mine!), readFileSync(path.join(cache, theirs!)));
		const turnedDown = runAndSave(file, cache);
		assert.equal(turnedDown.cacheUsed, false);
		assert.equal(turnedDown.exports.word, 'mine');
		assert.equal(runAndSave(file, cache).cacheUsed, true);
	});

	it('runs without a cache where none can be written, and with none asked for', () => {
		const blocker = path.join(dir, 'a-file');
		writeFileSync(blocker, '');
		const file = writeScript('anyway');
		for (const cache of [path.join(blocker, 'cache'), null]) {
			const script = runAndSave(file, cache);
			assert.equal(script.exports.word, 'anyway');
			assert.equal(script.cacheUsed, false);
		}

		assert.deepEqual(readdirSync(dir).filter(name => name.endsWith('.tmp')), []);
	});
});

describe('where the code cache lives', () => {
	it('CUTOVER_CACHE_DIR, none when it is empty, else the per-user cache directory', () => {
		assert.equal(codeCacheDir({CUTOVER_CACHE_DIR: 'rel/cache'}), path.resolve('rel/cache'));
		assert.equal(codeCacheDir({CUTOVER_CACHE_DIR: ''}), null);
		if (process.platform === 'linux') {
			assert.equal(codeCacheDir({XDG_CACHE_HOME: '/x/cache'}), '/x/cache/cutover');
			assert.equal(codeCacheDir({}), path.join(os.homedir(), '.cache', 'cutover'));
		}
	});
});
