import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {readMigrations} from '../../source/adapters/migrator/migration-files.js';
import {MigrationError, MigrationFileError, MigrationStoppedError} from '../../source/errors/index.js';
import type {StatementProgress} from '../../source/ports/migrator.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const made: string[] = [];
after(() => {
	for (const dir of made) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function directory(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-i9-notx-'));
	made.push(dir);
	for (const [name, content] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), content);
	}

	return dir;
}

const context = {runId: 'run-i9-notx', appliedBy: 'tester@host'};

/** An onStatement that sees each report and says it is on the record. */
const noted = (see: (progress: StatementProgress) => unknown) => (progress: StatementProgress) => {
	see(progress);
	return true;
};

describe('a transactional migration holding a statement that cannot run in a transaction', () => {
	test('is refused when read, naming the file, the statement\'s line and the directive', async () => {
		const dir = directory({'0001_index.up.sql': '-- speeds up logins\nCREATE TABLE t (a int);\n\n/* CONCURRENTLY: no lock on writes */\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n'});
		await assert.rejects(readMigrations(dir, 'postgres'), (error: unknown) => {
			assert.ok(error instanceof MigrationFileError, String(error));
			assert.equal(path.basename(error.file), '0001_index.up.sql');
			assert.equal(error.line, 5);
			assert.match(error.message, /0001_index\.up\.sql:5: CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
			assert.match(error.hint, /-- cutover: no-transaction/);
			return true;
		});
	});

	test('with the directive the same file is read, marked no-transaction in the plan with what is not safe to retry', async () => {
		const dir = directory({'0001_index.up.sql': '-- cutover: no-transaction\nCREATE TABLE IF NOT EXISTS t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n'});
		const [source] = await readMigrations(dir, 'postgres');
		assert.equal(source?.up.transaction, false);
		const file = path.join(made.at(-1)!, 'x.db');
		new BetterSqlite3(file).exec('VACUUM');
		const migrator = await openMigrator({target: parseTarget(`sqlite:${file}`), directory: directory({'0001_v.up.sql': '-- cutover: no-transaction\nCREATE TABLE t (a int);\nVACUUM;\n'})});
		try {
			const plan = await migrator.plan();
			assert.deepEqual(plan.pending[0]?.noTransaction, {statements: 2, notRetrySafe: [{index: 1, why: 'CREATE TABLE without IF NOT EXISTS'}]});
		} finally {
			await migrator.close();
		}
	});

	test('the formats\' own markers count: goose NO TRANSACTION runs it outside, a goose file without it is refused', async () => {
		const [source] = await readMigrations(directory({'00001_idx.sql': '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n-- +goose Down\nDROP INDEX CONCURRENTLY t_a;\n'}), 'postgres');
		assert.equal(source?.up.transaction, false);
		await assert.rejects(readMigrations(directory({'00001_idx.sql': '-- +goose Up\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n'}), 'postgres'), (error: unknown) => {
			assert.ok(error instanceof MigrationFileError, String(error));
			assert.equal(error.line, 2);
			assert.match(error.hint, /-- \+goose NO TRANSACTION/);
			return true;
		});
	});

	test('SQLite: VACUUM in a transactional file is refused, in a no-transaction one it runs', async () => {
		await assert.rejects(readMigrations(directory({'0001_v.up.sql': 'DELETE FROM t;\nVACUUM;\n'}), 'sqlite'), /0001_v\.up\.sql:2: VACUUM cannot run inside a transaction block/);
		const dir = directory({
			'0001_t.up.sql': 'CREATE TABLE t (a int);\nINSERT INTO t VALUES (1), (2);\n',
			'0002_v.up.sql': '-- cutover: no-transaction\nDELETE FROM t WHERE a = 1;\nVACUUM;\n',
		});
		const file = path.join(directory({}), 'test.db');
		new BetterSqlite3(file).exec('VACUUM');
		const migrator = await openMigrator({target: parseTarget(`sqlite:${file}`), directory: dir});
		const seen: StatementProgress[] = [];
		try {
			await migrator.up('0001_t', context);
			await migrator.up('0002_v', {...context, onStatement: noted(p => seen.push(p))});
		} finally {
			await migrator.close();
		}

		assert.deepEqual(seen.map(p => `${p.phase} ${p.index}/${p.total}`), ['started 1/2', 'finished 1/2', 'started 2/2', 'finished 2/2']);
		const db = new BetterSqlite3(file, {readonly: true});
		try {
			assert.deepEqual(db.prepare('SELECT a FROM t').all(), [{a: 2}]);
			assert.deepEqual(db.prepare('SELECT name FROM cutover_migrations ORDER BY name').all(), [{name: '0001_t'}, {name: '0002_v'}]);
		} finally {
			db.close();
		}
	});
});

describe('a no-transaction migration on PostgreSQL', () => {
	test('runs CREATE INDEX CONCURRENTLY statement by statement, and its log row comes after the last one', async () => {
		const database = await createThrowawayDatabase('cutover_i9_notx');
		const dir = directory({'0001_idx.up.sql': '-- cutover: no-transaction\nCREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n', '0001_idx.down.sql': '-- cutover: no-transaction\nDROP INDEX CONCURRENTLY t_a;\nDROP TABLE t;\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			const seen: StatementProgress[] = [];
			await migrator.up('0001_idx', {...context, onStatement: noted(p => seen.push(p))});
			assert.deepEqual(seen.map(p => `${p.phase} ${p.index}/${p.total}`), ['started 1/2', 'finished 1/2', 'started 2/2', 'finished 2/2']);
			const index = await database.sql('SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'t_a\'');
			assert.deepEqual(index.rows, [{indisvalid: true}]);
			assert.equal((await database.sql('SELECT name FROM cutover_migrations')).rows.length, 1);
			await migrator.down('0001_idx', context);
			assert.equal((await database.sql('SELECT to_regclass(\'t\') IS NULL AS gone')).rows[0]?.['gone'], true);
			assert.equal((await database.sql('SELECT name FROM cutover_migrations')).rows.length, 0);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('failing at its second statement: the first one\'s effect stays, no log row, and the error says statement 1 took effect', async () => {
		const database = await createThrowawayDatabase('cutover_i9_notx');
		const dir = directory({'0001_half.up.sql': '-- cutover: no-transaction\nCREATE TABLE kept (a int);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE never (a int);\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			await assert.rejects(migrator.up('0001_half', context), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.deepEqual(error.tookEffect, {statements: 1, total: 3});
				assert.match(error.message, /failed at statement 2 of 3 in 0001_half\.up\.sql: relation "no_such_table" does not exist/);
				assert.match(error.message, /statement 1 of 3 took effect/);
				assert.match(error.hint, /not rolled back/);
				// A failed run is not resumed: the next run starts the migration again at statement 1.
				assert.match(error.hint, /a new cutover run starts 0001_half again at statement 1: make statement 1 idempotent \(IF NOT EXISTS, ON CONFLICT DO NOTHING\) or revert it by hand, fix the cause, then start a new run/);
				assert.doesNotMatch(error.hint, /cutover resume/);
				assert.equal(error.statement, 'INSERT INTO no_such_table VALUES (1)');
				return true;
			});
			const present = await database.sql('SELECT to_regclass(\'kept\') IS NOT NULL AS kept, to_regclass(\'never\') IS NOT NULL AS never');
			assert.deepEqual(present.rows, [{kept: true, never: false}]);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations')).rows[0]?.['n'], 0);

			// A resume that skips the committed statement goes on at statement 2, once the cause is fixed.
			await database.sql('CREATE TABLE no_such_table (a int)');
			const seen: number[] = [];
			await migrator.up('0001_half', {...context, skipStatements: 1, onStatement: noted(p => p.phase === 'started' && seen.push(p.index))});
			assert.deepEqual(seen, [2, 3]);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations')).rows[0]?.['n'], 1);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('stopped between statements: those before stay, the rest wait, no log row', async () => {
		const database = await createThrowawayDatabase('cutover_i9_notx');
		const dir = directory({'0001_three.up.sql': '-- cutover: no-transaction\nCREATE TABLE a (x int);\nCREATE TABLE b (x int);\nCREATE TABLE c (x int);\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			let finished = 0;
			await assert.rejects(migrator.up('0001_three', {...context, onStatement: noted(p => p.phase === 'finished' && finished++), stopBetweenStatements: () => finished >= 2}), (error: unknown) => {
				assert.ok(error instanceof MigrationStoppedError, String(error));
				assert.deepEqual(error.tookEffect, {statements: 2, total: 3});
				return true;
			});
			const present = await database.sql('SELECT to_regclass(\'a\') IS NOT NULL AS a, to_regclass(\'b\') IS NOT NULL AS b, to_regclass(\'c\') IS NOT NULL AS c');
			assert.deepEqual(present.rows, [{a: true, b: true, c: false}]);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations')).rows[0]?.['n'], 0);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('a lock timeout retries only the statement that waited, not the ones already committed', async () => {
		const database = await createThrowawayDatabase('cutover_i9_notx');
		await database.sql('CREATE TABLE held (x int)');
		const dir = directory({'0001_lock.up.sql': '-- cutover: no-transaction\n-- cutover: lock-timeout=100ms\nINSERT INTO log_me SELECT 1;\nALTER TABLE held ADD COLUMN y int;\n'});
		await database.sql('CREATE TABLE log_me (x int)');
		const {default: pg} = await import('pg');
		const holder = new pg.Client({connectionString: database.url});
		await holder.connect();
		await holder.query('BEGIN');
		await holder.query('LOCK TABLE held IN ACCESS EXCLUSIVE MODE');
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir, lock: {maxAttempts: 3, backoffMs: 10}});
		try {
			const starts: number[] = [];
			const retries: number[] = [];
			await assert.rejects(migrator.up('0001_lock', {
				...context,
				onStatement: noted(p => p.phase === 'started' && starts.push(p.index)),
				onRetry: r => retries.push(r.attempt),
			}), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.match(error.message, /gave up waiting for a lock after 3 attempts of 3/);
				assert.match(error.message, /statement 1 of 2 took effect/);
				assert.match(error.message, /held by pid \d+/);
				assert.deepEqual(error.tookEffect, {statements: 1, total: 2});
				return true;
			});
			assert.deepEqual(starts, [1, 2, 2, 2], 'statement 1 ran once, statement 2 three times');
			assert.deepEqual(retries, [1, 2]);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM log_me')).rows[0]?.['n'], 1, 'the committed insert ran once');
		} finally {
			await holder.query('ROLLBACK');
			await holder.end();
			await migrator.close();
			await database.drop();
		}
	});

	test('a module with transaction = false runs each query on its own; one without it is told how to mark itself', async () => {
		const database = await createThrowawayDatabase('cutover_i9_notx');
		const dir = directory({
			'0001_module.mjs': 'export const transaction = false;\nexport async function up({query}) {\n\tawait query(\'CREATE TABLE m (a int)\');\n\tawait query(\'CREATE INDEX CONCURRENTLY m_a ON m (a)\');\n}\n',
			'0002_forgot.mjs': 'export async function up({query}) {\n\tawait query(\'CREATE INDEX CONCURRENTLY m_a2 ON m (a)\');\n}\n',
		});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			const plan = await migrator.plan();
			assert.deepEqual(plan.pending.map(m => m.noTransaction), [{statements: null, notRetrySafe: []}, undefined]);
			const seen: string[] = [];
			await migrator.up('0001_module', {...context, onStatement: noted(p => seen.push(`${p.phase} ${p.index}/${String(p.total)}`))});
			assert.deepEqual(seen, ['started 1/null', 'finished 1/null', 'started 2/null', 'finished 2/null']);
			await assert.rejects(migrator.up('0002_forgot', context), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.match(error.message, /cannot run inside a transaction block/);
				assert.match(error.hint, /export const transaction = false;/);
				return true;
			});
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('a unique CREATE INDEX CONCURRENTLY over duplicate rows leaves an INVALID index that invalidIndexes names and dropInvalidIndex drops', async () => {
		const database = await createThrowawayDatabase('cutover_i9_notx');
		await database.sql('CREATE TABLE emails (address text); INSERT INTO emails VALUES (\'a@x\'), (\'a@x\'), (\'b@x\')');
		const dir = directory({'0001_unique.up.sql': '-- cutover: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY emails_address ON emails (address);\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			assert.deepEqual(await migrator.invalidIndexes('0001_unique'), []);
			await assert.rejects(migrator.up('0001_unique', context), /could not create unique index "emails_address".*no statement \(of 1\) took effect/s);
			const invalid = await migrator.invalidIndexes('0001_unique');
			assert.deepEqual(invalid, [{index: 'emails_address', qualified: 'public.emails_address', table: 'emails'}]);
			await database.sql('DELETE FROM emails WHERE ctid NOT IN (SELECT min(ctid) FROM emails GROUP BY address)');
			// Without the drop, the retry meets the INVALID index by its name.
			await assert.rejects(migrator.up('0001_unique', context), /relation "emails_address" already exists/);
			await migrator.dropInvalidIndex(invalid[0]!);
			assert.deepEqual(await migrator.invalidIndexes('0001_unique'), []);
			await migrator.up('0001_unique', context);
			const index = await database.sql('SELECT i.indisvalid, i.indisunique FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'emails_address\'');
			assert.deepEqual(index.rows, [{indisvalid: true, indisunique: true}]);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('IF NOT EXISTS over an INVALID index is no success: the migration fails naming it, unlogged', async () => {
		const database = await createThrowawayDatabase('cutover_i9_notx');
		await database.sql('CREATE TABLE emails (address text); INSERT INTO emails VALUES (\'a@x\'), (\'a@x\')');
		await database.sql('CREATE UNIQUE INDEX CONCURRENTLY emails_address ON emails (address)').catch(() => undefined);
		await database.sql('DELETE FROM emails WHERE ctid NOT IN (SELECT min(ctid) FROM emails GROUP BY address)');
		const dir = directory({'0001_unique.up.sql': '-- cutover: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS emails_address ON emails (address);\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			await assert.rejects(migrator.up('0001_unique', context), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.match(error.message, /the index public\.emails_address is INVALID \(left by an earlier attempt; IF NOT EXISTS kept it/);
				return true;
			});
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations')).rows[0]?.['n'], 0);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('an INVALID index on a table outside the search_path is found by the ON clause\'s schema; a same-named one in another schema is left alone', async () => {
		const database = await createThrowawayDatabase('cutover_fix_invalid_index');
		await database.sql('CREATE SCHEMA app; CREATE TABLE app.t (x int); INSERT INTO app.t VALUES (1), (1)');
		// A same-named INVALID index on a visible table of another schema: not this migration's.
		await database.sql('CREATE TABLE public.t (x int); INSERT INTO public.t VALUES (2), (2)');
		await database.sql('CREATE UNIQUE INDEX CONCURRENTLY t_x_key ON public.t (x)').catch(() => undefined);
		const dir = directory({'0001_idx.up.sql': '-- cutover: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_x_key ON app.t (x);\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		const validity = async () => (await database.sql('SELECT n.nspname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = \'t_x_key\' ORDER BY 1')).rows;
		try {
			assert.deepEqual(await validity(), [{nspname: 'public', indisvalid: false}]);
			assert.deepEqual(await migrator.invalidIndexes('0001_idx'), [], 'public.t_x_key is on another table');

			// The build fails over the duplicates; the failure names the INVALID index it left in app.
			await assert.rejects(migrator.up('0001_idx', context), (error: unknown) => {
				assert.ok(error instanceof MigrationError, String(error));
				assert.match(error.message, /could not create unique index "t_x_key"/);
				assert.match(error.message, /it left the INVALID index app\.t_x_key on t, to drop before it runs again/);
				assert.doesNotMatch(error.message, /public\.t_x_key/);
				return true;
			});
			const invalid = await migrator.invalidIndexes('0001_idx');
			assert.deepEqual(invalid, [{index: 't_x_key', qualified: 'app.t_x_key', table: 't'}]);

			// IF NOT EXISTS over it does nothing: refused, unlogged.
			await database.sql('DELETE FROM app.t WHERE ctid = (SELECT max(ctid) FROM app.t)');
			await assert.rejects(migrator.up('0001_idx', context), /the index app\.t_x_key is INVALID \(left by an earlier attempt; IF NOT EXISTS kept it/);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations')).rows[0]?.['n'], 0);

			await migrator.dropInvalidIndex(invalid[0]!);
			await migrator.up('0001_idx', context);
			assert.deepEqual(await validity(), [{nspname: 'app', indisvalid: true}, {nspname: 'public', indisvalid: false}]);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations')).rows[0]?.['n'], 1);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});

	test('a statement whose start is not on the record does not run: stopped there, the ones before kept, no log row', async () => {
		const database = await createThrowawayDatabase('cutover_fix_invalid_index');
		const dir = directory({'0001_three.up.sql': '-- cutover: no-transaction\nCREATE TABLE a (x int);\nCREATE TABLE b (x int);\nCREATE TABLE c (x int);\n'});
		const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
		try {
			const starts: number[] = [];
			// The journal takes the first start and nothing after.
			const onStatement = (p: StatementProgress) => {
				if (p.phase === 'started') {
					starts.push(p.index);
				}

				return p.phase === 'finished' || p.index === 1;
			};
			await assert.rejects(migrator.up('0001_three', {...context, onStatement}), (error: unknown) => {
				assert.ok(error instanceof MigrationStoppedError, String(error));
				assert.deepEqual(error.tookEffect, {statements: 1, total: 3});
				return true;
			});
			assert.deepEqual(starts, [1, 2], 'statement 3 was not reached');
			const present = await database.sql('SELECT to_regclass(\'a\') IS NOT NULL AS a, to_regclass(\'b\') IS NOT NULL AS b, to_regclass(\'c\') IS NOT NULL AS c');
			assert.deepEqual(present.rows, [{a: true, b: false, c: false}]);
			assert.equal((await database.sql('SELECT count(*)::int AS n FROM cutover_migrations')).rows[0]?.['n'], 0);
		} finally {
			await migrator.close();
			await database.drop();
		}
	});
});
