import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {openTargetMigrator} from '../../source/adapters/open-target.js';
import type {JudgedStatement, LockTraceReport} from '../../source/engine/lock-trace.js';
import {parseTarget} from '../../source/target.js';
import {cli} from '../support/demo-targets.js';
import {adminUrl, createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

/*
 * What each statement takes, as read by hand in psql on PostgreSQL 15 (BEGIN; <statement>;
 * SELECT relname, mode FROM pg_locks JOIN pg_class ON oid = relation WHERE pid = pg_backend_pid();
 * pg_relation_filenode('t') compared before and after; ROLLBACK), tables t(id, c, p_id) and p(id):
 *   ALTER TABLE t ADD COLUMN x int                 t AccessExclusiveLock; no rewrite
 *   ALTER TABLE t ALTER COLUMN c TYPE bigint       t AccessExclusiveLock, ShareLock; rewrite
 *   CREATE INDEX i ON t (c)                        t ShareLock (i AccessExclusiveLock, new); no rewrite
 *   ADD CONSTRAINT … FOREIGN KEY … NOT VALID       t and p ShareRowExclusiveLock, AccessShareLock
 *   VALIDATE CONSTRAINT (that foreign key)         t ShareUpdateExclusiveLock, AccessShareLock; p RowShareLock, AccessShareLock
 *   ADD COLUMN d int DEFAULT random()              t AccessExclusiveLock, ShareLock; rewrite
 *   ADD COLUMN e int DEFAULT 0                     t AccessExclusiveLock; no rewrite (a constant default since PostgreSQL 11)
 */
const init = 'CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE t (id int PRIMARY KEY, c int, p_id int);\n';
const pending: Array<[string, string]> = [
	['0002_add_column', 'ALTER TABLE t ADD COLUMN x int;'],
	['0003_type_bigint', 'ALTER TABLE t ALTER COLUMN c TYPE bigint;'],
	['0004_index', 'CREATE INDEX t_c ON t (c);'],
	['0005_fk_not_valid', 'ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID;'],
	['0006_validate', 'ALTER TABLE t VALIDATE CONSTRAINT t_p_fk;'],
	['0007_volatile_default', 'ALTER TABLE t ADD COLUMN d int DEFAULT random();'],
	['0008_constant_default', 'ALTER TABLE t ADD COLUMN e int DEFAULT 0;'],
	['0009_concurrent', '-- cutover: no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);'],
	['0010_two_statements', 'ALTER TABLE t ADD COLUMN f int;\nCREATE TABLE q (id int);\nINSERT INTO q VALUES (1);'],
	['0011_on_a_new_table', 'ALTER TABLE q ADD COLUMN z int;'],
];

type Run = {code: number | null; stdout: string; stderr: string};

function folder(files: Array<[string, string]>): string {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'cutover-trace-'));
	for (const [name, text] of files) {
		// A name with its extension is a whole file name (a module); otherwise an up SQL file.
		writeFileSync(path.join(directory, name.includes('.') ? name : `${name}.up.sql`), `${text}\n`);
	}

	return directory;
}

const configDir = mkdtempSync(path.join(os.tmpdir(), 'cutover-trace-config-'));

function trace(args: string[]): Run {
	const run = spawnSync(process.execPath, [cli, 'lint', '--trace', ...args], {encoding: 'utf8', env: {...process.env, CUTOVER_CONFIG_DIR: configDir}});
	return {code: run.status, stdout: run.stdout, stderr: run.stderr};
}

type Both = {lint: {exitCode: number}; trace: LockTraceReport & {exitCode: number}; exitCode: number};

/** The trace's half of lint --trace --json, its exit status checked against the whole command's: the higher of the lint's and the trace's. */
function traceOf(run: Run, traceExit: number): LockTraceReport {
	const both = JSON.parse(run.stdout) as Both;
	assert.equal(both.trace.exitCode, traceExit, run.stdout + run.stderr);
	assert.equal(run.code, Math.max(both.lint.exitCode, traceExit));
	assert.equal(both.exitCode, run.code);
	return both.trace;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: adminUrl});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

async function scratchDatabasesLeft(): Promise<string[]> {
	return withAdmin(async client => (await client.query<{datname: string}>(String.raw`SELECT datname FROM pg_database WHERE datname LIKE 'cutover\_lt\_%'`)).rows.map(r => r.datname));
}

/** The target as pg_dump sees its schema, and cutover's log rows: what must be the same after a trace. */
function schemaOf(database: ThrowawayDatabase): string {
	const dump = spawnSync('pg_dump', ['--schema-only', '--no-owner', database.url], {encoding: 'utf8'});
	assert.equal(dump.status, 0, dump.stderr);
	// pg_dump 15.14 and later fence the script with a random \restrict key: no part of the schema.
	return dump.stdout.replaceAll(/^\\(?:un)?restrict .*$/gm, '');
}

async function logOf(database: ThrowawayDatabase): Promise<unknown[]> {
	return (await database.sql('SELECT name, checksum FROM cutover_migrations ORDER BY name')).rows;
}

/** A target with 0001 applied through cutover's migrator, and rows in t. */
async function prepareTarget(rows: number): Promise<ThrowawayDatabase> {
	const database = await createThrowawayDatabase('cutover_test_trace');
	const directory = folder([['0001_init', init]]);
	try {
		const migrator = await openTargetMigrator(parseTarget(database.url), directory);
		try {
			await migrator.plan();
			await migrator.up('0001_init', {runId: 'trace-test', appliedBy: 'test'});
		} finally {
			await migrator.close();
		}
	} finally {
		rmSync(directory, {recursive: true, force: true});
	}

	await database.sql(`INSERT INTO p VALUES (1); INSERT INTO t SELECT g, g, 1 FROM generate_series(1, ${rows}) g; ANALYZE p; ANALYZE t;`);
	return database;
}

function statementOf(report: LockTraceReport, migration: string, index = 1): JudgedStatement {
	const found = report.migrations.find(m => m.name === migration)?.statements.find(s => s.index === index);
	return found ?? assert.fail(`no statement ${index} of ${migration} in the report`);
}

/** relation → [strongest mode held, the modes the statement itself added, rewrite]. */
function locksOf(statement: JudgedStatement): Record<string, [string, string[], boolean]> {
	assert.equal(statement.status, 'traced', JSON.stringify(statement));
	return Object.fromEntries(statement.judged.map(lock => [lock.relation, [lock.mode, lock.taken, lock.rewrite]]));
}

describe('cutover lint --trace on PostgreSQL', () => {
	let target: ThrowawayDatabase;
	let directory: string;
	before(async () => {
		target = await prepareTarget(20_000);
		directory = folder(pending);
	});
	after(async () => {
		await target?.drop();
		rmSync(directory, {recursive: true, force: true});
		rmSync(configDir, {recursive: true, force: true});
	});

	it('reports the lock modes and rewrites read by hand in pg_locks, leaves the target as it was and drops its copy', async () => {
		const schemaBefore = schemaOf(target);
		const logBefore = await logOf(target);
		const run = trace(['--db', target.url, directory, '--json']);
		// 20 000 rows in t: over the small threshold, under the large one.
		const report = traceOf(run, 1);
		assert.deepEqual(report.migrations.map(m => m.name), pending.map(([name]) => name));

		assert.deepEqual(locksOf(statementOf(report, '0002_add_column')), {t: ['AccessExclusiveLock', ['AccessExclusiveLock'], false]});
		assert.deepEqual(locksOf(statementOf(report, '0003_type_bigint')), {t: ['AccessExclusiveLock', ['AccessExclusiveLock', 'ShareLock'], true]});
		assert.deepEqual(locksOf(statementOf(report, '0004_index')), {t: ['ShareLock', ['ShareLock'], false]});
		const index = statementOf(report, '0004_index').judged[0]!;
		assert.deepEqual([index.blocksReads, index.blocksWrites], [false, true]);
		assert.deepEqual(locksOf(statementOf(report, '0005_fk_not_valid')), {
			t: ['ShareRowExclusiveLock', ['ShareRowExclusiveLock', 'AccessShareLock'], false],
			p: ['ShareRowExclusiveLock', ['ShareRowExclusiveLock', 'AccessShareLock'], false],
		});
		assert.deepEqual(locksOf(statementOf(report, '0006_validate')), {
			t: ['ShareUpdateExclusiveLock', ['ShareUpdateExclusiveLock', 'AccessShareLock'], false],
			p: ['RowShareLock', ['RowShareLock', 'AccessShareLock'], false],
		});
		assert.equal(statementOf(report, '0006_validate').verdict.text, 'ok: blocks no reads or writes');
		assert.deepEqual(locksOf(statementOf(report, '0007_volatile_default')), {t: ['AccessExclusiveLock', ['AccessExclusiveLock', 'ShareLock'], true]});
		assert.deepEqual(locksOf(statementOf(report, '0008_constant_default')), {t: ['AccessExclusiveLock', ['AccessExclusiveLock'], false]});

		const concurrent = statementOf(report, '0009_concurrent');
		assert.equal(concurrent.status, 'not-traced');
		assert.equal(concurrent.verdict.text, 'not traced: runs outside a transaction; takes SHARE UPDATE EXCLUSIVE, blocks no reads or writes');
		assert.equal(concurrent.verdict.level, 'ok');

		// The lock of statement 1 is held through the later ones; the table made in the migration is no one else's yet.
		assert.deepEqual(locksOf(statementOf(report, '0010_two_statements', 1)), {t: ['AccessExclusiveLock', ['AccessExclusiveLock'], false]});
		const second = statementOf(report, '0010_two_statements', 2);
		assert.deepEqual(locksOf(second), {t: ['AccessExclusiveLock', [], false]});
		assert.equal(second.judged[0]!.heldSince, 1);
		assert.match(second.verdict.text, /^caution: blocks reads and writes on t \([\d.]+ [kM]B, ~20k rows\) from here until the migration commits \(the lock of statement 1\)$/);
		assert.match(statementOf(report, '0010_two_statements', 3).verdict.text, /for as long as the statement runs \(the lock of statement 1\)$/);

		const onNew = statementOf(report, '0011_on_a_new_table');
		assert.deepEqual(locksOf(onNew), {q: ['AccessExclusiveLock', ['AccessExclusiveLock'], false]});
		assert.equal(onNew.verdict.text, 'ok: q is not on the target yet (this run makes it first)');

		// Sizes are the target's: the copy holds no rows.
		const size = statementOf(report, '0002_add_column').judged[0]!.size;
		assert.ok(size !== null && size !== 'new' && size.rows === 20_000 && size.bytes > 500_000, JSON.stringify(size));
		assert.match(statementOf(report, '0003_type_bigint').verdict.text, /^caution: rewrites t \(.+, ~20k rows\): reads and writes wait for the whole copy$/);

		assert.deepEqual(await scratchDatabasesLeft(), []);
		assert.equal(schemaOf(target), schemaBefore);
		assert.deepEqual(await logOf(target), logBefore);
	});

	it('prints a table per migration at 80 columns, each verdict under its statement', () => {
		const run = trace(['--db', target.url, directory, '--plain']);
		// The lint's findings come first (a type change that rewrites: an error), then the trace.
		assert.equal(run.code, 2, run.stdout + run.stderr);
		assert.match(run.stdout, /^0003_type_bigint\.up\.sql:1 +error +column-type-rewrite$/m);
		assert.ok(run.stdout.indexOf('column-type-rewrite') < run.stdout.indexOf('lock trace of '), run.stdout);
		const lines = run.stdout.split('\n');
		assert.ok(lines.every(line => line.length <= 80), lines.filter(line => line.length > 80).join('\n'));
		assert.match(run.stdout, /^0004_index \(1 statement, one transaction, rolled back after the trace\)$/m);
		assert.match(run.stdout, /^1 {2}CREATE INDEX t_c ON… Share {16}t {11}W {6}no {6}[\d.]+ [kM]B$/m);
		assert.match(run.stdout, /^2 {2}CREATE TABLE q \(id … AccessExclusive #1 {3}t {11}R W/m);
		assert.match(run.stdout, /^1 {2}CREATE INDEX CONCUR… ShareUpdateExclusive t {11}- /m);
		assert.match(run.stdout, /^ {3}caution: rewrites t \(/m);
		assert.match(run.stdout, /^trace: caution: 0 danger, 9 caution, 3 ok of 12 statements\n$/m);
	});

	it('with --empty traces the whole folder from nothing, sizes still the target\'s by name', async () => {
		const whole = folder([['0001_init', init], pending[0]!]);
		try {
			const report = traceOf(trace(['--db', target.url, whole, '--empty', '--json']), 1);
			assert.equal(report.appliedBefore, 0);
			// Tables made in the traced migration are seen by no one before it commits.
			assert.deepEqual(statementOf(report, '0001_init', 1).judged, []);
			assert.equal(statementOf(report, '0001_init', 2).verdict.text, 'ok: takes no lock on a table of the target');
			const size = statementOf(report, '0002_add_column').judged[0]!.size;
			assert.ok(size !== null && size !== 'new' && size.rows === 20_000, JSON.stringify(size));
			assert.deepEqual(await scratchDatabasesLeft(), []);
		} finally {
			rmSync(whole, {recursive: true, force: true});
		}
	});

	it('traces a maragu folder whose first migration alters the tool\'s own table, made first on the copy as the run makes it', async () => {
		const maragu = folder([['0000_history_note_up.sql', 'ALTER TABLE migrations ADD COLUMN note text;'], ['0000_history_note_down.sql', 'ALTER TABLE migrations DROP COLUMN note;'], ['0001_q_up.sql', 'CREATE TABLE q (id int);'], ['0001_q_down.sql', 'DROP TABLE q;']]);
		try {
			const run = trace(['--db', target.url, maragu, '--empty', '--json']);
			const report = traceOf(run, 0);
			assert.deepEqual(report.migrations.map(m => [m.name, m.problem, m.statements.map(s => s.status)]), [['0000_history_note', null, ['traced']], ['0001_q', null, ['traced']]], run.stdout);
			assert.deepEqual(await scratchDatabasesLeft(), []);
		} finally {
			rmSync(maragu, {recursive: true, force: true});
		}
	});

	it('traces a JS migration query by query', () => {
		const modules = folder([['0002_module.mjs', 'export async function up({query}) {\n\tawait query("ALTER TABLE t ADD COLUMN m int");\n\tawait query("SELECT count(*) FROM p");\n}\n']]);
		try {
			const report = traceOf(trace(['--db', target.url, modules, '--json']), 1);
			assert.deepEqual(locksOf(statementOf(report, '0002_module', 1)), {t: ['AccessExclusiveLock', ['AccessExclusiveLock'], false]});
			assert.equal(statementOf(report, '0002_module', 2).text, 'SELECT count(*) FROM p');
			assert.deepEqual(locksOf(statementOf(report, '0002_module', 2)), {t: ['AccessExclusiveLock', [], false], p: ['AccessShareLock', ['AccessShareLock'], false]});
		} finally {
			rmSync(modules, {recursive: true, force: true});
		}
	});

	it('a migration that fails on the copy is named, the ones after it are not traced, exit 2, and the copy is dropped', async () => {
		const failing = folder([['0002_fails', 'ALTER TABLE t ADD COLUMN g int;\nALTER TABLE missing ADD COLUMN h int;'], ['0003_after', 'ALTER TABLE t ADD COLUMN i int;']]);
		try {
			const report = traceOf(trace(['--db', target.url, failing, '--json']), 2);
			assert.equal(statementOf(report, '0002_fails', 1).status, 'traced');
			assert.match(statementOf(report, '0002_fails', 2).verdict.text, /^failed on the scratch copy: relation "missing" does not exist$/);
			assert.match(report.migrations[1]!.problem ?? '', /0002_fails failed on the scratch copy/);
			assert.deepEqual(await scratchDatabasesLeft(), []);
		} finally {
			rmSync(failing, {recursive: true, force: true});
		}
	});

	it('an error after the copy was made (a target without cutover\'s log) is exit 3 saying what to do, and the copy is dropped', async () => {
		const bare = await createThrowawayDatabase('cutover_test_trace');
		try {
			await bare.sql('CREATE TABLE t (id int)');
			const run = trace(['--db', bare.url, directory, '--json']);
			assert.equal(run.code, 3, run.stdout + run.stderr);
			const answer = JSON.parse(run.stdout) as {status: string; hint: string};
			assert.equal(answer.status, 'could-not-lint');
			assert.match(answer.hint, /adopt it first/);
			assert.deepEqual(await scratchDatabasesLeft(), []);
		} finally {
			await bare.drop();
		}
	});

	it('refuses a SQLite target and a missing --db, saying what to do', () => {
		const file = path.join(configDir, 'some.db');
		writeFileSync(file, '');
		const sqlite = trace(['--db', file, directory]);
		assert.equal(sqlite.code, 3, sqlite.stderr);
		assert.match(sqlite.stderr, /the lock trace is for PostgreSQL/);
		const none = trace([directory]);
		assert.equal(none.code, 3);
		assert.match(none.stderr, /--trace needs --db/);
		assert.match(none.stderr, /→ pass the PostgreSQL database/);
	});

	it('drops its scratch database on SIGTERM while a traced statement runs, and exits 143', async () => {
		const slow = folder([['0002_slow', 'SELECT pg_sleep(30);']]);
		try {
			const child = spawn(process.execPath, [cli, 'lint', '--trace', '--db', target.url, slow, '--plain'], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, CUTOVER_CONFIG_DIR: configDir}});
			let stderr = '';
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString('utf8');
			});
			const exited = new Promise<number | null>(resolve => child.once('close', resolve));
			await withAdmin(async client => {
				for (let i = 0; ; i++) {
					// eslint-disable-next-line no-await-in-loop -- polling for the traced statement
					const running = await client.query(String.raw`SELECT 1 FROM pg_stat_activity WHERE datname LIKE 'cutover\_lt\_%' AND query LIKE '%pg_sleep(30)%' AND state = 'active'`);
					if (running.rowCount !== 0) {
						break;
					}

					assert.ok(i < 300, `the traced statement never started: ${stderr}`);
					// eslint-disable-next-line no-await-in-loop
					await sleep(100);
				}
			});
			assert.equal((await scratchDatabasesLeft()).length, 1);
			child.kill('SIGTERM');
			assert.equal(await exited, 143, stderr);
			assert.match(stderr, /SIGTERM: removing the scratch copy/);
			assert.deepEqual(await scratchDatabasesLeft(), []);
		} finally {
			rmSync(slow, {recursive: true, force: true});
		}
	});
});
