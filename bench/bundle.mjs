// Builds dist/bundle/: dist/ in a few ESM files (split where cutover imports lazily), to time with
// `CUTOVER_BENCH_CLI=dist/bundle/source/cli/main.js npm run bench:startup`. Needs esbuild, which is
// not a dependency of cutover yet (a devDependency would do; in a worktree whose node_modules is a
// link, do not install into the linked tree). Run after `npx tsc -b`.
import {rmSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/bundle/source/cli');
let esbuild;
try {
	esbuild = await import('esbuild');
} catch {
	console.error('bench/bundle.mjs needs esbuild: add it as a devDependency (npm install --save-dev esbuild)');
	process.exit(1);
}

rmSync(path.join(root, 'dist/bundle'), {recursive: true, force: true});
await esbuild.build({
	// The SQLite query process and backup worker are started by path, beside the module that starts them: entries of their own, in the same directory.
	entryPoints: {
		main: path.join(root, 'dist/source/cli/main.js'),
		'query-child': path.join(root, 'dist/source/adapters/sqlite/query-child.js'),
		'backup-worker': path.join(root, 'dist/source/adapters/sqlite/backup-worker.js'),
	},
	outdir,
	chunkNames: '[name]-[hash]',
	bundle: true,
	splitting: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	// A native addon, pg's optional native binding, and umzug (CommonJS whose exports esbuild cannot see; loaded only to migrate) stay where npm put them.
	external: ['better-sqlite3', 'pg-native', 'umzug'],
	// CommonJS dependencies (pg, react) call require(); ESM output has none of its own.
	banner: {js: 'import {createRequire as __cutoverRequire} from \'node:module\'; const require = __cutoverRequire(import.meta.url);'},
	logLevel: 'error',
	plugins: [{
		name: 'no-ink-devtools',
		setup(build) {
			// Ink imports its devtools (react-devtools-core, not installed) only with DEV=true.
			build.onResolve({filter: /devtools\.js$/}, () => ({path: 'ink-devtools-not-bundled', external: true}));
		},
	}],
});
console.error(`bundled into ${path.relative(root, outdir)}`);
