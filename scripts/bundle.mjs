// Bundles the compiled CLI (dist/source/, from `tsc -b`) into dist/bundle/: a few ESM files, split
// where cutover imports lazily, so `--help` still loads no Ink and no driver. Node 20 spends most of
// a first frame opening Ink's and React's hundreds of module files one by one; a bundle opens a few.
// Plain JS so `npm run build` and `npm ci` (prepare) run it without compiling it first.
import {existsSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist/source');
const outdir = path.join(root, 'dist/bundle');

// `npm start` builds first: on a built tree, only what changed is redone (tsc -b is incremental too).
const stamp = path.join(outdir, 'main.js');
const newest = dir => Math.max(0, ...readdirSync(dir, {withFileTypes: true}).map(entry => {
	const file = path.join(dir, entry.name);
	return entry.isDirectory() ? newest(file) : statSync(file).mtimeMs;
}));
if (existsSync(stamp) && statSync(stamp).mtimeMs > Math.max(newest(compiled), statSync(path.join(root, 'package-lock.json')).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs)) {
	process.exit(0);
}

rmSync(outdir, {recursive: true, force: true});

// Ink imports its devtools (react-devtools-core, not a dependency) only with DEV=true.
const noInkDevtools = {
	name: 'no-ink-devtools',
	setup(build) {
		build.onResolve({filter: /devtools\.js$/}, () => ({path: 'react-devtools-core', external: true}));
	},
};

// The run's console (Ink, React and the screens: most of a first frame's compile) is not a chunk but
// a script of its own, console-script.js, which cli/cached-script.ts runs with V8's code cache (Node
// 20 keeps none for ES modules). The run's `import('./console.js')` gets a module that runs it.
const consoleEntry = path.join(compiled, 'cli/console.js');
const consoleScript = 'console-script.js';
const consoleAsScript = {
	name: 'console-as-script',
	setup(build) {
		build.onResolve({filter: /^\.\/console\.js$/}, args => args.importer === path.join(compiled, 'cli/run-command.js') ? {path: 'console', namespace: 'console-script'} : undefined);
		build.onLoad({filter: /.*/, namespace: 'console-script'}, () => ({
			resolveDir: path.join(compiled, 'cli'),
			contents: [
				'import {fileURLToPath} from \'node:url\';',
				'import {runCachedScript} from \'./cached-script.js\';',
				`const script = await runCachedScript(fileURLToPath(new URL(${JSON.stringify(`./${consoleScript}`)}, import.meta.url)));`,
				'export function mountConsole(session, options) {',
				'\tconst handle = script.exports.mountConsole(session, options);',
				// Once the first frame the operator acts on is drawn: the cache then holds its render's functions too.
				'\tscript.saveAfter(options.holdUntil);',
				'\treturn handle;',
				'}',
			].join('\n'),
		}));
	},
};

const result = await esbuild.build({
	absWorkingDir: root,
	// The SQLite query process and backup worker are started by path, from a URL beside the module
	// that starts them (query-process.ts, run-backup.ts): that module lands in a chunk in outdir, so
	// they are entries of their own in the same directory.
	entryPoints: {
		main: path.join(compiled, 'cli/main.js'),
		'query-child': path.join(compiled, 'adapters/sqlite/query-child.js'),
		'backup-worker': path.join(compiled, 'adapters/sqlite/backup-worker.js'),
	},
	outdir,
	// Chunks beside the entries: new URL('query-child.js', import.meta.url) in a chunk must find the entry.
	chunkNames: '[name]-[hash]',
	bundle: true,
	splitting: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	sourcemap: true,
	// main.ts runs React and Ink in production mode (NODE_ENV ??= 'production'); the bundle leaves
	// out their development builds, about half of what the console's chunk would be to compile.
	define: {'process.env.NODE_ENV': '"production"'},
	// Less to scan on every start; names are kept, so stack traces still read.
	minifyWhitespace: true,
	minifySyntax: true,
	// Which sources each output file holds: test/cli/startup-modules.test.ts reads it to tell what a command loads.
	metafile: true,
	// A native addon and pg's optional native binding stay where npm put them; so does libpg-query,
	// whose WebAssembly file is found beside its own module (a copy inlined here would look in dist/bundle/).
	external: ['better-sqlite3', 'pg-native', 'libpg-query'],
	// CommonJS dependencies (pg, react) call require(); ESM output has none of its own.
	banner: {js: 'import {createRequire as __cutoverRequire} from \'node:module\'; const require = __cutoverRequire(import.meta.url);'},
	logLevel: 'warning',
	// Migration modules are imported by a URL known only at run time (load-module.ts): that stays an import.
	// main.ts's own `process.env.NODE_ENV ??=` is left as written (esbuild does not replace an assignment), for what it starts.
	logOverride: {'unsupported-dynamic-import': 'silent', 'assign-to-define': 'silent'},
	plugins: [noInkDevtools, consoleAsScript],
});

// The console as one function, (require, url, exports) => …, that cached-script.ts compiles with vm.Script:
// an ES module bundle without a chunk or an import (Node's own modules come through the require given),
// its exports handed over at the end, strict as a module is.
const builtins = new Set([...builtinModules, ...builtinModules.map(name => `node:${name}`)]);
const script = await esbuild.build({
	absWorkingDir: root,
	stdin: {contents: `export * as exports from ${JSON.stringify(consoleEntry)};`, resolveDir: root, sourcefile: 'console-script-entry.js'},
	outfile: path.join(outdir, consoleScript),
	write: false,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	define: {'process.env.NODE_ENV': '"production"', 'import.meta.url': '__cutoverUrl'},
	minifyWhitespace: true,
	minifySyntax: true,
	legalComments: 'none',
	metafile: true,
	external: ['better-sqlite3', 'pg-native', 'libpg-query'],
	logLevel: 'warning',
	logOverride: {'unsupported-dynamic-import': 'silent', 'assign-to-define': 'silent'},
	plugins: [noInkDevtools, {
		name: 'node-modules-through-require',
		setup(build) {
			build.onResolve({filter: /.*/}, args => builtins.has(args.path) ? {path: args.path, namespace: 'node-builtin'} : undefined);
			build.onLoad({filter: /.*/, namespace: 'node-builtin'}, args => ({contents: `module.exports = __cutoverRequire(${JSON.stringify(args.path)});`, loader: 'js'}));
		},
	}],
});
const [text] = script.outputFiles.map(file => file.text);
// esbuild ends the bundle with `export {exports_x as exports};`: that binding is what the function hands over.
const ending = /export\s*\{\s*([\w$]+)\s+as\s+exports\s*\};?\s*$/.exec(text);
if (ending === null || /^\s*import[\s{*]/m.test(text)) {
	throw new Error(`${consoleScript}: esbuild's output is not the shape expected (one export, no import)`);
}

writeFileSync(path.join(outdir, consoleScript), `(async function (__cutoverRequire, __cutoverUrl, __cutoverExports) {'use strict';${text.slice(0, ending.index)}__cutoverExports(${ending[1]});\n})\n`);
writeFileSync(path.join(outdir, 'metafile.json'), JSON.stringify({
	inputs: {...result.metafile.inputs, ...script.metafile.inputs},
	outputs: {...result.metafile.outputs, ...script.metafile.outputs},
}));
