// Bundles the compiled CLI (dist/source/, from `tsc -b`) into dist/bundle/: a few ESM files, split
// where cutover imports lazily, so `--help` still loads no Ink and no driver. Node 20 spends most of
// a first frame opening Ink's and React's hundreds of module files one by one; a bundle opens a few.
// Plain JS so `npm run build` and `npm ci` (prepare) run it without compiling it first.
import {existsSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
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
	plugins: [{
		name: 'no-ink-devtools',
		setup(build) {
			// Ink imports its devtools (react-devtools-core, not a dependency) only with DEV=true.
			build.onResolve({filter: /devtools\.js$/}, () => ({path: 'react-devtools-core', external: true}));
		},
	}],
});
writeFileSync(path.join(outdir, 'metafile.json'), JSON.stringify(result.metafile));
