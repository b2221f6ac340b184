import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {describe, it} from 'node:test';
import {execa} from 'execa';
import {followObjects} from '../../source/adopt/evidence.js';
import {schemaChanges} from '../../source/sql/created-objects.js';
import {createThrowawayDatabase} from '../support/postgres.js';
import {scratch} from './adopt-support.js';

// 0002 makes a table and an index that later migrations drop (0004) and rename (0005): their
// absence is what those did, and a database at 0006 has b and c, not a nor a_idx.
const folder = (engine: 'postgres' | 'sqlite'): Record<string, string> => ({
	'0001_users.up.sql': 'CREATE TABLE users (id integer PRIMARY KEY);\n',
	'0001_users.down.sql': 'DROP TABLE users;\n',
	'0002_a.up.sql': 'CREATE TABLE a (id integer PRIMARY KEY, note text);\nCREATE INDEX a_idx ON a (note);\n',
	'0002_a.down.sql': 'DROP TABLE a;\n',
	'0003_users_email.up.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
	'0003_users_email.down.sql': 'ALTER TABLE users DROP COLUMN email;\n',
	'0004_drop_a_idx.up.sql': `DROP INDEX IF EXISTS ${engine === 'postgres' ? 'public' : 'main'}.a_idx;\n`,
	'0004_drop_a_idx.down.sql': 'CREATE INDEX a_idx ON a (note);\n',
	'0005_rename_a.up.sql': 'ALTER TABLE "a" RENAME TO b;\n',
	'0005_rename_a.down.sql': 'ALTER TABLE b RENAME TO a;\n',
	'0006_c.up.sql': 'CREATE TABLE c (id integer PRIMARY KEY);\nCREATE INDEX c_id ON c (id);\n',
	'0006_c.down.sql': 'DROP TABLE c;\n',
});
const ups = (files: Record<string, string>) => Object.keys(files).filter(name => name.endsWith('.up.sql')).sort();

describe('schemaChanges', () => {
	for (const engine of ['postgres', 'sqlite'] as const) {
		it(`${engine}: reads drops (lists, IF EXISTS, CONCURRENTLY, qualified, quoted) and renames of tables and indexes, not of columns`, async () => {
			const sql = `CREATE TABLE audit.log (id int);
CREATE INDEX log_at ON audit.log (id);
DROP TABLE IF EXISTS one, "Two" CASCADE;
drop index concurrently if exists public.x_idx;
ALTER TABLE IF EXISTS audit.log RENAME TO events;
ALTER TABLE users RENAME COLUMN a TO b;
ALTER TABLE users RENAME a TO b;
ALTER INDEX "Old" RENAME TO new_idx;`;
			const changes = (await schemaChanges(sql, engine)).map(({change, kind, name, ...rest}) => ({change, kind, name, ...'to' in rest ? {to: rest.to} : {}}));
			assert.deepEqual(changes, [
				{change: 'create', kind: 'table', name: 'audit.log'},
				{change: 'create', kind: 'index', name: 'log_at'},
				{change: 'drop', kind: 'table', name: 'one'},
				{change: 'drop', kind: 'table', name: '"Two"'},
				{change: 'drop', kind: 'index', name: 'public.x_idx'},
				{change: 'rename', kind: 'table', name: 'audit.log', to: 'audit.events'},
				{change: 'rename', kind: 'index', name: '"Old"', to: 'new_idx'},
			]);
		});
	}

	it('a drop names the object however the create wrote it: schema, quotes, and a PostgreSQL index in its table\'s schema', async () => {
		const [created, dropped] = await Promise.all([
			schemaChanges('CREATE TABLE Users (id int); CREATE INDEX log_at ON audit.log (id);', 'postgres'),
			schemaChanges('DROP TABLE public."users"; DROP INDEX audit.log_at;', 'postgres'),
		]);
		assert.deepEqual(created.map(c => c.key), dropped.map(c => c.key));
		const [sqliteCreated, sqliteDropped] = await Promise.all([schemaChanges('CREATE TABLE "Users" (id int);', 'sqlite'), schemaChanges('DROP TABLE main.users;', 'sqlite')]);
		assert.equal(sqliteCreated[0]?.key, sqliteDropped[0]?.key, 'SQLite compares names without case');
	});
});

describe('followObjects', () => {
	it('a dropped table takes its indexes; a renamed one keeps them; a name made again later is expected again', async () => {
		const files = await Promise.all([
			['0001', 'CREATE TABLE t (id int); CREATE INDEX t_id ON t (id); CREATE TABLE gone (id int);'],
			['0002', 'ALTER TABLE t RENAME TO u; DROP TABLE IF EXISTS gone;'],
			['0003', 'CREATE TABLE gone (id int); CREATE TABLE tmp (id int); DROP TABLE tmp;'],
			['0004', 'DROP TABLE u;'],
		].map(async ([name, sql]) => ({name: name!, changes: await schemaChanges(sql!, 'postgres')})));
		const alive: string[][] = [];
		const objects = followObjects(files, (_, now) => alive.push(now.map(o => `${o.kind} ${o.name}`)));
		assert.deepEqual(objects, [
			[{kind: 'table', name: 't', droppedBy: '0002', renamedTo: 'u'}, {kind: 'index', name: 't_id', droppedBy: '0004'}, {kind: 'table', name: 'gone', droppedBy: '0002'}],
			[{kind: 'table', name: 'u', droppedBy: '0004'}],
			[{kind: 'table', name: 'gone'}, {kind: 'table', name: 'tmp', droppedBy: '0003'}],
			[],
		]);
		assert.deepEqual(alive[1], ['index t_id', 'table u']);
		assert.deepEqual(alive[3], ['table gone']);
	});
});

describe('baseline and status over migrations that drop and rename what earlier ones made', () => {
	it('PostgreSQL built by psql: status suggests the last migration, baseline shows the dropped and renamed objects and writes; a really missing table still refuses', async () => {
		const files = folder('postgres');
		const s = scratch();
		const db = await createThrowawayDatabase('cutover_i9_drops');
		const short = await createThrowawayDatabase('cutover_i9_drops_short');
		try {
			s.write(files);
			for (const target of [db, short]) {
				for (const up of ups(files)) {
					// eslint-disable-next-line no-await-in-loop -- in order, as the other tool applied them
					await execa('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target.url, '-f', path.join(s.migrations, up)]);
				}
			}

			// `short` lost table c since: its evidence is really missing.
			await execa('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', short.url, '-c', 'DROP TABLE c']);

			const status = s.cutover(['status', '--db', db.url, '--migrations', s.migrations]);
			assert.equal(status.code, 0, status.stderr);
			assert.match(status.stdout, /WARNING {2}no cutover history: .*cutover baseline --db \S+ .*--to 0006_c\b/, status.stdout);

			const baseline = s.cutover(['baseline', '--db', db.url, '--migrations', s.migrations, '--to', '0006_c', '--yes', '--confirm-db', db.name]);
			assert.equal(baseline.code, 0, baseline.stdout + baseline.stderr);
			for (const evidence of [
				'table users: present',
				'table a: dropped later by 0005_rename_a (renamed to b)',
				'index a_idx: dropped later by 0004_drop_a_idx',
				'table b: present',
				'table c: present',
				'index c_id: present',
			]) {
				assert.ok(baseline.stdout.includes(evidence), `${evidence} in\n${baseline.stdout}`);
			}

			assert.match(baseline.stdout, /0002_a +- +applied +2 dropped later/);
			assert.match(baseline.stdout, /0005_rename_a +- +applied +1 of 1 objects present/);
			assert.doesNotMatch(baseline.stdout, /MISSING/);
			assert.deepEqual((await db.sql('SELECT name FROM cutover_migrations ORDER BY name')).rows.map(r => r.name), ups(files).map(up => up.replace('.up.sql', '')));

			const shortStatus = s.cutover(['status', '--db', short.url, '--migrations', s.migrations]);
			assert.match(shortStatus.stdout, /cutover baseline .*--to 0005_rename_a\b/, 'the suggestion stops before the migration whose table is gone');
			const refused = s.cutover(['baseline', '--db', short.url, '--migrations', s.migrations, '--to', '0006_c', '--yes', '--confirm-db', short.name]);
			assert.equal(refused.code, 1, refused.stdout + refused.stderr);
			assert.match(refused.stdout, /table c: MISSING/);
			assert.match(refused.stdout, /nothing was written: objects these migrations create are missing from the database: 0006_c \(table c, index c_id\)/);
			assert.equal((await short.sql('SELECT to_regclass(\'cutover_migrations\') IS NULL AS none')).rows[0].none, true);
		} finally {
			await Promise.all([db.drop(), short.drop()]);
			s.cleanup();
		}
	});

	it('SQLite built by sqlite3: the same suggestion and baseline', () => {
		const files = folder('sqlite');
		const s = scratch();
		try {
			s.write(files);
			const file = path.join(s.dir, 'app.db');
			for (const up of ups(files)) {
				execFileSync('sqlite3', ['-bail', file, `.read ${path.join(s.migrations, up)}`]);
			}

			const status = s.cutover(['status', '--db', `sqlite:${file}`, '--migrations', s.migrations]);
			assert.equal(status.code, 0, status.stderr);
			assert.match(status.stdout, /cutover baseline .*--to 0006_c\b/, status.stdout);
			const baseline = s.cutover(['baseline', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--to', '0006_c', '--yes', '--confirm-db', 'app']);
			assert.equal(baseline.code, 0, baseline.stdout + baseline.stderr);
			assert.ok(baseline.stdout.includes('index a_idx: dropped later by 0004_drop_a_idx'), baseline.stdout);
			assert.ok(baseline.stdout.includes('table a: dropped later by 0005_rename_a (renamed to b)'), baseline.stdout);
			assert.ok(baseline.stdout.includes('table b: present'), baseline.stdout);
			const check = new BetterSqlite3(file, {readonly: true});
			try {
				assert.equal(check.prepare('SELECT count(*) FROM cutover_migrations').pluck().get(), 6);
			} finally {
				check.close();
			}

			const gone = new BetterSqlite3(file);
			gone.exec('DELETE FROM cutover_migrations; DROP TABLE cutover_migrations; DROP TABLE b;');
			gone.close();
			const refused = s.cutover(['baseline', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--to', '0006_c', '--yes', '--confirm-db', 'app']);
			assert.equal(refused.code, 1, refused.stdout + refused.stderr);
			assert.match(refused.stdout, /table b: MISSING/);
		} finally {
			s.cleanup();
		}
	});
});
