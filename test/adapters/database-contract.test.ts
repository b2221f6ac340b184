// One contract for the Database port, run against a real SQLite file and a real PostgreSQL
// database seeded alike: whatever a check sees must not depend on the engine.
import assert from 'node:assert/strict';
import {statSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {openPostgresDatabase} from '../../source/adapters/postgres/database.js';
import {openSqliteDatabase} from '../../source/adapters/sqlite/database.js';
import type {Engine} from '../../source/engine/model.js';
import type {Database} from '../../source/ports/index.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile} from '../support/sqlite.js';

const seed = `
	CREATE TABLE sites (id integer PRIMARY KEY, name text NOT NULL);
	CREATE TABLE meters (id integer PRIMARY KEY, site_id integer NOT NULL REFERENCES sites (id), serial text NOT NULL, reading double precision);
	CREATE TABLE cutover_migrations (name text PRIMARY KEY, applied_at text NOT NULL);
	INSERT INTO sites (id, name) VALUES (1, 'north'), (2, 'south');
	INSERT INTO meters (id, site_id, serial, reading) VALUES (1, 1, 'M-001', 12.5), (2, 1, 'M-002', NULL), (3, 2, 'it''s M-003', 7.25);
	INSERT INTO cutover_migrations (name, applied_at) VALUES ('001-sites', '2025-01-01T00:00:00Z'), ('002-meters', '2025-01-02T00:00:00Z');
`;

type Seeded = {
	/** Opens a fresh connection to the seeded target. */
	open(): Promise<Database>;
	/** The name the operator types to confirm. */
	name: string;
	/** SQLite: the absolute path the fingerprint must report. */
	path?: string;
	cleanup(): Promise<void>;
};

const engines: Array<{engine: Engine; seed(): Promise<Seeded>}> = [
	{
		engine: 'sqlite',
		async seed() {
			const file = await createSqliteFile(seed, {name: 'cutover_contract.db'});
			return {open: async () => openSqliteDatabase({path: file.path}), name: 'cutover_contract', path: path.resolve(file.path), cleanup: file.cleanup};
		},
	},
	{
		engine: 'postgres',
		async seed() {
			const throwaway = await createThrowawayDatabase();
			try {
				await throwaway.sql(seed);
			} catch (error) {
				await throwaway.drop();
				throw error;
			}

			const target = parseTarget(throwaway.url);
			assert.equal(target.engine, 'postgres');
			return {open: async () => openPostgresDatabase(target), name: throwaway.name, cleanup: throwaway.drop};
		},
	},
];

for (const {engine, seed: seedTarget} of engines) {
	describe(`Database port contract: ${engine}`, () => {
		let seeded: Seeded;
		let db: Database;

		before(async () => {
			seeded = await seedTarget();
			db = await seeded.open();
		});

		after(async () => {
			await db?.close();
			await seeded?.cleanup();
		});

		test('names its engine', () => {
			assert.equal(db.engine, engine);
		});

		test('fingerprint says which database this is', async () => {
			const fingerprint = await db.fingerprint();
			assert.equal(fingerprint.engine, engine);
			assert.equal(fingerprint.database, seeded.name);
			assert.ok(fingerprint.serverVersion.trim() !== '', 'a server version');
			assert.ok(fingerprint.host.trim() !== '', 'a host');
			assert.ok(Number.isInteger(fingerprint.sizeBytes) && fingerprint.sizeBytes > 0, `a positive size, got ${fingerprint.sizeBytes}`);
			if (engine === 'sqlite') {
				assert.match(fingerprint.serverVersion, /^3\.\d+\.\d+$/);
				assert.equal(fingerprint.path, seeded.path);
				// The file's identity, so a copy put at the same path is another database.
				const stat = statSync(seeded.path!, {bigint: true});
				assert.equal(fingerprint.inode, String(stat.ino));
				assert.equal(fingerprint.device, String(stat.dev));
			}

			if (engine === 'postgres') {
				// The database's own identity: a database dropped and created again under the same name gets another OID.
				assert.match(fingerprint.databaseOid ?? '', /^\d+$/);
			}

			if (engine === 'postgres' && fingerprint.systemIdentifier !== undefined) {
				assert.match(fingerprint.systemIdentifier, /^\d{10,}$/);
			}
		});

		test('query returns columns in order and rows as numbers, text and null', async () => {
			const result = await db.query('SELECT id, serial, reading FROM meters ORDER BY id');
			assert.deepEqual(result, {
				kind: 'rows',
				columns: ['id', 'serial', 'reading'],
				rows: [
					[1, 'M-001', 12.5],
					[2, 'M-002', null],
					[3, 'it\'s M-003', 7.25],
				],
			});
		});

		test('query returns counts and aliases as the SQL names them', async () => {
			const result = await db.query('SELECT count(*) AS meters, min(site_id) AS first_site FROM meters WHERE reading IS NOT NULL');
			assert.deepEqual(result, {kind: 'rows', columns: ['meters', 'first_site'], rows: [[2, 1]]});
		});

		test('query of no rows still names the columns', async () => {
			const result = await db.query('SELECT id, name FROM sites WHERE id < 0');
			assert.deepEqual(result, {kind: 'rows', columns: ['id', 'name'], rows: []});
		});

		test('rowCounts are exact, sorted, and leave out cutover_migrations', async () => {
			const counts = await db.rowCounts();
			assert.deepEqual(counts, {meters: 3, sites: 2});
			assert.deepEqual(Object.keys(counts), ['meters', 'sites']);
		});

		test('tables lists the user tables as rowCounts names them', async () => {
			assert.deepEqual(await db.tables(), ['meters', 'sites']);
		});

		test('a table that does not exist is an outcome naming it, not an error', async () => {
			const outcome = await db.query('SELECT s.id FROM sites s JOIN no_such_table n ON n.id = s.id');
			assert.equal(outcome.kind, 'missing-relation');
			assert.ok(outcome.kind === 'missing-relation');
			assert.deepEqual(outcome.relation, {kind: 'table', name: 'no_such_table'});
			assert.match(outcome.message, /no_such_table/);
			// The connection is still usable afterwards.
			assert.deepEqual(await db.query('SELECT count(*) AS n FROM sites'), {kind: 'rows', columns: ['n'], rows: [[2]]});
		});

		test('bad SQL fails with a message naming the problem', async () => {
			await assert.rejects(db.query('SELECT no_such_column FROM sites'), (error: unknown) => error instanceof Error && /no_such_column/.test(error.message));
			await assert.rejects(db.query('SELEKT 1'), Error);
			assert.deepEqual(await db.query('SELECT count(*) AS n FROM sites'), {kind: 'rows', columns: ['n'], rows: [[2]]});
		});

		test('refuses to write, even through a statement that returns rows', async () => {
			await assert.rejects(db.query('DELETE FROM meters'), Error);
			await assert.rejects(db.query('INSERT INTO sites (id, name) VALUES (9, \'west\') RETURNING id'), Error);
			assert.deepEqual(await db.rowCounts(), {meters: 3, sites: 2});
		});

		test('close ends the connection', async () => {
			const second = await seeded.open();
			assert.deepEqual(await second.query('SELECT 1 AS one'), {kind: 'rows', columns: ['one'], rows: [[1]]});
			await second.close();
			await assert.rejects(second.query('SELECT 1 AS one'), Error);
		});
	});
}
