import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {readPostgresCatalog} from '../../source/adapters/postgres/catalog.js';
import {connectPostgres} from '../../source/adapters/postgres/connect.js';
import {readSqliteCatalog} from '../../source/adapters/sqlite/catalog.js';
import {diffCatalogs, type Catalog} from '../../source/engine/catalog.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile, type SqliteFile} from '../support/sqlite.js';
import BetterSqlite3 from 'better-sqlite3';

const definitionOf = (catalog: Catalog, kind: string, name: string) => catalog.objects.find(o => o.kind === kind && o.name === name)?.definition;

describe('PostgreSQL catalog', () => {
	let database: ThrowawayDatabase;
	const read = async () => {
		const target = parseTarget(database.url);
		if (target.engine !== 'postgres') {
			throw new Error('a PostgreSQL URL');
		}

		const client = await connectPostgres(target);
		try {
			return await readPostgresCatalog(client);
		} finally {
			await client.end();
		}
	};

	before(async () => {
		database = await createThrowawayDatabase('cutover_catalog');
		await database.sql(`
			CREATE SCHEMA app;
			CREATE TYPE mood AS ENUM ('calm', 'busy');
			CREATE TABLE report (id serial PRIMARY KEY, day date NOT NULL, total integer NOT NULL DEFAULT 0, state mood, CONSTRAINT total_positive CHECK (total >= 0));
			CREATE INDEX idx_report_day ON report (day);
			CREATE TABLE app.audit (id bigint GENERATED ALWAYS AS IDENTITY, at timestamptz DEFAULT now());
			CREATE SEQUENCE app.ticket START 100 INCREMENT 5;
			CREATE FUNCTION report_total(integer) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$;
			CREATE VIEW busy_days AS SELECT day FROM report WHERE state = 'busy';
			CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
			CREATE TRIGGER report_touch BEFORE UPDATE ON report FOR EACH ROW EXECUTE FUNCTION touch();
			CREATE TABLE cutover_migrations (name text PRIMARY KEY);
		`);
	});
	after(async () => {
		await database?.drop();
	});

	it('reads columns with types, nullability and defaults, and every other kind of object, without cutover\'s own table', async () => {
		const catalog = await read();
		assert.equal(definitionOf(catalog, 'column', 'report.total'), 'integer not null default 0');
		assert.equal(definitionOf(catalog, 'column', 'report.id'), 'integer not null default nextval(\'report_id_seq\'::regclass)');
		assert.equal(definitionOf(catalog, 'column', 'app.audit.id'), 'bigint not null generated always as identity');
		assert.equal(definitionOf(catalog, 'column', 'report.state'), 'mood');
		assert.equal(definitionOf(catalog, 'type', 'mood'), 'enum (\'calm\', \'busy\')');
		assert.equal(definitionOf(catalog, 'index', 'idx_report_day'), 'CREATE INDEX idx_report_day ON public.report USING btree (day)');
		assert.equal(definitionOf(catalog, 'constraint', 'report.total_positive'), 'CHECK ((total >= 0))');
		assert.equal(definitionOf(catalog, 'constraint', 'report.report_pkey'), 'PRIMARY KEY (id)');
		assert.match(definitionOf(catalog, 'function', 'report_total(integer)') ?? '', /CREATE OR REPLACE FUNCTION public\.report_total\(integer\)/);
		assert.match(definitionOf(catalog, 'view', 'busy_days') ?? '', /WHERE \(report\.state = 'busy'::mood\)/);
		assert.match(definitionOf(catalog, 'sequence', 'app.ticket') ?? '', /^bigint start 100 increment 5 /);
		assert.match(definitionOf(catalog, 'sequence', 'report_id_seq') ?? '', /owned by report\.id$/);
		assert.match(definitionOf(catalog, 'trigger', 'report.report_touch') ?? '', /BEFORE UPDATE ON public\.report/);
		assert.equal(definitionOf(catalog, 'schema', 'app'), 'schema');
		assert.equal(catalog.objects.some(o => o.name.includes('cutover_migrations')), false);
	});

	it('tells a changed default, a dropped NOT NULL and a redefined function apart from an equal catalog', async () => {
		const before = await read();
		assert.deepEqual(diffCatalogs(before, await read()), []);
		await database.sql(`ALTER TABLE report ALTER COLUMN total SET DEFAULT 1, ALTER COLUMN day DROP NOT NULL;
			CREATE OR REPLACE FUNCTION report_total(integer) RETURNS bigint LANGUAGE sql AS $$ SELECT 2::bigint $$;
			SELECT nextval('app.ticket');`);
		const differences = diffCatalogs(before, await read());
		assert.deepEqual(differences.map(d => `${d.change} ${d.kind} ${d.name}`), ['changed column report.day', 'changed column report.total', 'changed function report_total(integer)']);
		assert.equal(differences[1]!.found, 'integer not null default 1');
	});
});

describe('SQLite catalog', () => {
	let file: SqliteFile;
	const read = () => {
		const db = new BetterSqlite3(file.path, {readonly: true});
		try {
			return readSqliteCatalog(db);
		} finally {
			db.close();
		}
	};

	before(async () => {
		file = await createSqliteFile(`
			CREATE TABLE report (id integer PRIMARY KEY, day text NOT NULL, total integer NOT NULL DEFAULT 0, unit_id integer REFERENCES units (id) ON DELETE CASCADE, UNIQUE (day, unit_id));
			CREATE TABLE units (id integer PRIMARY KEY);
			CREATE INDEX idx_report_day ON report (day);
			CREATE VIEW   busy_days AS SELECT day FROM report WHERE total > 10;
			CREATE TRIGGER report_floor AFTER INSERT ON report BEGIN UPDATE report SET total = 0 WHERE id = NEW.id AND total < 0; END;
			CREATE TABLE cutover_migrations (name text PRIMARY KEY);
		`);
	});
	after(async () => {
		await file?.cleanup();
	});

	it('reads columns with types, nullability and defaults, keys, indexes, views and triggers, without cutover\'s own table', () => {
		const catalog = read();
		assert.equal(definitionOf(catalog, 'column', 'report.total'), 'INTEGER not null default 0');
		assert.equal(definitionOf(catalog, 'column', 'report.unit_id'), 'INTEGER');
		assert.equal(definitionOf(catalog, 'constraint', 'report.report_pkey'), 'PRIMARY KEY (id)');
		assert.equal(definitionOf(catalog, 'constraint', 'report.report_day_unit_id_key'), 'UNIQUE (day, unit_id)');
		assert.equal(definitionOf(catalog, 'constraint', 'report.report_unit_id_fkey'), 'FOREIGN KEY (unit_id) REFERENCES units(id) ON UPDATE NO ACTION ON DELETE CASCADE');
		assert.equal(definitionOf(catalog, 'index', 'idx_report_day'), 'CREATE INDEX idx_report_day ON report (day)');
		assert.equal(definitionOf(catalog, 'view', 'busy_days'), 'CREATE VIEW busy_days AS SELECT day FROM report WHERE total > 10');
		assert.match(definitionOf(catalog, 'trigger', 'report.report_floor') ?? '', /^CREATE TRIGGER report_floor AFTER INSERT ON report/);
		assert.equal(catalog.objects.some(o => o.name.includes('cutover_migrations')), false);
	});

	it('a table rebuilt to the same columns reads the same; a changed default does not', () => {
		const before = read();
		file.exec(`CREATE TABLE units_new (id integer PRIMARY KEY); INSERT INTO units_new SELECT id FROM units; DROP TABLE units; ALTER TABLE units_new RENAME TO units;`);
		assert.deepEqual(diffCatalogs(before, read()), []);
		file.exec(`CREATE TABLE units_new (id integer PRIMARY KEY, name text DEFAULT 'x'); DROP TABLE units; ALTER TABLE units_new RENAME TO units;`);
		assert.deepEqual(diffCatalogs(before, read()).map(d => `${d.change} ${d.kind} ${d.name}`), ['extra column units.name']);
	});
});
