import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {after, before, describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {bundledCli, cli, prepareDemoTarget} from '../support/demo-targets.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

// What a command loads decides how soon it answers: these keep the heavy packages where they are needed.
const hook = fileURLToPath(new URL('../support/module-log.js', import.meta.url));
const heavy = ['pg', 'better-sqlite3', 'ink', 'react', 'umzug', 'conf', 'execa', 'libpg-query'] as const;
const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-startup-'));
const env = {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'};
let runs = 0;

/** Runs node with the module log and returns the packages (by node_modules directory) it loaded. */
function packagesLoaded(args: string[]): {status: number | null; out: string; packages: Set<string>} {
	const log = path.join(dir, `modules-${runs++}.txt`);
	const result = spawnSync(process.execPath, ['--import', hook, ...args], {cwd: packageRoot, env: {...env, CUTOVER_MODULE_LOG: log}, encoding: 'utf8'});
	const packages = new Set<string>();
	for (const line of readFileSync(log, 'utf8').split('\n')) {
		const match = /node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)/.exec(decodeURIComponent(line));
		if (match) {
			packages.add(match[1]!.replaceAll('\\', '/'));
		}
	}

	return {status: result.status, out: result.stdout + result.stderr, packages};
}

const heavyIn = (packages: Set<string>) => heavy.filter(name => packages.has(name));

type Metafile = {outputs: Record<string, {inputs: Record<string, unknown>}>};
const readMetafile = () => JSON.parse(readFileSync(path.join(packageRoot, 'dist/bundle/metafile.json'), 'utf8')) as Metafile;

/**
 * The packages whose code a run of the bundle loaded: the bundle's files it opened (dist/bundle/ holds
 * Ink, React, pg… inlined in chunks), each mapped to its sources by esbuild's metafile, plus what it
 * required from node_modules itself (better-sqlite3 stays external).
 */
function bundlePackagesLoaded(args: string[], node: string[] = [bundledCli]): {status: number | null; out: string; packages: Set<string>; files: number} {
	const metafile = readMetafile();
	const log = path.join(dir, `modules-${runs++}.txt`);
	const result = spawnSync(process.execPath, ['--import', hook, ...node, ...args], {cwd: packageRoot, env: {...env, CUTOVER_MODULE_LOG: log}, encoding: 'utf8'});
	const packages = new Set<string>();
	let files = 0;
	for (const line of readFileSync(log, 'utf8').split('\n')) {
		const file = line.startsWith('file:') ? fileURLToPath(line) : line;
		const output = metafile.outputs[path.relative(packageRoot, file).replaceAll('\\', '/')];
		const sources = output === undefined ? [file] : (files++, Object.keys(output.inputs));
		for (const source of sources) {
			const match = /node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)/.exec(decodeURIComponent(source));
			if (match) {
				packages.add(match[1]!.replaceAll('\\', '/'));
			}
		}
	}

	return {status: result.status, out: result.stdout + result.stderr, packages, files};
}

let record: string;
let sqliteFile: string;
let database: ThrowawayDatabase;

before(async () => {
	const demo = spawnSync(process.execPath, [cli, 'demo', '--plain', '--dir', path.join(dir, 'demo')], {cwd: packageRoot, env, encoding: 'utf8'});
	assert.equal(demo.status, 0, demo.stderr);
	record = /^change record: (.+)$/m.exec(demo.stdout)?.[1] ?? assert.fail(demo.stdout);
	sqliteFile = path.join(dir, 'demo', 'demo.db');
	database = await createThrowawayDatabase('cutover_startup');
});

after(async () => {
	await database?.drop();
	rmSync(dir, {recursive: true, force: true});
});

describe('what each command loads', () => {
	it('sees the packages it looks for: a plain demo run loads better-sqlite3 and execa (and no longer umzug), importing ink loads ink and react', () => {
		const demo = packagesLoaded([cli, 'demo', '--plain', '--dir', path.join(dir, 'demo-2')]);
		assert.equal(demo.status, 0, demo.out);
		assert.ok(demo.packages.has('better-sqlite3') && demo.packages.has('execa'), [...demo.packages].join(' '));
		// The migrator runs migrations itself: umzug cost a rebuild and a read of the whole log per migration.
		assert.ok(!demo.packages.has('umzug'), [...demo.packages].join(' '));
		const ink = packagesLoaded(['--input-type=module', '-e', 'await import("ink")']);
		assert.equal(ink.status, 0, ink.out);
		assert.ok(ink.packages.has('ink') && ink.packages.has('react'), [...ink.packages].join(' '));
	});

	it('--help and a command\'s --help load none of the drivers, Ink, umzug or conf', () => {
		for (const args of [['--help'], ['run', '--help'], ['status', '--help'], ['health', '--help'], ['test-migrations', '--help'], ['lint', '--help']]) {
			const help = packagesLoaded([cli, ...args]);
			assert.equal(help.status, 0, help.out);
			assert.match(help.out, /^cutover /);
			assert.deepEqual(heavyIn(help.packages), [], `cutover ${args.join(' ')}`);
		}
	});

	it('snapshot --help and snapshot diff load no driver, Ink, umzug or conf; a snapshot of a SQLite file loads better-sqlite3 only', () => {
		const help = packagesLoaded([cli, 'snapshot', '--help']);
		assert.equal(help.status, 0, help.out);
		assert.match(help.out, /^cutover snapshot --db/);
		assert.deepEqual(heavyIn(help.packages), []);
		const file = path.join(dir, 'startup-snapshot.json');
		const taken = packagesLoaded([cli, 'snapshot', '--db', `sqlite:${sqliteFile}`, '--out', file]);
		assert.equal(taken.status, 0, taken.out);
		assert.deepEqual(heavyIn(taken.packages), ['better-sqlite3']);
		const diff = packagesLoaded([cli, 'snapshot', 'diff', file, file]);
		assert.equal(diff.status, 0, diff.out);
		assert.match(diff.out, /^no unexpected change$/m);
		assert.deepEqual(heavyIn(diff.packages), []);
	});

	it('verify of a record loads no driver, Ink, umzug or conf', () => {
		const verify = packagesLoaded([cli, 'verify', record, '--allow-unsigned']);
		assert.equal(verify.status, 0, verify.out);
		assert.match(verify.out, /^verified: 1 record/m);
		assert.deepEqual(heavyIn(verify.packages), []);
	});

	it('status of a SQLite file loads better-sqlite3 and nothing else heavy', () => {
		const status = packagesLoaded([cli, 'status', '--db', `sqlite:${sqliteFile}`]);
		assert.equal(status.status, 0, status.out);
		assert.match(status.out, /^applied {2}0001_create_users_and_meters/m);
		assert.deepEqual(heavyIn(status.packages), ['better-sqlite3']);
	});

	it('a run on SQLite up to its window loads better-sqlite3 only: no pg, execa (hooks, pg_dump) or conf on the way to the first frame', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			// Plain and without --yes: the run stops at the window, failing closed, where the console would first wait for the operator.
			const run = packagesLoaded([cli, 'run', '--db', target.db, '--plain', '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')]);
			assert.match(run.out, /window\.planned/, run.out);
			assert.deepEqual(heavyIn(run.packages), ['better-sqlite3'], run.out);
		} finally {
			await target.cleanup();
		}
	});

	it('health of a SQLite file loads better-sqlite3 only; of a PostgreSQL database, pg only', () => {
		const checklist = path.join(packageRoot, 'checklists', 'health.yaml');
		const sqlite = packagesLoaded([cli, 'health', '--db', `sqlite:${sqliteFile}`, '--checklist', checklist]);
		assert.match(sqlite.out, /^status: /m, sqlite.out);
		assert.deepEqual(heavyIn(sqlite.packages), ['better-sqlite3'], sqlite.out);
		const postgres = packagesLoaded([cli, 'health', '--db', database.url, '--checklist', checklist, '--sample', '0s']);
		assert.match(postgres.out, /^ {2}connections +warn 80% alert 90% +ok /m, postgres.out);
		assert.deepEqual(heavyIn(postgres.packages), ['pg'], postgres.out);
	});

	it('test-migrations of a SQLite file loads better-sqlite3 only: no pg, execa, Ink or React', () => {
		const run = packagesLoaded([cli, 'test-migrations', '--db', `sqlite:${sqliteFile}`, '--migrations', path.join(packageRoot, 'migrations'), '--empty', '--plain']);
		assert.equal(run.status, 0, run.out);
		assert.match(run.out, /^passed: 4 migrations/m);
		assert.deepEqual(heavyIn(run.packages), ['better-sqlite3'], run.out);
	});

	it('lint of a PostgreSQL folder loads the parser and nothing else heavy; of a SQLite folder, not even that', () => {
		const postgres = packagesLoaded([cli, 'lint', path.join(packageRoot, 'migrations')]);
		assert.equal(postgres.status, 0, postgres.out);
		assert.deepEqual(heavyIn(postgres.packages), ['libpg-query'], postgres.out);
		const sqlite = packagesLoaded([cli, 'lint', path.join(packageRoot, 'migrations'), '--engine', 'sqlite']);
		assert.equal(sqlite.status, 1, sqlite.out);
		assert.deepEqual(heavyIn(sqlite.packages), [], sqlite.out);
	});

	it('status of a PostgreSQL database loads pg only while its migrations cut alike without the parser, and the parser for one that may not', () => {
		const status = packagesLoaded([cli, 'status', '--db', database.url]);
		assert.equal(status.status, 0, status.out);
		assert.match(status.out, /^run lock: free/m);
		// The demo's migrations hold nothing the hand-written splitter could cut otherwise than PostgreSQL (cutsAsPostgres).
		assert.deepEqual(heavyIn(status.packages), ['pg']);
		const folder = path.join(dir, 'dollar-quoted');
		mkdirSync(folder);
		writeFileSync(path.join(folder, '0001_f.up.sql'), 'CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n');
		const quoted = packagesLoaded([cli, 'status', '--db', database.url, '--migrations', folder]);
		assert.equal(quoted.status, 0, quoted.out);
		assert.match(quoted.out, /^pending {2}0001_f/m);
		// A dollar-quoted body is PostgreSQL's to cut: the folder is read as it splits it.
		assert.deepEqual(heavyIn(quoted.packages), ['pg', 'libpg-query']);
	});

	it('status of a PostgreSQL database with a goose or dbmate folder loads the parser only where a piece may be cut otherwise without it', () => {
		const folder = (name: string, files: Record<string, string>) => {
			const at = path.join(dir, name);
			mkdirSync(at);
			for (const [file, text] of Object.entries(files)) {
				writeFileSync(path.join(at, file), text);
			}

			return at;
		};

		const plain = 'CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\n';
		const folders = {
			goose: folder('goose-plain', {'00001_t.sql': `-- +goose Up\n${plain}-- +goose StatementBegin\nINSERT INTO t VALUES (1);\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE t;\n`}),
			dbmate: folder('dbmate-plain', {'20240101000000_t.sql': `-- migrate:up\n${plain}-- migrate:down\nDROP TABLE t;\n`}),
			rule: folder('goose-rule', {'00001_t.sql': `-- +goose Up\n${plain}CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);\n-- +goose Down\nDROP TABLE t;\n`}),
		};
		for (const [name, at] of Object.entries(folders)) {
			const status = packagesLoaded([cli, 'status', '--db', database.url, '--migrations', at]);
			assert.equal(status.status, 0, status.out);
			assert.match(status.out, /^pending {2}\d+_t/m, status.out);
			assert.deepEqual(heavyIn(status.packages), name === 'rule' ? ['pg', 'libpg-query'] : ['pg'], name);
		}
	});
});

describe('what the bundle loads', () => {
	it('sees Ink and React in the console\'s script when the chunk that runs it is imported, and the drivers a plain demo run opens', () => {
		const outputs = Object.entries(readMetafile().outputs);
		// The console is a script of its own (scripts/bundle.mjs), run with the code cache by the chunk the run imports for it.
		assert.ok(outputs.some(([, output]) => 'dist/source/cli/console.js' in output.inputs), 'no output of the bundle holds dist/source/cli/console.js');
		const [runner] = outputs.find(([, output]) => Object.keys(output.inputs).some(input => input.startsWith('console-script:'))) ?? assert.fail('no output of the bundle runs the console\'s script');
		const ink = bundlePackagesLoaded([], ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(path.join(packageRoot, runner)).href)})`]);
		assert.equal(ink.status, 0, ink.out);
		assert.ok(ink.packages.has('ink') && ink.packages.has('react'), [...ink.packages].join(' '));
		const demo = bundlePackagesLoaded(['demo', '--plain', '--dir', path.join(dir, 'bundle-demo')]);
		assert.equal(demo.status, 0, demo.out);
		assert.ok(demo.packages.has('better-sqlite3') && demo.packages.has('execa'), [...demo.packages].join(' '));
	});

	it('--help and a command\'s --help open no chunk holding the drivers, Ink, umzug or conf', () => {
		for (const args of [['--help'], ['run', '--help'], ['status', '--help']]) {
			const help = bundlePackagesLoaded(args);
			assert.equal(help.status, 0, help.out);
			assert.match(help.out, /^cutover /);
			assert.ok(help.files > 0, 'the module log saw no file of dist/bundle/');
			assert.deepEqual(heavyIn(help.packages), [], `cutover ${args.join(' ')} (bundle)`);
		}
	});

	it('status of a SQLite file opens better-sqlite3 and nothing else heavy', () => {
		const status = bundlePackagesLoaded(['status', '--db', `sqlite:${sqliteFile}`]);
		assert.equal(status.status, 0, status.out);
		assert.deepEqual(heavyIn(status.packages), ['better-sqlite3']);
	});
});
