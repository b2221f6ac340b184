// Every check kind, run on real SQLite and PostgreSQL: the checklist compiles it to the engine's SQL,
// the database answers, the judge decides; the result records the SQL that ran and the offenders.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {openDatabase} from '../../source/adapters/open-target.js';
import {loadChecklist, sqlFor, type Checklist} from '../../source/checklist/index.js';
import type {Entry, RunEvent} from '../../source/engine/events.js';
import type {Cell, CheckResult, Engine} from '../../source/engine/model.js';
import type {Database} from '../../source/ports/database.js';
import {runCheck, runRecordedCheck} from '../../source/run/checks.js';
import {createSession} from '../../source/run/session.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile} from '../support/sqlite.js';

const clock = {now: () => 0};

/** The same data on both engines; only the timestamps are written each engine's way. */
function seedSql(engine: Engine): string {
	const ago = (minutes: number) => engine === 'postgres' ? `now() - interval '${minutes} minutes'` : `strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-${minutes} minutes')`;
	const stamp = engine === 'postgres' ? 'timestamptz' : 'text';
	return `
		CREATE TABLE readings (
			id integer PRIMARY KEY, unit_id integer, kind text NOT NULL, slot integer, value double precision, status text, read_at ${stamp},
			CONSTRAINT readings_status_check CHECK (status <> '')
		);
		CREATE INDEX readings_unit_idx ON readings (unit_id);
		INSERT INTO readings VALUES
			(1, 1, 'power', 1, 10, 'ok', ${ago(10)}),
			(2, 1, 'power', 1, 12, 'ok', ${ago(20)}),
			(3, 1, 'water', 1, NULL, 'bogus', ${ago(30)}),
			(4, 2, 'power', 2, 500, 'late', ${ago(120)}),
			(5, NULL, 'power', 1, 5, 'ok', ${ago(1440)}),
			(6, NULL, 'power', 1, 5, 'ok', ${ago(1440)});
		CREATE TABLE events (id integer PRIMARY KEY, at ${stamp});
		CREATE TABLE beats (id integer PRIMARY KEY, at ${engine === 'postgres' ? 'timestamptz' : 'integer'});
		CREATE TABLE pool_accounts (id integer PRIMARY KEY);
		CREATE TABLE cutover_migrations (name text PRIMARY KEY, applied_at text NOT NULL);
		INSERT INTO cutover_migrations VALUES ('0001_a', '2026-01-01T00:00:00.000Z'), ('0002_b', '2026-01-02T00:00:00.000Z');
	`;
}

const checklistYaml = `name: kinds
window: {expected-minutes: 5}
checks:
  pre:
    - {id: unique-key, title: t, unique: {table: readings, columns: [unit_id, kind, slot]}}
    - {id: unique-id, title: t, unique: {table: readings, columns: [id]}}
    - {id: value-set, title: t, not_null: {table: readings, column: value}}
    - {id: kind-set, title: t, not_null: {table: readings, column: kind}}
    - {id: status-known, title: t, accepted_values: {table: readings, column: status, values: [ok, late]}}
    - {id: status-any, title: t, accepted_values: {table: readings, column: status, values: [ok, late, bogus]}}
    - {id: value-range, title: t, accepted_range: {table: readings, column: value, min: 0, max: 100}}
    - {id: value-floor, title: t, accepted_range: {table: readings, column: value, min: 0}}
    - {id: fresh-hour, title: t, recency: {table: readings, column: read_at, within: 1h}}
    - {id: fresh-minutes, title: t, recency: {table: readings, column: read_at, within: 5m}}
    - {id: fresh-empty, title: t, recency: {table: events, column: at, within: 1d}}
    - {id: fresh-not-time, title: t, recency: {table: readings, column: status, within: 1d}}
    - {id: not-empty, title: t, row_count: {table: readings, min: 1}}
    - {id: small, title: t, row_count: {table: readings, max: 3}}
    - {id: at-least-6, title: t, sql: SELECT id FROM readings, expect: {at-least: 6}}
    - {id: at-least-7, title: t, sql: SELECT id FROM readings, expect: {at-least: 7}}
    - {id: scalar-fails, title: t, sql: SELECT count(*) FROM readings, expect: {scalar: '<= 5'}}
    - {id: scalar-passes, title: t, sql: SELECT count(*) AS n FROM readings, expect: {scalar: '>= 6'}}
    - {id: scalar-two-columns, title: t, sql: 'SELECT 1 AS a, 2 AS b', expect: {scalar: '= 1'}}
    - {id: scalar-null, title: t, sql: SELECT max(id) FROM events, expect: {scalar: '!= 0'}}
    - id: per-kind
      title: t
      severity: warn
      sql: SELECT kind, count(*) AS total, count(DISTINCT slot) AS uniq FROM readings GROUP BY kind ORDER BY kind
      expect: {columns-equal: [total, uniq]}
    - {id: columns-missing, title: t, sql: SELECT kind FROM readings, expect: {columns-equal: [total, uniq]}}
    - {id: few-rows-kept, title: t, evidence: 2, sql: SELECT id FROM readings ORDER BY id, expect: no-rows}
    - {id: table-exists, title: t, exists: {table: readings}}
    - {id: table-absent, title: t, absent: {table: readings}}
    - {id: column-exists, title: t, exists: {column: value, table: readings}}
    - {id: column-missing, title: t, exists: {column: nope, table: readings}}
    - {id: index-exists, title: t, exists: {index: readings_unit_idx}}
    - {id: index-on-table, title: t, exists: {index: readings_unit_idx, table: readings}}
    - {id: index-other-table, title: t, exists: {index: readings_unit_idx, table: events}}
    - {id: constraint-exists, title: t, exists: {constraint: readings_status_check, table: readings}}
    - {id: constraint-absent, title: t, absent: {constraint: uq_meter_unit_kind_slot}}
    - {id: version-literal, title: t, version: {equals: 0002_b}}
    - {id: version-behind, title: t, version: {equals: 0003_c}}
    - {id: tables-allowed, title: t, unexpected-tables: {allowed: [readings, events, beats]}}
    - {id: tables-elsewhere, title: t, unexpected-tables: {belong-elsewhere: [pool_accounts, pool_slots]}}
    - {id: tables-elsewhere-none, title: t, unexpected-tables: {belong-elsewhere: [pool_slots]}}
`;

type Expected = [id: string, verdict: CheckResult['verdict'], detail: RegExp, rows?: Cell[][]];

const expected: Expected[] = [
	['unique-key', 'failed', /^1 duplicate group$/, [[1, 'power', 1, 2]]],
	['unique-id', 'passed', /^no duplicate groups$/],
	['value-set', 'failed', /^1 row with value NULL$/],
	['kind-set', 'passed', /^no rows with kind NULL$/],
	['status-known', 'failed', /^1 value outside the list$/, [['bogus', 1]]],
	['status-any', 'passed', /^no values outside the list$/],
	['value-range', 'failed', /^1 row out of range$/],
	['value-floor', 'passed', /^no rows out of range$/],
	['fresh-hour', 'passed', /^newest .+, 10 min old, within 1h$/],
	['fresh-minutes', 'failed', /^newest .+ is 10 min old, older than 5m$/],
	['fresh-empty', 'failed', /^events\.at has no value: the table is empty or the column all NULL$/],
	// SQLite reads the text and finds no date in it; PostgreSQL refuses to subtract text from a time.
	['fresh-not-time', 'error', /^the newest readings\.status, "ok", is not a timestamp the database can read$|operator does not exist: timestamp with time zone - text/],
	['not-empty', 'passed', /^rows in readings: 6, expected at least 1$/],
	['small', 'failed', /^rows in readings: 6, expected at most 3$/],
	['at-least-6', 'passed', /^6 rows found, at least 6 expected$/],
	['at-least-7', 'failed', /^6 rows found, at least 7 expected$/],
	['scalar-fails', 'failed', /^6, expected <= 5$/],
	['scalar-passes', 'passed', /^6 >= 6$/],
	['scalar-two-columns', 'error', /^expected one row of one column, the query returned 1 row of 2 columns$/],
	['scalar-null', 'error', /^expected a number, the query returned NULL$/],
	['per-kind', 'failed', /^1 row where total ≠ uniq$/, [['power', 5, 2]]],
	['columns-missing', 'error', /^the query returns no column total or uniq \(its columns: kind\)$/],
	['few-rows-kept', 'failed', /^6 offending rows$/, [[1], [2]]],
	['table-exists', 'passed', /^table readings exists$/],
	['table-absent', 'failed', /^table readings exists$/],
	['column-exists', 'passed', /^column readings\.value exists$/],
	['column-missing', 'failed', /^column readings\.nope does not exist$/],
	['index-exists', 'passed', /^index readings_unit_idx exists$/],
	['index-on-table', 'passed', /^index readings_unit_idx on readings exists$/],
	['index-other-table', 'failed', /^index readings_unit_idx on events does not exist$/],
	['constraint-exists', 'passed', /^constraint readings_status_check on readings exists$/],
	['constraint-absent', 'passed', /^constraint uq_meter_unit_kind_slot does not exist$/],
	['version-literal', 'passed', /^at 0002_b, as expected$/],
	['version-behind', 'failed', /^at 0002_b, expected 0003_c$/],
	['tables-allowed', 'failed', /^1 unexpected table$/, [['pool_accounts']]],
	['tables-elsewhere', 'failed', /^1 unexpected table$/, [['pool_accounts']]],
	['tables-elsewhere-none', 'passed', /^no unexpected tables$/],
];

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-kinds-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

async function load(yaml: string, name: string): Promise<Checklist> {
	const file = path.join(dir, `${name}.yaml`);
	writeFileSync(file, yaml);
	return loadChecklist(file);
}

/** Opens a seeded database of the engine for the whole describe block. */
function seeded(engine: Engine, extraSql = '') {
	const opened: {database?: Database; cleanup?: () => Promise<void>} = {};
	before(async () => {
		if (engine === 'sqlite') {
			const file = await createSqliteFile(seedSql(engine) + extraSql);
			opened.database = await openDatabase(parseTarget(`sqlite:${file.path}`));
			opened.cleanup = async () => file.cleanup();
		} else {
			const db = await createThrowawayDatabase('cutover_kinds');
			await db.sql(seedSql(engine) + extraSql);
			opened.database = await openDatabase(parseTarget(db.url));
			opened.cleanup = async () => db.drop();
		}
	});
	after(async () => {
		await opened.database?.close();
		await opened.cleanup?.();
	});
	return () => opened.database!;
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`check kinds on ${engine}`, () => {
		const database = seeded(engine);

		it('each kind gives its verdict, a one-line detail, and its offenders as evidence; the result holds the SQL that ran', async () => {
			const checklist = await load(checklistYaml, `kinds-${engine}`);
			assert.deepEqual(checklist.checks.pre.map(c => c.id), expected.map(([id]) => id), 'the table covers every check');
			const results: CheckResult[] = [];
			for (const check of checklist.checks.pre) {
				// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
				const result = await runCheck(database(), check, 'pre', results, clock);
				results.push(result);
				const [, verdict, detail, rows] = expected.find(([id]) => id === check.id)!;
				assert.equal(result.verdict, verdict, `${check.id}: ${result.detail}\n${result.sql}`);
				assert.match(result.detail, detail, check.id);
				assert.equal(result.sql, sqlFor(check, engine), `${check.id} records the compiled SQL`);
				assert.doesNotMatch(result.sql, /:target_migration|\{|unique:/, check.id);
				if (rows !== undefined) {
					assert.deepEqual(result.evidence.rows, rows, check.id);
				}
			}

			const byId = (id: string) => results.find(r => r.id === id)!;
			assert.deepEqual(byId('value-set').evidence.rows.map(r => r[0]), [3], 'the NULL row is the evidence');
			assert.deepEqual(byId('value-range').evidence.rows.map(r => r[0]), [4]);
			assert.equal(byId('few-rows-kept').evidence.total, 6);
			assert.equal(byId('few-rows-kept').evidence.truncated, true);
			assert.equal(byId('per-kind').blocking, false, 'severity: warn does not block');
			assert.equal(byId('unique-key').blocking, true);
			assert.equal(byId('unique-key').expectation, 'no two rows of readings share (unit_id, kind, slot)');
			assert.equal(byId('fresh-hour').expectation, 'the newest readings.read_at at most 1h old');
			assert.equal(byId('scalar-fails').expectation, 'one value <= 5');
		});

		it('version without equals: compares with the last migration of this run, bound into the recorded SQL', async () => {
			const checklist = await load('name: v\nwindow: {expected-minutes: 5}\nchecks:\n  post:\n    - {id: version, title: At the target, version: {}}\n', `version-${engine}`);
			const check = checklist.checks.post[0]!;
			assert.match(sqlFor(check, engine)!, /:target_migration/);
			const run = async (pending: string[]) => {
				const entries: Entry[] = [];
				const session = createSession({path: 'memory', append: entry => entries.push(entry), close() {}}, clock);
				const info = (name: string) => ({name, checksum: 'c'.repeat(64), reversible: true});
				session.emit({type: 'migrations.planned', applied: [], pending: pending.map(info)} as RunEvent);
				return runRecordedCheck({session, clock, signal: new AbortController().signal, connections: {database: database()}}, check, 'post');
			};

			const passed = await run(['0001_a', '0002_b']);
			assert.equal(passed.verdict, 'passed', passed.detail);
			assert.match(passed.sql, /'0002_b' AS expected/);
			assert.deepEqual(passed.evidence.rows, [['0002_b', '0002_b']]);
			const behind = await run(['0001_a', '0002_b', '0003_c']);
			assert.equal(behind.verdict, 'failed');
			assert.equal(behind.detail, 'at 0002_b, expected 0003_c');
		});

		it('recency reads what the engine stores: SQLite unix seconds as well as ISO text', async () => {
			const stamp = (seconds: number) => engine === 'sqlite' ? `CAST(strftime('%s', 'now') AS integer) - ${seconds}` : `now() - interval '${seconds} seconds'`;
			const checklist = await load(`name: r\nwindow: {expected-minutes: 5}\nchecks:\n  pre:\n    - {id: fresh, title: t, recency: {table: beats, column: at, within: 5m}}\n`, `recency-${engine}`);
			// beats.at is an INTEGER column on SQLite (unix seconds), empty in the seed: one row in through a second connection.
			await seedMore(engine, database(), `INSERT INTO beats VALUES (1, ${stamp(120)}), (2, ${stamp(3720)})`);
			const result = await runCheck(database(), checklist.checks.pre[0]!, 'pre', [], clock);
			assert.equal(result.verdict, 'passed', result.detail);
			assert.match(result.detail, /, (119 s|120 s|2 min) old, within 5m$/);
		});
	});
}

/** Writes through the driver, since the Database port only reads. */
async function seedMore(engine: Engine, database: Database, sql: string): Promise<void> {
	const fingerprint = await database.fingerprint();
	if (engine === 'sqlite') {
		const {default: BetterSqlite3} = await import('better-sqlite3');
		const db = new BetterSqlite3(fingerprint.path!);
		try {
			db.exec(sql);
		} finally {
			db.close();
		}

		return;
	}

	const {default: pg} = await import('pg');
	const {adminUrl} = await import('../support/postgres.js');
	const url = new URL(adminUrl);
	url.pathname = `/${fingerprint.database}`;
	const client = new pg.Client({connectionString: url.toString()});
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

describe('check kinds on PostgreSQL schemas', () => {
	const database = seeded('postgres', `
		CREATE SCHEMA billing;
		CREATE TABLE billing.invoices (id integer PRIMARY KEY, number text, CONSTRAINT invoices_number_positive CHECK (number <> ''));
		CREATE INDEX invoices_number_idx ON billing.invoices (number);
		INSERT INTO billing.invoices VALUES (1, 'A-1'), (2, 'A-1'), (3, 'A-2');
	`);

	it('schema.table is quoted as two identifiers and looked up in its schema', async () => {
		const checklist = await load(`name: s
window: {expected-minutes: 5}
checks:
  pre:
    - {id: numbers, title: t, unique: {table: billing.invoices, columns: [number]}}
    - {id: counted, title: t, row_count: {table: billing.invoices, min: 3, max: 3}}
    - {id: table, title: t, exists: {table: billing.invoices}}
    - {id: not-public, title: t, absent: {table: invoices}}
    - {id: index, title: t, exists: {index: invoices_number_idx, table: billing.invoices}}
    - {id: column, title: t, exists: {column: number, table: billing.invoices}}
    - {id: constraint, title: t, exists: {constraint: invoices_number_positive, table: billing.invoices}}
    - {id: constraint-by-schema, title: t, exists: {constraint: billing.invoices_number_positive}}
    - {id: no-schema, title: t, absent: {table: nosuch.invoices}}
    - {id: allowed, title: t, unexpected-tables: {allowed: [readings, events, beats, public.pool_accounts]}}
`, 'schemas');
		const results = new Map<string, CheckResult>();
		for (const check of checklist.checks.pre) {
			// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
			results.set(check.id, await runCheck(database(), check, 'pre', [], clock));
		}

		const verdicts = Object.fromEntries([...results].map(([id, r]) => [id, `${r.verdict}: ${r.detail}`]));
		assert.deepEqual(verdicts, {
			numbers: 'failed: 1 duplicate group',
			counted: 'passed: rows in billing.invoices: 3, expected from 3 to 3',
			table: 'passed: table billing.invoices exists',
			'not-public': 'passed: table invoices does not exist',
			index: 'passed: index invoices_number_idx on billing.invoices exists',
			column: 'passed: column billing.invoices.number exists',
			constraint: 'passed: constraint invoices_number_positive on billing.invoices exists',
			'constraint-by-schema': 'passed: constraint billing.invoices_number_positive exists',
			'no-schema': 'passed: table nosuch.invoices does not exist',
			allowed: 'failed: 1 unexpected table',
		});
		assert.deepEqual(results.get('numbers')!.evidence.rows, [['A-1', 2]]);
		assert.match(results.get('numbers')!.sql, /FROM "billing"\."invoices"/);
		assert.deepEqual(results.get('allowed')!.evidence.rows, [['billing.invoices']]);
	});
});
