import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {openPostgresDatabase} from '../../source/adapters/postgres/database.js';
import type {Database} from '../../source/ports/index.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';

type PostgresTarget = Extract<ReturnType<typeof parseTarget>, {engine: 'postgres'}>;

function targetFor(url: string): PostgresTarget {
	return parseTarget(url) as PostgresTarget;
}

// What only the PostgreSQL adapter promises; the shared contract lives in database-contract.test.ts.
describe('PostgreSQL database adapter', () => {
	let database: ThrowawayDatabase;
	let db: Database;

	before(async () => {
		database = await createThrowawayDatabase('cutover_pgdb');
		await database.sql(`
			CREATE TABLE zebra (id int);
			INSERT INTO zebra VALUES (1), (2), (3);
			CREATE TABLE alpha (id int);
			CREATE SCHEMA "Odd Schema";
			CREATE TABLE "Odd Schema"."we""ird table" (id int);
			INSERT INTO "Odd Schema"."we""ird table" VALUES (1);
			CREATE TABLE cutover_migrations (name text PRIMARY KEY);
			INSERT INTO cutover_migrations VALUES ('0001');
			CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at);
			CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
			INSERT INTO events VALUES ('2024-03-01'), ('2024-04-01');
			CREATE VIEW zebra_view AS SELECT * FROM zebra;
		`);
		db = await openPostgresDatabase(targetFor(database.url));
	});

	after(async () => {
		await db?.close();
		await database?.drop();
	});

	test('tables: user tables by name, schema-qualified outside public, partitions in (they hold rows, for the lint) and bookkeeping left out, sorted', async () => {
		assert.deepEqual(await db.tables(), ['Odd Schema.we"ird table', 'alpha', 'events', 'events_2024', 'zebra']);
	});

	test('rowCounts: exact counts under the same names, a partition\'s rows counted through its parent', async () => {
		assert.deepEqual(await db.rowCounts(), {'Odd Schema.we"ird table': 1, alpha: 0, events: 2, zebra: 3});
	});

	test('fingerprint: the server, the database and the cluster identity', async () => {
		const fingerprint = await db.fingerprint();
		assert.equal(fingerprint.engine, 'postgres');
		assert.equal(fingerprint.database, database.name);
		assert.equal(fingerprint.host, new URL(database.url).hostname);
		assert.match(fingerprint.serverVersion, /^\d+(\.\d+)?/);
		assert.ok(fingerprint.sizeBytes > 0);
		// The test connects as a superuser, who may read pg_control_system().
		assert.match(fingerprint.systemIdentifier ?? '', /^\d+$/);
	});

	test('fingerprint: a role that may not read pg_control_system() still gets one, without the identifier', async () => {
		const role = `${database.name}_reader`;
		// pg_proc is per database, so the REVOKE only touches the throwaway database.
		await database.sql(`CREATE ROLE ${role} LOGIN; REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC`);
		const url = new URL(database.url);
		url.username = role;
		const limited = await openPostgresDatabase(targetFor(url.toString()));
		try {
			const fingerprint = await limited.fingerprint();
			assert.equal(fingerprint.database, database.name);
			assert.equal(fingerprint.systemIdentifier, undefined);
			assert.equal('systemIdentifier' in fingerprint, false);
		} finally {
			await limited.close();
			await database.sql(`DROP ROLE ${role}`);
		}
	});

	test('query: columns from the fields, values that survive JSON', async () => {
		const result = await db.query(`SELECT 1::int AS i, count(*) AS n, 9007199254740993::bigint AS big, 1.50::numeric AS amount,
			true AS yes, NULL AS nothing, 'NaN'::float8 AS nan, 2.5::float8 AS half,
			'2024-05-01 10:00:00+02'::timestamptz AS at, '2024-05-01 10:00:00.25'::timestamp AS local,
			'{"a": [1, 2]}'::jsonb AS doc, '\\xdeadbeef'::bytea AS raw, DATE '2024-05-01' AS day
			FROM zebra`);
		assert.ok(result.kind === 'rows');
		assert.deepEqual(result.columns, ['i', 'n', 'big', 'amount', 'yes', 'nothing', 'nan', 'half', 'at', 'local', 'doc', 'raw', 'day']);
		assert.deepEqual(result.rows, [[
			1, 3, '9007199254740993', '1.50', true, null, 'NaN', 2.5,
			'2024-05-01T08:00:00.000Z', '2024-05-01T10:00:00.25', '{"a": [1, 2]}', '\\xdeadbeef', '2024-05-01',
		]]);
	});

	test('query: a check cannot write, even by smuggling a COMMIT in', async () => {
		await assert.rejects(db.query('DELETE FROM zebra'), /read-only transaction/);
		await assert.rejects(db.query('COMMIT; DELETE FROM zebra'), /multiple commands/);
		await assert.rejects(db.query('CREATE TABLE sneaky (id int)'), /read-only transaction/);
		const counts = await database.sql('SELECT count(*)::int AS n FROM zebra');
		assert.equal((counts.rows[0] as {n: number}).n, 3);
		assert.equal((await database.sql(`SELECT 1 FROM pg_tables WHERE tablename = 'sneaky'`)).rowCount, 0);
	});

	test('query: a failed check leaves the connection usable', async () => {
		await assert.rejects(db.query('SELECT no_such_column FROM zebra'), /no_such_column/);
		assert.deepEqual(await db.query('SELECT count(*) FROM zebra'), {kind: 'rows', columns: ['count'], rows: [[3]]});
	});

	test('query: a missing table (42P01) or schema (3F000) is an outcome, and the connection stays usable', async () => {
		assert.deepEqual(await db.query('SELECT * FROM no_such_table'), {kind: 'missing-relation', relation: {kind: 'table', name: 'no_such_table'}, message: 'relation "no_such_table" does not exist'});
		const schema = await db.query(`SELECT 'nowhere.t'::regclass`);
		assert.equal(schema.kind, 'missing-relation');
		assert.ok(schema.kind === 'missing-relation');
		assert.equal(schema.relation.kind, schema.message.startsWith('schema') ? 'schema' : 'table');
		assert.deepEqual(await db.query('SELECT count(*) FROM zebra'), {kind: 'rows', columns: ['count'], rows: [[3]]});
	});

	test('query: a check is rolled back, so even its session settings do not outlive it', async () => {
		await db.query(`SELECT set_config('search_path', 'nowhere', false)`);
		assert.deepEqual(await db.query(`SELECT current_setting('search_path')`), {kind: 'rows', columns: ['current_setting'], rows: [['"$user", public']]});
	});
});
