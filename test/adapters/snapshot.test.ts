// The snapshot each engine's adapter reads, from one schema made alike on a real SQLite file and
// a real PostgreSQL database: the same tables, rows, columns, indexes, constraints, views and version.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {openDatabase} from '../../source/adapters/open-target.js';
import type {Engine} from '../../source/engine/model.js';
import type {DatabaseSnapshot} from '../../source/engine/snapshot.js';
import {diffSnapshots} from '../../source/engine/snapshot-diff.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile} from '../support/sqlite.js';

const schema = (engine: Engine) => `
	CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL UNIQUE, status varchar(20) DEFAULT 'active');
	CREATE TABLE meters (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE, kind text CHECK (kind <> ''), slot integer);
	CREATE INDEX meters_kind ON meters (kind);
	CREATE VIEW active_users AS SELECT id FROM users WHERE status = 'active';
	CREATE TABLE cutover_migrations (name text PRIMARY KEY, checksum text NOT NULL, applied_at ${engine === 'postgres' ? 'timestamptz' : 'text'} NOT NULL, applied_by text NOT NULL, run_id text NOT NULL);
	INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com'), (3, 'c@example.com');
	INSERT INTO meters (id, user_id, kind, slot) VALUES (1, 1, 'power', 1), (2, 3, 'water', 1);
	-- Applied last, though it sorts first by name: the version is the latest row, not the largest name.
	INSERT INTO cutover_migrations VALUES ('V1.9__users', 'x', '2026-01-01T00:00:00Z', 'test', 'r1'), ('V1.10__meters', 'y', '2026-01-02T00:00:00Z', 'test', 'r1');
`;

type Made = {db: string; change(sql: string): Promise<void>; cleanup(): Promise<void>};

const engines: Array<{engine: Engine; make(sql?: string): Promise<Made>}> = [
	{
		engine: 'sqlite',
		async make(sql = schema('sqlite')) {
			const file = await createSqliteFile(sql, {name: 'shop.db'});
			return {db: `sqlite:${file.path}`, change: async sql => file.exec(sql), cleanup: file.cleanup};
		},
	},
	{
		engine: 'postgres',
		async make(sql = `${schema('postgres')}
				CREATE SCHEMA billing; CREATE TABLE billing.invoices (id bigint); INSERT INTO billing.invoices VALUES (1);
				CREATE TABLE cutover_run_lock (id integer)`) {
			const database = await createThrowawayDatabase('cutover_snapshot');
			if (sql !== '') {
				await database.sql(sql);
			}

			return {db: database.url, change: async sql => void await database.sql(sql), cleanup: database.drop};
		},
	},
];

async function snapshotOf(db: string): Promise<DatabaseSnapshot> {
	const database = await openDatabase(parseTarget(db));
	try {
		return await database.snapshot();
	} finally {
		await database.close();
	}
}

for (const {engine, make} of engines) {
	describe(`snapshot on ${engine}`, () => {
		let made: Made;
		before(async () => {
			made = await make();
		});
		after(async () => made?.cleanup());

		it('holds every user table with its exact rows, columns and (PostgreSQL) size, and the latest migration', async () => {
			const snapshot = await snapshotOf(made.db);
			assert.equal(snapshot.engine, engine);
			assert.equal(snapshot.migration, 'V1.10__meters');
			assert.ok(snapshot.bytes > 0);
			// cutover's own tables are left out, as row counts leave them out.
			assert.deepEqual(snapshot.tables.map(t => [t.name, t.rows]), engine === 'postgres' ? [['billing.invoices', 1], ['meters', 2], ['users', 3]] : [['meters', 2], ['users', 3]]);
			for (const table of snapshot.tables) {
				if (engine === 'postgres') {
					assert.ok(table.bytes !== null && table.bytes > 0, `${table.name} has a size`);
				} else {
					assert.equal(table.bytes, null);
				}
			}

			const users = snapshot.tables.find(t => t.name === 'users')!;
			assert.deepEqual(users.columns.map(c => [c.name, c.type.toLowerCase(), c.nullable]), [
				['id', 'integer', false],
				['email', 'text', false],
				['status', engine === 'postgres' ? 'character varying(20)' : 'varchar(20)', true],
			]);
			assert.match(users.columns[2]!.default ?? '', /^'active'/);
		});

		it('names the indexes, the constraints and the views', async () => {
			const snapshot = await snapshotOf(made.db);
			assert.deepEqual(snapshot.indexes.map(i => [i.name, i.table, i.unique]), [['meters_kind', 'meters', false]]);
			assert.match(snapshot.indexes[0]!.definition, /CREATE INDEX meters_kind ON (public\.)?meters/);
			const constraints = snapshot.constraints.map(c => `${c.table} ${c.kind} ${c.name}: ${c.definition}`);
			assert.ok(constraints.includes('meters primary-key meters_pkey: PRIMARY KEY (id)'), constraints.join('\n'));
			assert.ok(constraints.includes('users primary-key users_pkey: PRIMARY KEY (id)'), constraints.join('\n'));
			assert.ok(constraints.includes('users unique users_email_key: UNIQUE (email)'), constraints.join('\n'));
			assert.ok(constraints.includes('meters foreign-key meters_user_id_fkey: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE'), constraints.join('\n'));
			// SQLite keeps CHECK constraints only in the CREATE TABLE text.
			assert.equal(constraints.some(c => c.startsWith('meters check ')), engine === 'postgres', constraints.join('\n'));
			assert.deepEqual(snapshot.views.map(v => v.name), ['active_users']);
			assert.match(snapshot.views[0]!.definition, /status/);
		});

		it('a later snapshot shows what a change did, and what is unexpected', async () => {
			const first = await snapshotOf(made.db);
			await made.change(`ALTER TABLE meters DROP COLUMN slot; DROP INDEX meters_kind; DELETE FROM users WHERE id = 2; ALTER TABLE users ADD COLUMN name text; CREATE TABLE archive (id integer PRIMARY KEY)`);
			const second = await snapshotOf(made.db);
			const diff = diffSnapshots(first, second);
			assert.deepEqual(diff.objects.map(o => `${o.change} ${o.kind} ${o.name}`), ['removed column meters.slot', 'removed index meters_kind', 'added table archive', 'added column users.name']);
			assert.deepEqual(diff.unexpected, ['column meters.slot was removed', 'index meters_kind on meters was removed', 'table users lost 1 row (3 → 2)']);
		});

		it('an empty database has no version and no objects; a cutover_migrations without applied_at gives its largest name', async () => {
			const empty = await make(engine === 'sqlite' ? 'PRAGMA user_version = 0' : '');
			try {
				const snapshot = await snapshotOf(empty.db);
				assert.deepEqual([snapshot.migration, snapshot.tables, snapshot.indexes, snapshot.constraints, snapshot.views], [null, [], [], [], []]);
				await empty.change(`CREATE TABLE cutover_migrations (name text PRIMARY KEY); INSERT INTO cutover_migrations VALUES ('0002_b'), ('0001_a')`);
				assert.equal((await snapshotOf(empty.db)).migration, '0002_b');
			} finally {
				await empty.cleanup();
			}
		});
	});
}
