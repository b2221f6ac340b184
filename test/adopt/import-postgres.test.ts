import assert from 'node:assert/strict';
import {crc32} from 'node:zlib';
import {after, before, describe, it} from 'node:test';
import type {ThrowawayDatabase} from '../support/postgres.js';
import {psqlDatabase, scratch, sha256, type Scratch} from './adopt-support.js';

const users = 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCREATE INDEX users_email ON users (email);\n';
const orders = 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n';
const later = 'CREATE TABLE invoices (id bigint PRIMARY KEY);\n';
const schema = `${users}${orders}`;

/** Flyway's documented checksum, computed here on its own: CRC-32 over each line's UTF-8 bytes, no line endings, as a signed int. */
const flywaySum = (text: string) => crc32(Buffer.from(text.split(/\r\n|\r|\n/).filter((line, i, all) => !(i === all.length - 1 && line === '')).join(''), 'utf8')) | 0;

type Case = {
	tool: string;
	files: Record<string, string>;
	history: string;
	applied: string[];
	refused?: RegExp;
	/** What the mapping's table says besides. */
	shows?: RegExp;
};

const cases: Case[] = [
	{
		tool: 'golang-migrate',
		files: {'0001_users.up.sql': users, '0002_orders.up.sql': orders, '0003_invoices.up.sql': later},
		history: 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, false);',
		applied: ['0001_users', '0002_orders'],
	},
	{
		tool: 'golang-migrate',
		files: {'0001_users.up.sql': users, '0002_orders.up.sql': orders},
		history: 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL); INSERT INTO schema_migrations VALUES (2, true);',
		applied: [],
		refused: /golang-migrate marks version 2 dirty: it stopped half-way through 0002_orders/,
	},
	{
		tool: 'goose',
		files: {'00001_users.up.sql': users, '00002_orders.up.sql': orders, '00003_invoices.up.sql': later},
		// 3 was applied, then rolled back: its latest row decides.
		history: `CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
			INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (3, false);`,
		applied: ['00001_users', '00002_orders'],
	},
	{
		tool: 'dbmate',
		files: {'20240101120000_users.up.sql': users, '20240102093000_orders.up.sql': orders, '20240301000000_invoices.up.sql': later},
		history: 'CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES (\'20240101120000\'), (\'20240102093000\');',
		applied: ['20240101120000_users', '20240102093000_orders'],
	},
	{
		tool: 'flyway',
		files: {'0001_users.up.sql': users, '0002_orders.up.sql': orders, '0003_invoices.up.sql': later},
		history: flywayHistory(flywaySum(users), flywaySum(orders)),
		applied: ['0001_users', '0002_orders'],
	},
	{
		tool: 'flyway',
		files: {'0001_users.up.sql': users, '0002_orders.up.sql': orders.replace('bigint REFERENCES', 'integer REFERENCES')},
		history: flywayHistory(flywaySum(users), flywaySum(orders)),
		applied: [],
		refused: new RegExp(`0002_orders was changed after Flyway applied it: the history's checksum is ${flywaySum(orders)}`),
	},
	{
		// Flyway's own file names (read as the Flyway format), dotted versions in version order.
		tool: 'flyway',
		files: {'V1__users.sql': users, 'V2__orders.sql': orders, 'V2.1__invoices.sql': later},
		history: flywayHistory(flywaySum(users), flywaySum(orders)),
		applied: ['V1__users', 'V2__orders'],
	},
	{
		// A Java migration Flyway ran (V2, JDBC) has no file here: shown as Flyway's code, not a missing file, and nothing is written for it.
		tool: 'flyway',
		files: {'V1__users.sql': users, 'V3__orders.sql': orders, 'V4__invoices.sql': later},
		history: `${flywayHistory(flywaySum(users), flywaySum(orders)).replace("(2, '2', 'orders', 'SQL', 'V2__orders.sql'", "(2, '2', 'backfill', 'JDBC', 'db.migration.V2__Backfill', NULL, 'app', now(), 40, true), (4, '3', 'orders', 'SQL', 'V3__orders.sql'")}`,
		applied: ['V1__users', 'V3__orders'],
		shows: /\(no file\) ← V2 db\.migration\.V2__Backfill \(rank 2\): code \(a Java migration Flyway ran: no file here stands for it, and cutover leaves it to Flyway\)/,
	},
	{
		// maragu.dev/migrate: versions are whole names, in string order; its one row is the last applied.
		tool: 'maragu',
		files: {'0001.up.sql': users, '0001_orders.up.sql': orders, '0002.up.sql': later},
		history: 'CREATE TABLE migrations (version text NOT NULL); INSERT INTO migrations VALUES (\'0001_orders\');',
		applied: ['0001', '0001_orders'],
	},
	{
		tool: 'maragu',
		files: {'0001.up.sql': users, '0002.up.sql': orders},
		history: 'CREATE TABLE migrations (version text NOT NULL); INSERT INTO migrations VALUES (\'0001_orders\');',
		applied: [],
		refused: /the maragu history has version 0001_orders, which matches no migration in the folder/,
	},
	{
		tool: 'alembic',
		files: {'0001_ae1027a6acf_users.up.sql': users, '0002_1975ea83b712_orders.up.sql': orders, '0003_3b9d1f0a7c2e_invoices.up.sql': later},
		history: 'CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES (\'1975ea83b712\');',
		applied: ['0001_ae1027a6acf_users', '0002_1975ea83b712_orders'],
	},
	{
		tool: 'alembic',
		files: {'0001_users.up.sql': users, '0002_orders.up.sql': orders},
		history: 'CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES (\'1975ea83b712\');',
		applied: [],
		refused: /alembic_version names revision 1975ea83b712, and no migration in the folder names that revision.*cutover baseline --to/,
	},
];

function flywayHistory(first: number, second: number): string {
	return `CREATE TABLE flyway_schema_history (installed_rank integer PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL,
			script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL);
		INSERT INTO flyway_schema_history VALUES
			(1, '1', 'users', 'SQL', 'V1__users.sql', ${first}, 'app', now(), 12, true),
			(2, '2', 'orders', 'SQL', 'V2__orders.sql', ${second}, 'app', now(), 9, true),
			(3, NULL, 'views', 'SQL', 'R__views.sql', 42, 'app', now(), 3, true);`;
}

describe('cutover import from another tool\'s history, on PostgreSQL databases built by psql', () => {
	for (const c of cases) {
		describe(`${c.tool}${c.refused ? ' (refused)' : ''}`, () => {
			let db: ThrowawayDatabase;
			let s: Scratch;
			before(async () => {
				db = await psqlDatabase(`${schema}${c.history}`);
				s = scratch();
				s.write(c.files);
			});
			after(async () => {
				await db?.drop();
				s?.cleanup();
			});

			it(c.refused ? 'shows the mapping, refuses, writes nothing' : 'shows the mapping, writes the rows, and verify accepts the record', async () => {
				const run = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--from', c.tool, '--yes', '--confirm-db', db.name]);
				const out = run.stdout + run.stderr;
				assert.match(run.stdout, /adoption\.planned/);
				assert.match(run.stdout, /file +history row +status/, 'the mapping is shown as a table');
				if (c.shows) {
					assert.match(run.stdout, c.shows);
				}

				if (c.refused) {
					assert.equal(run.code, 1, out);
					assert.match(out, c.refused);
					assert.match(run.stdout, /outcome: failed/);
					const present = await db.sql('SELECT to_regclass(\'cutover_migrations\') IS NOT NULL AS present');
					assert.equal(present.rows[0].present, false, 'nothing was written');
				} else {
					assert.equal(run.code, 0, out);
					assert.match(run.stdout, /outcome: adopted/);
					const rows = await db.sql('SELECT name, checksum, applied_by, run_id FROM cutover_migrations ORDER BY name');
					assert.deepEqual(rows.rows.map(r => r.name), c.applied);
					for (const r of rows.rows) {
						assert.equal(r.checksum, sha256(c.files[`${r.name}.up.sql`] ?? c.files[`${r.name}.sql`]!), 'the checksum is the file\'s sha256');
						assert.match(r.applied_by, /via cutover import/);
					}

					const [record] = s.recordFiles();
					assert.ok(record);
					assert.ok(rows.rows.every(r => record.includes(String(r.run_id).slice(0, 8))), 'run_id names the import');
					const verify = s.cutover(['verify', record]);
					assert.equal(verify.code, 0, verify.stdout + verify.stderr);
					const replay = s.cutover(['replay', record, '--plain']);
					assert.equal(replay.code, 0, replay.stderr);
					assert.match(replay.stdout, /adoption\.written +wrote \d+ rows? into cutover_migrations/);
					// Imported once: a second import is refused, it does not add rows.
					const again = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--yes', '--confirm-db', db.name]);
					assert.equal(again.code, 1);
					assert.match(again.stdout, /cutover_migrations already holds/);
				}
			});
		});
	}

	it('a wrong typed name writes nothing', async () => {
		const db = await psqlDatabase(`${schema}${cases[0]!.history}`);
		const s = scratch();
		try {
			s.write(cases[0]!.files);
			const run = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--yes', '--confirm-db', 'prod']);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			assert.match(run.stdout, /"prod" is not the database name/);
			const present = await db.sql('SELECT to_regclass(\'cutover_migrations\') IS NOT NULL AS present');
			assert.equal(present.rows[0].present, false);
		} finally {
			await db.drop();
			s.cleanup();
		}
	});
});
