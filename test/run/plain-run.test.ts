import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {demoDuplicateIds} from '../../source/demo/seed.js';
import type {Engine} from '../../source/engine/model.js';
import {packageRoot} from '../../source/package-root.js';
import {cli, cutover, demoMigrations, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';
import {contentsOf, schemaOf} from '../support/pg-snapshot.js';
import {adminUrl, createThrowawayDatabase} from '../support/postgres.js';
import pg from 'pg';

const withoutRunLock = (sums: Record<string, string | null>) => Object.fromEntries(Object.entries(sums).filter(([name]) => name !== 'public.cutover_run_lock'));

async function admin(sql: string): Promise<Array<Record<string, unknown>>> {
	const client = new pg.Client({connectionString: adminUrl});
	await client.connect();
	try {
		return (await client.query(sql)).rows as Array<Record<string, unknown>>;
	} finally {
		await client.end();
	}
}

async function databasesLike(pattern: string): Promise<string[]> {
	return (await admin(`SELECT datname FROM pg_database WHERE datname LIKE '${pattern}'`)).map(r => String(r['datname']));
}

async function oidOf(database: string): Promise<number | undefined> {
	const client = new pg.Client({connectionString: adminUrl});
	await client.connect();
	try {
		const result = await client.query<{oid: string}>('SELECT oid::int8::text AS oid FROM pg_database WHERE datname = $1', [database]);
		return result.rows[0] === undefined ? undefined : Number(result.rows[0].oid);
	} finally {
		await client.end();
	}
}

const dirs = (target: DemoTarget) => ['--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')];

function onlyRecord(target: DemoTarget) {
	// The record, not its signature sidecars.
	const files = readdirSync(path.join(target.dir, 'records')).filter(f => f.endsWith('.jsonl'));
	assert.equal(files.length, 1, `one record, found ${files.join(', ')}`);
	return readJournal(readFileSync(path.join(target.dir, 'records', files[0]!), 'utf8'));
}

async function withTarget(engine: Engine, work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget(engine);
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`cutover run --plain on ${engine}`, () => {
		it('upgrades the demo, proves the archive holds exactly the duplicates, and records it all', async () => withTarget(engine, async target => {
			const run = cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, ...dirs(target)]);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			assert.match(run.stdout, /run finished: upgraded; version 0001_create_users_and_meters → 0004_meters_unique_slot/);

			const lines = onlyRecord(target);
			const kinds = lines.map(l => l.kind);
			const order = ['run.started', 'target.fingerprinted', 'migrations.planned', 'window.planned', 'operator.window-confirmed', 'backup.started', 'backup.finished', 'verify.finished', 'baseline.captured', 'operator.proceed', 'upgrade.started', 'upgrade.finished', 'post.compared', 'rollback.offered', 'operator.rollback-chosen', 'rollback.finished', 'run.finished'];
			let last = -1;
			for (const kind of order) {
				const at = kinds.indexOf(kind, last + 1);
				assert.ok(at > last, `${kind} after index ${last}`);
				last = at;
			}

			const checks = lines.filter(l => l.kind === 'check.finished').map(l => l.event['result'] as {id: string; phase: string; verdict: string; evidence: {rows: unknown[][]}});
			const duplicates = checks.find(c => c.phase === 'pre' && c.id === 'duplicate-meters');
			assert.equal(duplicates?.verdict, 'failed');
			assert.deepEqual(duplicates?.evidence.rows.map(r => Number(r[0])), demoDuplicateIds);
			for (const check of checks.filter(c => c.phase === 'post')) {
				assert.equal(check.verdict, 'passed', `post check ${check.id}`);
			}

			const archived = await target.rows('SELECT id FROM meters_archive ORDER BY id');
			assert.deepEqual(archived.map(r => Number(r['id'])), demoDuplicateIds);
			const applied = await target.rows('SELECT name, run_id FROM cutover_migrations ORDER BY name');
			assert.equal(applied.length, 4);
			const runId = lines[0]?.event['runId'];
			assert.ok(applied.slice(1).every(r => r['run_id'] === runId), 'the run id is logged with each migration');
			const finished = lines.at(-1)?.event;
			assert.equal(finished?.['outcome'], 'upgraded');

			// Every program the backup tool ran is on the record with its exit code.
			const started = lines.filter(l => l.kind === 'command.started' && String(l.event['id']).startsWith('tool-'));
			if (engine === 'postgres') {
				const dump = started.find(l => String(l.event['command']).startsWith('pg_dump --format=custom'));
				assert.equal(dump?.event['purpose'], 'backup');
				assert.ok(started.some(l => String(l.event['command']).startsWith('pg_restore --list')), 'the verification\'s pg_restore');
				for (const line of started) {
					const end = lines.find(l => l.kind === 'command.finished' && l.event['id'] === line.event['id']);
					assert.equal(end?.event['exitCode'], 0, String(line.event['command']));
				}
			} else {
				assert.deepEqual(started, [], 'SQLite backups run no external program');
			}
		}));

		it('fails closed at the window without --confirm-db: no backup, nothing changed', async () => withTarget(engine, async target => {
			const run = cutover(target, ['run', '--db', target.db, '--plain', '--yes', ...dirs(target)]);
			assert.equal(run.code, 1);
			assert.match(run.stdout, /type the database name/);
			const kinds = onlyRecord(target).map(l => l.kind);
			assert.ok(!kinds.includes('backup.started'));
			assert.equal(kinds.at(-1), 'run.finished');
			assert.equal((await target.rows('SELECT name FROM cutover_migrations')).length, 1);
		}));

		it('a failing migration with --on-failure restore brings back the backup', async () => withTarget(engine, async target => {
			const migrations = path.join(target.dir, 'migrations');
			cpSync(demoMigrations, migrations, {recursive: true});
			writeFileSync(path.join(migrations, '0005_broken.up.sql'), 'CREATE TABLE audit_log (id integer primary key);\nINSERT INTO no_such_table VALUES (1);\n');
			writeFileSync(path.join(migrations, '0005_broken.down.sql'), 'DROP TABLE audit_log;\n');
			const run = cutover(target, ['run', '--db', target.db, '--migrations', migrations, '--plain', '--yes', '--confirm-db', target.name, '--on-failure', 'restore', ...dirs(target)]);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			assert.match(run.stdout, /up 0005_broken FAILED: .*no_such_table/);
			assert.match(run.stdout, /in: INSERT INTO no_such_table VALUES \(1\)/);
			assert.match(run.stdout, /restore done/);
			assert.match(run.stdout, /run finished: rolled-back/);
			// Back to the backup: the first migration only, and the meters as they were.
			assert.deepEqual((await target.rows('SELECT name FROM cutover_migrations')).map(r => r['name']), ['0001_create_users_and_meters']);
			assert.equal(Number((await target.rows('SELECT count(*) AS n FROM meters'))[0]?.['n']), 40);
			const tables = engine === 'sqlite'
				? await target.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('meters_archive', 'audit_log')")
				: await target.rows("SELECT tablename AS name FROM pg_tables WHERE tablename IN ('meters_archive', 'audit_log')");
			assert.deepEqual(tables, []);
			if (engine === 'sqlite') {
				assert.ok(readdirSync(target.dir).some(f => f.startsWith('demo.db.replaced-')), 'the replaced file is kept aside');
			}
		}));
	});
}

describe('cutover run --plain on postgres: an exact restore', () => {
	// A migration that leaves more than tables behind, then one that fails: the restore must take it all back.
	const objects = `CREATE SCHEMA audit;
CREATE TYPE audit.severity AS ENUM ('info', 'warn');
CREATE EXTENSION pgcrypto;
CREATE TABLE audit.events (id serial PRIMARY KEY, severity audit.severity NOT NULL, digest text NOT NULL);
CREATE FUNCTION audit.log_meter(id int) RETURNS void LANGUAGE sql AS $$ INSERT INTO audit.events (severity, digest) VALUES ('info', encode(digest(id::text, 'sha256'), 'hex')) $$;
SELECT audit.log_meter(id) FROM meters;
UPDATE users SET email = upper(email);
DELETE FROM meters WHERE id > 30;
`;

	it('a failing migration after one that created a schema, a type, a function and an extension: restored exactly, the replaced database named in the record', async () => withTarget('postgres', async target => {
		const migrations = path.join(target.dir, 'migrations');
		cpSync(demoMigrations, migrations, {recursive: true});
		writeFileSync(path.join(migrations, '0005_audit_objects.up.sql'), objects);
		writeFileSync(path.join(migrations, '0005_audit_objects.down.sql'), 'DROP SCHEMA audit CASCADE;\nDROP EXTENSION pgcrypto;\n');
		writeFileSync(path.join(migrations, '0006_broken.up.sql'), 'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n');
		// The run lock's holder table is cutover's own: written when the lock is taken, rewritten when it is retaken.
		const schemaBefore = schemaOf(target.db, ['cutover_run_lock']);
		const contentsBefore = withoutRunLock(await contentsOf(target.db));
		const oidBefore = await oidOf(target.name);

		const run = cutover(target, ['run', '--db', target.db, '--migrations', migrations, '--plain', '--yes', '--confirm-db', target.name, '--on-failure', 'restore', ...dirs(target)]);
		assert.equal(run.code, 1, run.stdout + run.stderr);
		assert.match(run.stdout, /up 0005_audit_objects/);
		assert.match(run.stdout, /up 0006_broken FAILED: .*no_such_table/);
		assert.match(run.stdout, /restore done/);
		assert.match(run.stdout, /run finished: rolled-back/);

		assert.equal(schemaOf(target.db, ['cutover_run_lock']), schemaBefore);
		assert.deepEqual(withoutRunLock(await contentsOf(target.db)), contentsBefore);

		const lines = onlyRecord(target);
		const offered = lines.find(l => l.kind === 'rollback.offered')?.event as {options: Array<{choice: string; available: boolean; cost: string}>} | undefined;
		const restore = offered?.options.find(o => o.choice === 'restore');
		assert.equal(restore?.available, true);
		const announced = /keeps the replaced database as "([^"]+)"/.exec(restore?.cost ?? '')?.[1];
		assert.ok(announced?.startsWith(`${target.name}_cutover_replaced_`), restore?.cost);

		const replaced = lines.find(l => l.kind === 'database.replaced')?.event;
		const oidAfter = await oidOf(target.name);
		assert.deepEqual(replaced, {type: 'database.replaced', database: target.name, keptAs: announced, previousOid: oidBefore, oid: oidAfter});
		assert.notEqual(oidAfter, oidBefore);
		assert.equal(await oidOf(announced!), oidBefore, 'the replaced database is kept under the announced name');
		const finished = lines.find(l => l.kind === 'rollback.finished')?.event;
		assert.equal(finished?.['ok'], true);
		assert.match(String(finished?.['detail']), new RegExp(`kept as "${announced}"`));
		// The run went on after the restore on its reopened connections: it read the version after.
		assert.equal(lines.at(-1)?.event['versionAfter'], '0001_create_users_and_meters');
	}));

	it('a role that cannot create databases is offered no restore, and told why', async () => withTarget('postgres', async target => {
		const role = `cutover_deploy_${process.pid}`;
		await admin(`CREATE ROLE ${role} LOGIN`);
		try {
			await admin(`ALTER DATABASE ${target.name} OWNER TO ${role}`);
			await target.rows(`DO $$ DECLARE t record; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP EXECUTE format('ALTER TABLE %I OWNER TO ${role}', t.tablename); END LOOP; END $$`);
			const url = new URL(target.db);
			url.username = role;
			const migrations = path.join(target.dir, 'migrations');
			cpSync(demoMigrations, migrations, {recursive: true});
			writeFileSync(path.join(migrations, '0005_broken.up.sql'), 'INSERT INTO no_such_table VALUES (1);\n');
			const run = cutover(target, ['run', '--db', url.toString(), '--migrations', migrations, '--plain', '--yes', '--confirm-db', target.name, '--on-failure', 'restore', ...dirs(target)]);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			const offered = onlyRecord(target).find(l => l.kind === 'rollback.offered')?.event as {options: Array<{choice: string; available: boolean; cost: string}>} | undefined;
			const restore = offered?.options.find(o => o.choice === 'restore');
			assert.equal(restore?.available, false);
			assert.match(restore?.cost ?? '', new RegExp(`unavailable: the role ${role} cannot create databases.*ALTER ROLE ${role} CREATEDB`));
			// --on-failure restore stays the operator's choice on the record, as a restore that could not be done.
			const lines = onlyRecord(target);
			assert.deepEqual(lines.filter(l => l.kind === 'operator.rollback-chosen').map(l => l.event['choice']), ['restore']);
			const finished = lines.find(l => l.kind === 'rollback.finished')?.event;
			assert.equal(finished?.['ok'], false);
			assert.match(String(finished?.['detail']), /^restore is not available: /);
			assert.equal(lines.at(-1)?.event['outcome'], 'failed');
			assert.match(run.stdout, /run finished: failed/);
			assert.deepEqual(await databasesLike(`${target.name}\\_cutover\\_%`), []);
		} finally {
			await target.cleanup();
			await admin(`DROP ROLE IF EXISTS ${role}`);
		}
	}));
});

describe('cutover run: bad input', () => {
	it('a SQLite path that does not exist is an error, and no file appears', () => {
		const file = path.join(process.cwd(), 'no-such-dir-cutover', 'missing.db');
		const result = spawnSync(process.execPath, [cli, 'run', '--db', file, '--plain'], {encoding: 'utf8'});
		assert.equal(result.status, 1);
		assert.match(result.stderr, /missing\.db does not exist/);
		assert.match(result.stderr, /never creates an empty database/);
		assert.equal(existsSync(file), false);
	});

	for (const [name, content, message] of [
		['a 0-byte file', Buffer.alloc(0), /empty \(0 bytes\): it is not a SQLite database/],
		['a file of random bytes', Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919 + 13) % 256)), /is not a SQLite database: it does not begin with the SQLite header/],
	] as const) {
		it(`${name} is refused before anything is journaled or written, and stays as it was`, () => {
			const dir = mkdtempSync(path.join(tmpdir(), 'cutover-not-db-'));
			try {
				const file = path.join(dir, 'app.db');
				writeFileSync(file, content);
				const result = spawnSync(process.execPath, [cli, 'run', '--db', file, '--plain', '--yes', '--confirm-db', 'app', '--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups')], {
					encoding: 'utf8', env: {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config')},
				});
				assert.equal(result.status, 1, result.stdout + result.stderr);
				assert.match(result.stderr, message);
				assert.match(result.stderr, /→ /);
				assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
				assert.deepEqual(readFileSync(file), content);
				assert.equal(existsSync(path.join(dir, 'records')) && readdirSync(path.join(dir, 'records')).length > 0, false, 'no record');
			} finally {
				rmSync(dir, {recursive: true, force: true});
			}
		});
	}

	it('off a terminal without --plain, it names the non-interactive form', async () => withTarget('sqlite', async target => {
		const run = cutover(target, ['run', '--db', target.db]);
		assert.equal(run.code, 1);
		assert.match(run.stderr, /needs a terminal/);
		assert.match(run.stderr, /cutover run --db \S+ .*--plain --yes --confirm-db demo/);
	}));

	it('an unknown flag is a usage error (exit 2)', () => {
		const result = spawnSync(process.execPath, [cli, 'run', '--dbb', 'x'], {encoding: 'utf8'});
		assert.equal(result.status, 2);
		assert.match(result.stderr, /--dbb/);
		assert.match(result.stderr, /cutover run --help/);
	});
});

/** A first deployment: a valid database with no table at all. */
async function withEmptyTarget(engine: Engine, work: (target: DemoTarget) => Promise<void>) {
	const dir = mkdtempSync(path.join(tmpdir(), `cutover-first-${engine}-`));
	let target: DemoTarget;
	if (engine === 'sqlite') {
		const file = path.join(dir, 'first.db');
		const db = new BetterSqlite3(file);
		db.exec('VACUUM');
		db.close();
		target = {
			engine, db: `sqlite:${file}`, name: 'first', dir,
			async rows(sql) {
				const reader = new BetterSqlite3(file, {readonly: true, fileMustExist: true});
				try {
					return reader.prepare(sql).all() as Array<Record<string, unknown>>;
				} finally {
					reader.close();
				}
			},
			async cleanup() {
				rmSync(dir, {recursive: true, force: true});
			},
		};
	} else {
		const database = await createThrowawayDatabase('cutover_first');
		target = {
			engine, db: database.url, name: database.name, dir,
			rows: async sql => (await database.sql(sql)).rows as Array<Record<string, unknown>>,
			async cleanup() {
				await database.drop();
				rmSync(dir, {recursive: true, force: true});
			},
		};
	}

	try {
		assert.deepEqual(await target.rows(engine === 'sqlite'
			? 'SELECT name FROM sqlite_master'
			: `SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`), [], 'the database starts with no table');
		await work(target);
	} finally {
		await target.cleanup();
	}
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`cutover run --plain on an empty ${engine} database (a first deployment)`, () => {
		it('upgrades: every pre-check is not applicable, the post checks pass', async () => withEmptyTarget(engine, async target => {
			const run = cutover(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', productionChecklist, '--plain', '--yes', '--confirm-db', target.name, '--at-end', 'keep', ...dirs(target)]);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			assert.match(run.stdout, /^outcome: upgraded$/m);
			assert.match(run.stdout, /pre admin-exists: NOT-APPLICABLE: table users does not exist yet/);
			assert.match(run.stdout, /pre duplicate-meters: NOT-APPLICABLE \(warn\): table meters does not exist yet/);
			assert.match(run.stdout, /post archive-holds-duplicates: PASSED: the same 0 rows as pre.duplicate-meters \(pre.duplicate-meters was not applicable/);
			assert.doesNotMatch(run.stdout + run.stderr, /does not exist"|relation "|no such table/);

			const lines = onlyRecord(target);
			const checks = lines.filter(l => l.kind === 'check.finished').map(l => l.event['result'] as {id: string; phase: string; verdict: string});
			const pre = checks.filter(c => c.phase === 'pre');
			assert.deepEqual(pre.map(c => [c.id, c.verdict]), [['duplicate-meters', 'not-applicable'], ['admin-exists', 'not-applicable'], ['duplicate-emails', 'not-applicable']]);
			const post = checks.filter(c => c.phase === 'post' && !c.id.startsWith('again.'));
			assert.deepEqual(post.map(c => [c.id, c.verdict]), [
				['version', 'passed'], ['no-duplicate-meters', 'passed'], ['archive-holds-duplicates', 'passed'],
				['status-filled', 'passed'], ['active-admin', 'passed'], ['health', 'passed'],
			]);
			assert.deepEqual(checks.filter(c => c.id.startsWith('again.')).map(c => c.verdict), ['not-applicable', 'not-applicable', 'not-applicable']);
			assert.equal(lines.at(-1)?.event['outcome'], 'upgraded');
			assert.equal((await target.rows('SELECT name FROM cutover_migrations')).length, 4);
		}));
	});
}

describe('the first-deployment command, as an operator types it', () => {
	it('node dist/source/cli/main.js run --db sqlite:$t/first.db … with HOME a fresh directory prints outcome: upgraded', async () => withEmptyTarget('sqlite', async target => {
		const env: Record<string, string> = {};
		for (const [key, value] of Object.entries(process.env)) {
			if (value !== undefined && !key.startsWith('CUTOVER_') && key !== 'XDG_CONFIG_HOME') {
				env[key] = value;
			}
		}

		const result = spawnSync(process.execPath, ['dist/source/cli/main.js', 'run', '--db', `sqlite:${target.dir}/first.db`, '--migrations', 'migrations', '--checklist', 'checklists/production.yaml', '--plain', '--yes', '--confirm-db', 'first', '--at-end', 'keep'], {
			cwd: packageRoot, encoding: 'utf8', env: {...env, HOME: target.dir, NO_COLOR: '1'}, timeout: 180_000,
		});
		assert.equal(result.status, 0, result.stdout + result.stderr);
		assert.match(result.stdout, /^outcome: upgraded$/m);
		assert.equal((await target.rows('SELECT name FROM cutover_migrations')).length, 4);
	}));
});
