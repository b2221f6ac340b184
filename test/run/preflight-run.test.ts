import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import type {Engine, PreflightItem} from '../../source/engine/model.js';
import {cli, cliEnv, demoMigrations, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-preflight-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

type Setup = {target: DemoTarget; migrations: string; checklist: string; marker: string; backups: string; records: string};

/** A demo target, its own copy of the migrations, and a checklist whose maintenance-on hook leaves a marker file. */
async function setUp(engine: Engine): Promise<Setup> {
	const target = await prepareDemoTarget(engine);
	const migrations = path.join(target.dir, 'migrations');
	cpSync(demoMigrations, migrations, {recursive: true});
	const marker = path.join(target.dir, 'maintenance-was-switched-on');
	const checklist = path.join(target.dir, 'checklist.yaml');
	// A shell builtin: works whatever PATH the test gives the run.
	writeFileSync(checklist, readFileSync(productionChecklist, 'utf8').replace(/ {2}on: .*\n/, `  on: ': > ${marker}'\n`));
	return {target, migrations, checklist, marker, backups: path.join(target.dir, 'backups'), records: path.join(target.dir, 'records')};
}

function run(setup: Setup, options: {env?: Record<string, string>; backups?: string} = {}) {
	const {target} = setup;
	const result = spawnSync(process.execPath, [cli, 'run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name,
		'--migrations', setup.migrations, '--checklist', setup.checklist, '--records', setup.records, '--backups', options.backups ?? setup.backups], {
		encoding: 'utf8',
		env: {...process.env, ...cliEnv(target), ...options.env},
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 120_000,
	});
	const files = existsSync(setup.records) ? readdirSync(setup.records).filter(f => f.endsWith('.jsonl')) : [];
	assert.equal(files.length, 1, `one record, found ${files.join(', ')}\n${result.stdout}${result.stderr}`);
	const lines = readJournal(readFileSync(path.join(setup.records, files[0]!), 'utf8'));
	const preflight = lines.find(l => l.kind === 'preflight.finished')?.event['items'] as PreflightItem[] | undefined;
	return {code: result.status, stdout: result.stdout, stderr: result.stderr, lines, preflight};
}

/** Refused at the preflight: before the name, maintenance mode and any backup; the database as it was. */
async function assertRefusedBeforeTheWindow(setup: Setup, result: ReturnType<typeof run>, failing: string[]) {
	assert.equal(result.code, 1, result.stdout + result.stderr);
	assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at |unexpected error/, 'no stack trace');
	assert.ok(result.preflight, 'the preflight is on the record');
	assert.deepEqual(result.preflight.filter(i => !i.ok).map(i => i.id), failing);
	const kinds = result.lines.map(l => l.kind);
	for (const kind of ['window.planned', 'operator.window-confirmed', 'command.started', 'backup.started', 'upgrade.started']) {
		assert.ok(!kinds.includes(kind), `${kind} is not on the record`);
	}

	assert.equal(result.lines.at(-1)?.kind, 'run.finished');
	assert.equal(result.lines.at(-1)?.event['outcome'], 'failed');
	assert.match(result.stdout, /preflight FAILED/);
	assert.match(result.stdout, /ERROR in window: preflight failed, nothing was changed: /);
	assert.ok(!existsSync(setup.marker), 'the maintenance-on hook never ran');
	assert.deepEqual(existsSync(setup.backups) ? readdirSync(setup.backups) : [], [], 'no backup was written');
	const applied = await setup.target.rows('SELECT name FROM cutover_migrations ORDER BY name');
	assert.deepEqual(applied.map(r => r['name']), ['0001_create_users_and_meters'], 'the database is as it was');
}

describe('preflight before the window, in real runs', () => {
	it('SQLite: an applied migration edited on disk is refused at the preflight', async () => {
		const setup = await setUp('sqlite');
		try {
			appendFileSync(path.join(setup.migrations, '0001_create_users_and_meters.up.sql'), '\n-- edited after it was applied\n');
			const result = run(setup);
			await assertRefusedBeforeTheWindow(setup, result, ['drift']);
			assert.match(result.stdout, /FAIL applied migrations unchanged \(0001_create_users_and_meters was changed on disk after it was applied/);
			assert.match(result.stdout, /ok migrations folder \(4 migrations load, 3 pending\)/);
			assert.ok(!result.preflight!.some(i => i.id === 'pg_dump'), 'SQLite needs no external program');
		} finally {
			await setup.target.cleanup();
		}
	});

	it('SQLite: a migrations folder that does not load is a failed preflight item, as the loader said it', async () => {
		const setup = await setUp('sqlite');
		try {
			writeFileSync(path.join(setup.migrations, 'notes.sql'), 'SELECT 1;\n');
			const result = run(setup);
			await assertRefusedBeforeTheWindow(setup, result, ['migrations']);
			const item = result.preflight!.find(i => i.id === 'migrations')!;
			assert.match(item.detail, /notes\.sql is not a migration file name; name migrations NNNN_name\.up\.sql/);
			assert.ok(!result.lines.some(l => l.kind === 'migrations.planned'));
		} finally {
			await setup.target.cleanup();
		}
	});

	it('SQLite: a backups directory that cannot be written is refused', async () => {
		const setup = await setUp('sqlite');
		try {
			const file = path.join(setup.target.dir, 'a-file');
			writeFileSync(file, '');
			const result = run(setup, {backups: path.join(file, 'backups')});
			await assertRefusedBeforeTheWindow(setup, result, ['backups']);
			assert.match(result.preflight!.find(i => i.id === 'backups')!.detail, /a-file\/backups cannot be written \(ENOTDIR: .*choose another with --backups/);
		} finally {
			await setup.target.cleanup();
		}
	});

	it('SQLite: a backups directory without room for a copy of the database is refused (a small tmpfs)', async t => {
		const setup = await setUp('sqlite');
		const small = path.join(scratch, 'small-backups');
		mkdirSync(small, {recursive: true});
		if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', small]).status !== 0) {
			await setup.target.cleanup();
			t.skip('mount -t tmpfs is not allowed here (needs root)');
			return;
		}

		try {
			const result = run(setup, {backups: small});
			const size = result.lines.find(l => l.kind === 'target.fingerprinted')?.event['fingerprint'] as {sizeBytes: number};
			assert.ok(size.sizeBytes > 8192, `the demo database (${size.sizeBytes} bytes) is larger than the tmpfs`);
			await assertRefusedBeforeTheWindow({...setup, backups: small}, result, ['backups']);
			assert.match(result.preflight!.find(i => i.id === 'backups')!.detail, new RegExp(`has \\d\\.\\d kB free, less than the ${(size.sizeBytes / 1024).toFixed(1)} kB needed for the backup \\(about ${(size.sizeBytes / 1024).toFixed(1)} kB, the database's size\\)`));
		} finally {
			spawnSync('umount', [small]);
			await setup.target.cleanup();
		}
	});

	it('PostgreSQL: pg_dump and pg_restore missing from PATH are refused before the window', async () => {
		const setup = await setUp('postgres');
		try {
			const empty = path.join(scratch, 'empty-bin');
			mkdirSync(empty, {recursive: true});
			const result = run(setup, {env: {PATH: empty}});
			await assertRefusedBeforeTheWindow(setup, result, ['pg_dump', 'pg_restore']);
			assert.match(result.stdout, /FAIL pg_dump \(pg_dump cannot be run: it is not installed or not on PATH; install the PostgreSQL client tools/);
		} finally {
			await setup.target.cleanup();
		}
	});

	it('PostgreSQL: a pg_dump older than the server is refused before the window; pg_restore of the right version passes', async () => {
		const setup = await setUp('postgres');
		try {
			const fake = path.join(scratch, 'old-bin');
			mkdirSync(fake, {recursive: true});
			writeFileSync(path.join(fake, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 13.0"\n');
			chmodSync(path.join(fake, 'pg_dump'), 0o755);
			const result = run(setup, {env: {PATH: `${fake}:${process.env['PATH'] ?? ''}`}});
			await assertRefusedBeforeTheWindow(setup, result, ['pg_dump']);
			const server = result.lines.find(l => l.kind === 'target.fingerprinted')?.event['fingerprint'] as {serverVersion: string};
			const major = server.serverVersion.split('.')[0]!;
			assert.match(result.stdout, new RegExp(`FAIL pg_dump \\(pg_dump is 13\\.0, older than the server \\(${major}\\): it cannot back up or restore this database safely`));
			assert.match(result.stdout, new RegExp(`ok pg_restore \\(\\d+[.\\d]*, server ${major}\\)`));
		} finally {
			await setup.target.cleanup();
		}
	});

	it('PostgreSQL: a run with everything in order passes the preflight and goes on to the window', async () => {
		const setup = await setUp('postgres');
		try {
			const result = run(setup);
			assert.equal(result.code, 0, result.stdout + result.stderr);
			assert.deepEqual(result.preflight?.map(i => [i.id, i.ok]), [['migrations', true], ['drift', true], ['pg_dump', true], ['pg_restore', true], ['backups', true], ['records', true]]);
			const kinds = result.lines.map(l => l.kind);
			assert.ok(kinds.indexOf('migrations.planned') < kinds.indexOf('preflight.finished') && kinds.indexOf('preflight.finished') < kinds.indexOf('window.planned'));
			assert.ok(existsSync(setup.marker), 'the maintenance-on hook ran after the window');
		} finally {
			await setup.target.cleanup();
		}
	});
});
