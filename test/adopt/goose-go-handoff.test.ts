import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {execa} from 'execa';
import {createThrowawayDatabase} from '../support/postgres.js';
import {scratch} from './adopt-support.js';

// A goose folder whose second migration is Go code (as real goose projects keep them beside the
// SQL ones). cutover runs the SQL ones, stops before the Go one and says how to hand it to goose;
// goose then finds in goose_db_version what cutover applied, runs just that one, and cutover
// import records it, after which the next run goes on. goose itself is played here by psql doing
// what `goose up-by-one` does for this migration: its statements, then its history row.
const files = {
	'00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- +goose Down\nDROP TABLE users;\n',
	'00002_backfill_emails.go': 'package migrations\n\nimport "github.com/pressly/goose/v3"\n\nfunc init() {\n\tgoose.AddMigrationNoTxContext(up00002, down00002)\n}\n',
	'00003_orders.sql': '-- +goose Up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n-- +goose Down\nDROP TABLE orders;\n',
};

describe('a goose Go migration handed to goose', () => {
	it('stops before it, keeps goose_db_version in step, imports it once goose ran it, and goes on', async () => {
		const db = await createThrowawayDatabase('cutover_goose_go');
		const s = scratch();
		const psql = async (sql: string) => (await execa('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-c', sql])).stdout;
		const run = (extra: string[]) => s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name, '--no-trace', '--unsigned', ...extra]);
		try {
			s.write(files);
			const status = s.cutover(['status', '--db', db.url, '--migrations', s.migrations]);
			assert.equal(status.code, 0, status.stderr);
			assert.match(status.stdout, /goose format · keeps goose_db_version in step/);
			assert.match(status.stdout, /pending {2}00002_backfill_emails {2}\w{12} {2}goose Go: goose runs it, cutover stops before it/);

			// A run that would reach it stops before the window, saying how far it can go.
			const refused = run([]);
			assert.equal(refused.code, 1);
			assert.match(refused.stdout, /00002_backfill_emails is a goose Go migration, which only goose runs.*--to 00001_users.*goose up-by-one.*cutover import --from goose/);
			assert.equal(await psql('SELECT to_regclass(\'users\') IS NULL'), 't', 'nothing ran');

			const first = run(['--to', '00001_users']);
			assert.equal(first.code, 0, first.stdout + first.stderr);
			assert.match(first.stdout, /outcome: upgraded/);
			// goose's table, made as goose makes it, says what cutover applied: goose up-by-one would run 2 next.
			assert.equal(await psql('SELECT string_agg(version_id::text || \':\' || is_applied::text, \',\' ORDER BY id) FROM goose_db_version'), '0:true,1:true');

			// goose runs 00002 (here: what it does, then its row).
			await psql('ALTER TABLE users ADD COLUMN email_lower text; INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, true)');
			const imported = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--from', 'goose', '--yes', '--confirm-db', db.name, '--unsigned']);
			assert.equal(imported.code, 0, imported.stdout + imported.stderr);
			assert.match(imported.stdout, /wrote 1 row into cutover_migrations without running them: 00002_backfill_emails/);
			// The version before is cutover's log as it stood; after, with the row imported.
			assert.match(imported.stdout, /version 00001_users → 00002_backfill_emails/);
			// Imported once: nothing more to write the second time.
			const again = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--from', 'goose', '--yes', '--confirm-db', db.name, '--unsigned']);
			assert.equal(again.code, 1);
			assert.match(again.stdout, /cutover_migrations already holds 2 rows.*import records only goose Go migrations/);
			assert.match(again.stdout, /version 00002_backfill_emails → 00002_backfill_emails/);

			const rest = run([]);
			assert.equal(rest.code, 0, rest.stdout + rest.stderr);
			assert.match(rest.stdout, /version 00002_backfill_emails → 00003_orders/);
			assert.equal(await psql('SELECT string_agg(name, \',\' ORDER BY name) FROM cutover_migrations'), '00001_users,00002_backfill_emails,00003_orders');
			assert.equal(await psql('SELECT string_agg(version_id::text, \',\' ORDER BY id) FROM goose_db_version WHERE is_applied'), '0,1,2,3');
			for (const record of s.recordFiles()) {
				const verify = s.cutover(['verify', record, '--allow-unsigned']);
				assert.equal(verify.code, 0, verify.stdout + verify.stderr);
			}
		} finally {
			s.cleanup();
			await db.drop();
		}
	});

	it('a goose table made after cutover ran the first migrations gets them too, with the next one', async () => {
		const db = await createThrowawayDatabase('cutover_goose_late');
		const s = scratch();
		const psql = async (sql: string) => (await execa('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-c', sql])).stdout;
		const run = (extra: string[]) => s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name, '--no-trace', '--unsigned', ...extra]);
		try {
			// No Go file yet, no goose table: cutover applies 1 and 2 and keeps no goose history.
			s.write({'00001_users.sql': files['00001_users.sql'], '00002_orders.sql': files['00003_orders.sql']});
			assert.equal(run([]).code, 0);
			assert.equal(await psql('SELECT to_regclass(\'goose_db_version\') IS NULL'), 't');
			// A Go migration arrives, with SQL before and after it.
			s.write({'00003_items.sql': '-- +goose Up\nCREATE TABLE items (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE items;\n', '00004_backfill.go': files['00002_backfill_emails.go'], '00005_more.sql': '-- +goose Up\nCREATE TABLE more (id int);\n'});
			const status = s.cutover(['status', '--db', db.url, '--migrations', s.migrations]);
			assert.match(status.stdout, /keeps goose_db_version in step \(2 applied by cutover are added with the next migration\)/);
			const upTo = run(['--to', '00003_items']);
			assert.equal(upTo.code, 0, upTo.stdout + upTo.stderr);
			// What goose reads: every version cutover applied, so goose up-by-one runs 4 and only 4.
			assert.equal(await psql('SELECT string_agg(version_id::text, \',\' ORDER BY version_id) FROM goose_db_version WHERE is_applied'), '0,1,2,3');
		} finally {
			s.cleanup();
			await db.drop();
		}
	});

	it('a Go migration below a version already applied: the hint says goose must be told to apply a missing one', async () => {
		const db = await createThrowawayDatabase('cutover_goose_missing');
		const s = scratch();
		const run = (extra: string[]) => s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name, '--no-trace', '--unsigned', ...extra]);
		try {
			s.write({'00001_users.sql': files['00001_users.sql'], '00003_orders.sql': files['00003_orders.sql']});
			assert.equal(run([]).code, 0);
			// A branch merged late brings version 2, Go code, under the applied 3: goose up-by-one alone would refuse it.
			s.write({'00002_backfill_emails.go': files['00002_backfill_emails.go']});
			const refused = run([]);
			assert.equal(refused.code, 1);
			assert.match(refused.stdout, /00002_backfill_emails is a goose Go migration.*nothing before it is pending: apply it with goose \(goose up-by-one -allow-missing, as 00003_orders above it is applied already;/);
		} finally {
			s.cleanup();
			await db.drop();
		}
	});

	it('beside cutover\'s rows, import takes only goose Go migrations, never a row cutover did not run', async () => {
		const db = await createThrowawayDatabase('cutover_import_beside');
		const s = scratch();
		const psql = async (sql: string) => (await execa('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-c', sql])).stdout;
		try {
			// golang-migrate's one row covers every version up to it: cutover moved it to 3.
			await psql('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)');
			s.write({'1_a.up.sql': 'CREATE TABLE a (id int);\n', '3_c.up.sql': 'CREATE TABLE c (id int);\n'});
			const first = s.cutover(['run', '--db', db.url, '--migrations', s.migrations, '--checklist', s.checklist, '--plain', '--yes', '--confirm-db', db.name, '--no-trace', '--unsigned']);
			assert.equal(first.code, 0, first.stdout + first.stderr);
			assert.equal(await psql('SELECT version || \':\' || dirty FROM schema_migrations'), '3:false');
			// A file added in the middle: pending for cutover, "covered" for golang-migrate.
			s.write({'2_b.up.sql': 'CREATE TABLE b (id int);\n'});
			const imported = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--from', 'golang-migrate', '--yes', '--confirm-db', db.name, '--unsigned']);
			assert.equal(imported.code, 1);
			assert.match(imported.stdout, /cutover_migrations already holds 2 rows.*import records only goose Go migrations/);
			assert.equal(await psql('SELECT string_agg(name, \',\' ORDER BY name) FROM cutover_migrations'), '1_a,3_c', 'nothing written');
		} finally {
			s.cleanup();
			await db.drop();
		}
	});

	it('test-migrations goes up, down and up again to the migration before the Go one, and leaves goose\'s table out', async () => {
		const s = scratch();
		try {
			const file = `${s.dir}/app.db`;
			await execa('sqlite3', [file, 'VACUUM']);
			s.write(files);
			const tested = s.cutover(['test-migrations', '--db', `sqlite:${file}`, '--migrations', s.migrations, '--empty', '--plain']);
			assert.equal(tested.code, 0, tested.stdout + tested.stderr);
			// The notes wrap at 80 columns.
			const said = tested.stdout.replaceAll(/\s+/g, ' ');
			assert.match(said, /tested up to the migration before 00002_backfill_emails, goose Go code that only goose runs; the 2 from it on are not tested/);
			assert.match(said, /goose_db_version, the goose history cutover keeps in step, is left out of the comparison/);
			assert.match(said, /passed: 1 migration up, down to the same schema and up again/);
		} finally {
			s.cleanup();
		}
	});
});
