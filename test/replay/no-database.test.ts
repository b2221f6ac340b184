import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';

const DRIVERS = ['pg', 'better-sqlite3', 'execa', 'umzug'];

/** Every module the compiled replay command can load, static or lazy, and the packages it names. */
function moduleGraph(entry: string): {files: Set<string>; packages: Set<string>} {
	const files = new Set<string>();
	const packages = new Set<string>();
	const visit = (file: string) => {
		if (files.has(file)) {
			return;
		}

		files.add(file);
		const source = readFileSync(file, 'utf8');
		const specifiers = [
			...source.matchAll(/^\s*(?:import|export)\b[^'"]*?['"]([^'"]+)['"]/gm),
			...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
		].map(match => match[1]!);
		for (const specifier of specifiers) {
			if (specifier.startsWith('.')) {
				visit(path.resolve(path.dirname(file), specifier));
			} else {
				packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
			}
		}
	};

	visit(entry);
	return {files, packages};
}

describe('replay never opens a database', () => {
	it('loads no adapter and no database driver, console and --plain alike', () => {
		const {files, packages} = moduleGraph(path.join(packageRoot, 'dist/source/cli/commands/replay.js'));
		const relative = [...files].map(file => path.relative(path.join(packageRoot, 'dist'), file));
		// The walk reaches the console and the screens, so an adapter imported anywhere below would be seen.
		assert.ok(relative.includes(path.join('source', 'replay', 'replay-console.js')), relative.join('\n'));
		assert.ok(relative.includes(path.join('screens', 'app.js')));
		assert.ok(packages.has('ink'));
		assert.deepEqual(relative.filter(file => file.includes(`${path.sep}adapters${path.sep}`)), []);
		assert.deepEqual([...packages].filter(name => DRIVERS.includes(name)), []);
	});
});
