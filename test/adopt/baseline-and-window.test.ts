import assert from 'node:assert/strict';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {describe, it} from 'node:test';
import {createThrowawayDatabase} from '../support/postgres.js';
import {psqlDatabase, scratch, sha256} from './adopt-support.js';

const files = {
	'0001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCREATE UNIQUE INDEX users_email ON users (email);\n',
	'0001_users.down.sql': 'DROP TABLE users;\n',
	'0002_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX orders_user ON orders (user_id);\n',
	'0002_orders.down.sql': 'DROP TABLE orders;\n',
	'0003_invoices.up.sql': 'CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n',
	'0003_invoices.down.sql': 'DROP TABLE invoices;\n',
};
// What another tool (or a person with psql) left: 0001 and 0002's objects, with data, and no history at all.
const live = `${files['0001_users.up.sql']}${files['0002_orders.up.sql']}INSERT INTO users VALUES (1, 'ada@example.com'); INSERT INTO orders VALUES (10, 1);`;

const hasTable = async (db: {sql(text: string): Promise<{rows: Array<{present?: unknown}>}>}, name: string) => (await db.sql(`SELECT to_regclass('${name}') IS NOT NULL AS present`)).rows[0]?.present === true;

describe('a live PostgreSQL database without cutover history (built by psql)', () => {
	it('the window refuses it in plain mode, names the baseline command, and nothing is written; status warns', async () => {
		const db = await psqlDatabase(live);
		const s = scratch();
		try {
			s.write(files);
			const run = s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name]);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			assert.match(run.stdout, /migrations\.planned .*LIVE DATABASE WITHOUT HISTORY: it has 2 tables \(orders, users\)/);
			assert.match(run.stdout, /operator\.abandoned .*has 2 tables but no cutover_migrations.*cutover baseline --db \S+ --migrations \S+ .*--to 0002_orders\n/, 'the baseline offered goes as far as the tables exist');
			assert.match(run.stdout, /outcome: abandoned/);
			assert.doesNotMatch(run.stdout, /migration\.started|backup\.started/);
			assert.equal(await hasTable(db, 'cutover_migrations'), false);
			assert.equal(await hasTable(db, 'cutover_run_lock'), false);

			const status = s.cutover(['status', '--db', db.url, '--migrations', s.migrations]);
			assert.equal(status.code, 0, status.stderr);
			assert.match(status.stdout, /WARNING {2}pending 0001_users looks applied already: the table it creates exists \(users\)/);
			assert.match(status.stdout, /WARNING {2}pending 0002_orders looks applied already/);
			assert.doesNotMatch(status.stdout, /0003_invoices looks applied/);
			assert.match(status.stdout, /WARNING {2}no cutover history: .*cutover baseline/);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});

	it('a history table another tool left is offered as an import', async () => {
		const db = await psqlDatabase(`${live} CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES ('1'), ('2');`);
		const s = scratch();
		try {
			s.write(files);
			const run = s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name]);
			assert.equal(run.code, 1);
			assert.match(run.stdout, /cutover import --db \S+ --migrations \S+ .*--from dbmate/);
			assert.equal(await hasTable(db, 'cutover_migrations'), false);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});

	it('baseline: shows the evidence, refuses missing objects without --force, writes the rows, and the next run applies only what is after', async () => {
		const db = await psqlDatabase(live);
		const s = scratch();
		try {
			s.write(files);
			const tooFar = s.cutover(['baseline', '--db', db.url, '--migrations', s.migrations, '--to', '0003_invoices', '--yes', '--confirm-db', db.name]);
			assert.equal(tooFar.code, 1, tooFar.stdout + tooFar.stderr);
			assert.match(tooFar.stdout, /table invoices: MISSING/);
			assert.match(tooFar.stdout, /objects these migrations create are missing from the database: 0003_invoices \(table invoices\).*--force marks them applied anyway/);
			assert.equal(await hasTable(db, 'cutover_migrations'), false, 'a refused baseline writes nothing');

			const baseline = s.cutover(['baseline', '--db', db.url, '--migrations', s.migrations, '--to', '0002_orders', '--yes', '--confirm-db', db.name]);
			assert.equal(baseline.code, 0, baseline.stdout + baseline.stderr);
			for (const evidence of ['table users: present', 'index users_email: present', 'table orders: present', 'index orders_user: present']) {
				assert.ok(baseline.stdout.includes(evidence), `${evidence} in\n${baseline.stdout}`);
			}

			assert.match(baseline.stdout, /0003_invoices +- +pending/);
			assert.match(baseline.stdout, /outcome: adopted/);
			const rows = await db.sql('SELECT name, checksum, applied_by FROM cutover_migrations ORDER BY name');
			assert.deepEqual(rows.rows.map(r => r.name), ['0001_users', '0002_orders']);
			assert.equal(rows.rows[0].checksum, sha256(files['0001_users.up.sql']));
			assert.match(rows.rows[0].applied_by, /via cutover baseline/);

			const records = s.recordFiles();
			assert.equal(records.length, 2, 'the refused baseline and the written one each left a record');
			const verify = s.cutover(['verify', s.records]);
			assert.equal(verify.code, 0, verify.stdout + verify.stderr);

			const next = s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name, '--backups', path.join(s.dir, 'backups')]);
			assert.equal(next.code, 0, next.stdout + next.stderr);
			assert.match(next.stdout, /migrations\.planned +applied: 0001_users, 0002_orders; pending: 0003_invoices/);
			assert.deepEqual([...next.stdout.matchAll(/migration\.started +up (\S+)/g)].map(m => m[1]), ['0003_invoices']);
			assert.equal(await hasTable(db, 'invoices'), true);
			assert.deepEqual((await db.sql('SELECT count(*)::int AS n FROM orders')).rows[0].n, 1, 'the data stayed');
			const all = s.cutover(['verify', s.records]);
			assert.equal(all.code, 0, all.stdout + all.stderr);
			assert.match(all.stdout, /verified: 3 records/);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});

	it('baseline --force marks migrations whose objects are missing, recorded as an override', async () => {
		const db = await psqlDatabase(files['0001_users.up.sql']);
		const s = scratch();
		try {
			s.write(files);
			const run = s.cutover(['baseline', '--db', db.url, '--migrations', s.migrations, '--to', '0002_orders', '--force', '--yes', '--confirm-db', db.name]);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			assert.match(run.stdout, /operator\.override +.*baseline-evidence: --force/);
			assert.deepEqual((await db.sql('SELECT name FROM cutover_migrations ORDER BY name')).rows.map(r => r.name), ['0001_users', '0002_orders']);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});

	it('cutover\'s own tables are not a live schema: a first deployment that failed leaves cutover_run_lock, and the next run still deploys', async () => {
		const db = await createThrowawayDatabase('cutover_i9_adopt_own');
		const s = scratch();
		try {
			s.write({...files, '0001_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n'});
			const args = ['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name, '--backups', path.join(s.dir, 'backups')];
			const failed = s.cutover(args);
			assert.equal(failed.code, 1, failed.stdout + failed.stderr);
			assert.match(failed.stdout, /migration\.failed/);
			assert.equal(await hasTable(db, 'cutover_run_lock'), true, 'the failed run left cutover\'s lock table');
			assert.equal(await hasTable(db, 'cutover_migrations'), false, 'and no log, so the live-schema check runs next time');
			s.write(files);
			const next = s.cutover(args);
			assert.equal(next.code, 0, next.stdout + next.stderr);
			assert.doesNotMatch(next.stdout, /LIVE DATABASE/);
			assert.deepEqual((await db.sql('SELECT name FROM cutover_migrations ORDER BY name')).rows.map(r => r.name), ['0001_users', '0002_orders', '0003_invoices']);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});

	it('an empty database is a first deployment: the window does not ask for an adoption', async () => {
		const db = await createThrowawayDatabase('cutover_i9_adopt_empty');
		const s = scratch();
		try {
			s.write(files);
			const run = s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name, '--backups', path.join(s.dir, 'backups')]);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			assert.doesNotMatch(run.stdout, /LIVE DATABASE/);
			assert.deepEqual((await db.sql('SELECT name FROM cutover_migrations ORDER BY name')).rows.map(r => r.name), ['0001_users', '0002_orders', '0003_invoices']);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});
});

describe('SQLite files', () => {
	it('import from golang-migrate\'s schema_migrations, and a live file without history refused at the window', () => {
		const s = scratch();
		try {
			s.write(files);
			const file = path.join(s.dir, 'app.db');
			const db = new BetterSqlite3(file);
			db.exec(`${files['0001_users.up.sql']}${files['0002_orders.up.sql']}`);
			db.close();
			const refused = s.cutover(['run', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', 'app']);
			assert.equal(refused.code, 1);
			assert.match(refused.stdout, /app has 2 tables but no cutover_migrations/);

			const withHistory = new BetterSqlite3(file);
			withHistory.exec('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, 0);');
			withHistory.close();
			const imported = s.cutover(['import', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--yes', '--confirm-db', 'app']);
			assert.equal(imported.code, 0, imported.stdout + imported.stderr);
			const check = new BetterSqlite3(file, {readonly: true});
			try {
				assert.deepEqual(check.prepare('SELECT name FROM cutover_migrations ORDER BY name').pluck().all(), ['0001_users', '0002_orders']);
			} finally {
				check.close();
			}

			const next = s.cutover(['run', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', 'app', '--backups', path.join(s.dir, 'backups')]);
			assert.equal(next.code, 0, next.stdout + next.stderr);
			assert.deepEqual([...next.stdout.matchAll(/migration\.started +up (\S+)/g)].map(m => m[1]), ['0003_invoices']);
			const verify = s.cutover(['verify', s.records]);
			assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		} finally {
			s.cleanup();
		}
	});
});

describe('a one-file format\'s evidence', () => {
	it('a goose file\'s down is no evidence: baseline reads the tables its up creates, not the ones its down puts back', () => {
		const s = scratch();
		try {
			// The down recreates a table the up drops: that table's absence is what the up did, not a sign it did not run.
			s.write({
				'00001_users.sql': '-- +goose Up\nCREATE TABLE users (id integer PRIMARY KEY);\nCREATE TABLE legacy (id integer);\n\n-- +goose Down\nDROP TABLE legacy;\nDROP TABLE users;\n',
				'00002_drop_legacy.sql': '-- +goose Up\nDROP TABLE legacy;\nCREATE TABLE accounts (id integer);\n\n-- +goose Down\nDROP TABLE accounts;\nCREATE TABLE legacy (id integer);\n',
			});
			const file = path.join(s.dir, 'app.db');
			const db = new BetterSqlite3(file);
			db.exec('CREATE TABLE users (id integer PRIMARY KEY); CREATE TABLE accounts (id integer);');
			db.close();
			const baseline = s.cutover(['baseline', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--to', '00002_drop_legacy', '--yes', '--confirm-db', 'app']);
			assert.match(baseline.stdout, /00002_drop_legacy .*applied +1 of 1 objects present/, baseline.stdout);
			assert.doesNotMatch(baseline.stdout, /table legacy: MISSING[\s\S]*00003|00002_drop_legacy[^\n]*OBJECTS-MISSING/);
		} finally {
			s.cleanup();
		}
	});
});
