import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import type {Engine} from '../../source/engine/model.js';
import {lintScripts, type Finding, type LintScript, type Parse} from '../../source/lint/lint-migrations.js';
import {loadPostgresParser} from '../../source/lint/postgres-parser.js';
import {rules, type RuleId} from '../../source/lint/rules.js';
import {splitStatements} from '../../source/sql/split-statements.js';

let parse: Parse;
before(async () => {
	parse = await loadPostgresParser();
});

/** A migration as the loader hands it over: the file's statements, in a transaction unless said otherwise. */
type Migration = string | {sql: string; transaction: boolean};

// accounts and invoices are created by no migration here: they are existing tables, with rows.

function lint(migrations: Migration[], engine: Engine = 'postgres', liveTables: ReadonlySet<string> | null = null): Finding[] {
	const scripts: LintScript[] = migrations.map((m, index) => {
		const {sql, transaction} = typeof m === 'string' ? {sql: m, transaction: true} : m;
		return {migration: `${index + 1}`, file: `000${index + 1}.up.sql`, text: sql, statements: splitStatements(sql), transaction};
	});
	const report = lintScripts(scripts, {engine, parse, liveTables});
	assert.ok(!('failure' in report), 'failure' in report ? report.failure.problem : '');
	return report.findings;
}

const firedRules = (findings: Finding[]) => [...new Set(findings.map(f => f.rule))].sort();

type Case = {rule: RuleId; engine?: Engine; bad: Migration[]; safe: Migration[]};

// Each rule: a migration it must flag, and the safe way to do the same, which it must leave alone.
const cases: Case[] = [
	{rule: 'index-not-concurrent', bad: ['CREATE INDEX accounts_email ON accounts (email);'], safe: [{sql: '-- cutover: no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_email ON accounts (email);', transaction: false}]},
	{rule: 'index-not-concurrent', bad: ['CREATE UNIQUE INDEX accounts_email ON public.accounts (email);'], safe: ['CREATE TABLE fresh (id int);\nCREATE INDEX fresh_id ON fresh (id);']},
	{rule: 'unique-constraint-on-existing', bad: ['ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email);'], safe: [{sql: 'CREATE UNIQUE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);', transaction: false}, 'ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE USING INDEX accounts_email_idx;']},
	{rule: 'unique-constraint-on-existing', bad: ['ALTER TABLE invoices DROP CONSTRAINT invoices_pkey, ADD PRIMARY KEY (id, account_id);'], safe: ['ALTER TABLE invoices ADD CONSTRAINT invoices_pk2 PRIMARY KEY USING INDEX invoices_pk2_idx;']},
	{rule: 'set-not-null', bad: ['ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;'], safe: ['ALTER TABLE accounts ADD CONSTRAINT accounts_email_nn CHECK (email IS NOT NULL) NOT VALID;', 'ALTER TABLE accounts VALIDATE CONSTRAINT accounts_email_nn;', 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;']},
	{rule: 'column-type-rewrite', bad: ['ALTER TABLE accounts ALTER COLUMN balance TYPE bigint;'], safe: ['ALTER TABLE accounts ADD COLUMN balance_big bigint;']},
	{rule: 'volatile-default', bad: ['ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();'], safe: ['ALTER TABLE accounts ADD COLUMN token uuid;', 'ALTER TABLE accounts ALTER COLUMN token SET DEFAULT gen_random_uuid();']},
	{rule: 'volatile-default', bad: ['ALTER TABLE invoices ADD COLUMN seq bigserial;'], safe: ['ALTER TABLE invoices ADD COLUMN seen_at timestamptz DEFAULT now();']},
	{rule: 'not-null-without-default', bad: ['ALTER TABLE accounts ADD COLUMN region text NOT NULL;'], safe: ['ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT \'eu\';']},
	{rule: 'foreign-key-without-not-valid', bad: ['ALTER TABLE invoices ADD CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);'], safe: ['ALTER TABLE invoices ADD CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;', 'ALTER TABLE invoices VALIDATE CONSTRAINT invoices_account_fk;']},
	{rule: 'check-without-not-valid', bad: ['ALTER TABLE invoices ADD CONSTRAINT invoices_total_positive CHECK (total >= 0);'], safe: ['ALTER TABLE invoices ADD CONSTRAINT invoices_total_positive CHECK (total >= 0) NOT VALID;', 'ALTER TABLE invoices VALIDATE CONSTRAINT invoices_total_positive;']},
	{rule: 'drop-column', bad: ['ALTER TABLE accounts DROP COLUMN plan;'], safe: ['ALTER TABLE accounts ALTER COLUMN plan DROP DEFAULT;']},
	{rule: 'drop-table', bad: ['DROP TABLE IF EXISTS invoices;'], safe: ['DROP INDEX IF EXISTS invoices_old_idx;']},
	{rule: 'truncate', bad: ['TRUNCATE invoices;'], safe: ['DELETE FROM invoices WHERE total = 0;']},
	{rule: 'rename-column', bad: ['ALTER TABLE accounts RENAME COLUMN email TO email_address;'], safe: ['ALTER TABLE accounts ADD COLUMN email_address text;']},
	{rule: 'rename-table', bad: ['ALTER TABLE invoices RENAME TO bills;'], safe: ['CREATE TABLE drafts (id int);\nALTER TABLE drafts RENAME TO bills;\nCREATE INDEX bills_id ON bills (id);']},
	{rule: 'exclusive-lock-then-more', bad: ['ALTER TABLE accounts ADD COLUMN note text;\nUPDATE invoices SET total = 0 WHERE total IS NULL;'], safe: ['UPDATE invoices SET total = 0 WHERE total IS NULL;\nALTER TABLE accounts ADD COLUMN note text;']},
	{rule: 'lock-timeout-disabled', bad: ['SET LOCAL lock_timeout = 0;\nALTER TABLE accounts ADD COLUMN note text;'], safe: ['-- cutover: lock-timeout=30s\nALTER TABLE accounts ADD COLUMN note text;']},
	{rule: 'lock-timeout-disabled', bad: ['RESET lock_timeout;\nCREATE INDEX CONCURRENTLY a_email ON accounts (email);\nLOCK TABLE invoices IN ACCESS EXCLUSIVE MODE;'], safe: ['SET lock_timeout = 0;\nSET lock_timeout = \'2s\';\nALTER TABLE accounts ADD COLUMN note text;']},
	{rule: 'concurrently-in-transaction', bad: ['CREATE INDEX CONCURRENTLY accounts_plan ON accounts (plan);'], safe: [{sql: 'CREATE INDEX CONCURRENTLY accounts_plan ON accounts (plan);', transaction: false}]},
	{rule: 'enum-value-in-transaction', bad: ['CREATE TYPE mood AS ENUM (\'sad\');', 'ALTER TYPE mood ADD VALUE \'happy\';'], safe: ['CREATE TYPE mood AS ENUM (\'sad\');', {sql: '-- cutover: no-transaction\nALTER TYPE mood ADD VALUE IF NOT EXISTS \'happy\';', transaction: false}]},
	{rule: 'json-type', bad: ['CREATE TABLE events (id int, body json);'], safe: ['CREATE TABLE events (id int, body jsonb);']},
	{rule: 'json-type', bad: ['ALTER TABLE accounts ADD COLUMN settings json;'], safe: ['ALTER TABLE accounts ADD COLUMN settings jsonb;']},
	{rule: 'not-null-without-default', engine: 'sqlite', bad: ['ALTER TABLE accounts ADD COLUMN region text NOT NULL;'], safe: ['ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT \'eu\';']},
	{rule: 'sqlite-table-rebuild', engine: 'sqlite', bad: ['CREATE TABLE accounts_new (id integer PRIMARY KEY, email text NOT NULL);\nINSERT INTO accounts_new (id, email) SELECT id, email FROM accounts;\nDROP TABLE accounts;\nALTER TABLE accounts_new RENAME TO accounts;'], safe: ['ALTER TABLE accounts RENAME COLUMN email TO email_address;']},
	{rule: 'drop-table', engine: 'sqlite', bad: ['DROP TABLE invoices;'], safe: ['DROP INDEX IF EXISTS invoices_total;']},
	{rule: 'drop-column', engine: 'sqlite', bad: ['ALTER TABLE "accounts" DROP COLUMN "plan";'], safe: ['ALTER TABLE accounts ADD COLUMN plan_v2 text;']},
];

describe('every rule fires on its example and stays quiet on the safe way', () => {
	for (const {rule, engine = 'postgres', bad, safe} of cases) {
		it(`${rule} (${engine})`, () => {
			const fired = lint(bad, engine);
			assert.ok(fired.some(f => f.rule === rule), `${rule} did not fire; fired: ${firedRules(fired).join(', ')}`);
			const finding = fired.find(f => f.rule === rule)!;
			assert.equal(finding.severity, rules[rule].severity);
			assert.ok(finding.risk.length > 20 && finding.fix.length > 3, 'the finding says what it risks and how to do it safely');
			assert.equal(finding.allowed, null);
			const quiet = lint(safe, engine);
			assert.ok(!quiet.some(f => f.rule === rule), `${rule} fired on the safe way: ${quiet.filter(f => f.rule === rule).map(f => f.detail).join('; ')}`);
		});
	}

	it('covers every rule of the catalogue', () => {
		const covered = new Set([...cases.map(c => c.rule), 'invalid-allow']);
		assert.deepEqual(Object.keys(rules).filter(id => !covered.has(id)), []);
	});

	it('names the file and the line of the statement, and its first line', () => {
		const [finding] = lint(['-- add the index\n\nCREATE INDEX accounts_email\n  ON accounts (email);']).filter(f => f.rule === 'index-not-concurrent');
		assert.equal(finding?.file, '0001.up.sql');
		assert.equal(finding?.line, 3);
		assert.equal(finding?.statement, 'CREATE INDEX accounts_email');
	});

	it('judges existing tables by the live database when it is given: a table there now is existing, one the plan creates is not', () => {
		const live = new Set(['accounts', 'billing.ledger']);
		assert.deepEqual(firedRules(lint(['CREATE INDEX a_email ON accounts (email);'], 'postgres', live)), ['index-not-concurrent']);
		assert.deepEqual(firedRules(lint(['CREATE INDEX l_id ON billing.ledger (id);'], 'postgres', live)), ['index-not-concurrent']);
		assert.deepEqual(firedRules(lint(['CREATE TABLE fresh (id int);', 'CREATE INDEX fresh_id ON fresh (id);'], 'postgres', live)), []);
	});

	it('with the live tables given, a drop or truncate of a table the database does not have yet loses nothing, so it is not reported', () => {
		// A first deployment: the plan creates the table and a later migration of it drops a column.
		const plan = ['CREATE TABLE fresh (id int, old text);', 'ALTER TABLE fresh DROP COLUMN old;', 'TRUNCATE fresh;', 'DROP TABLE fresh;'];
		assert.deepEqual(firedRules(lint(plan, 'postgres', new Set())), []);
		// The same statements on a table the database has: every one is reported.
		assert.deepEqual(firedRules(lint(plan.slice(1), 'postgres', new Set(['fresh']))), ['drop-column', 'drop-table', 'truncate']);
		// Linted without a database, nothing is known of the table's rows: still reported.
		assert.deepEqual(firedRules(lint(plan)), ['drop-column', 'drop-table', 'truncate']);
		const sqlite = ['CREATE TABLE fresh (id int, old text);', 'ALTER TABLE fresh DROP COLUMN old;', 'DROP TABLE fresh;'];
		assert.deepEqual(firedRules(lint(sqlite, 'sqlite', new Set())), []);
		assert.deepEqual(firedRules(lint(sqlite.slice(1), 'sqlite', new Set(['FRESH']))), ['drop-column', 'drop-table']);
		// Only a table the plan itself made: not one the live list just does not name (a partition,
		// a table of a schema on the search_path, a live table renamed or moved by the plan).
		assert.deepEqual(firedRules(lint(['DROP TABLE events_2024;', 'TRUNCATE events_2024;'], 'postgres', new Set(['events']))), ['drop-table', 'truncate']);
		assert.deepEqual(firedRules(lint(['DROP TABLE users;'], 'postgres', new Set(['app.users']))), ['drop-table']);
		assert.ok(firedRules(lint(['ALTER TABLE users RENAME TO accounts;', 'ALTER TABLE accounts DROP COLUMN email;'], 'postgres', new Set(['users']))).includes('drop-column'));
		assert.ok(firedRules(lint(['ALTER TABLE users RENAME TO users_old;', 'DROP TABLE users_old;'], 'postgres', new Set(['users']))).includes('drop-table'));
		assert.deepEqual(firedRules(lint(['ALTER TABLE users RENAME TO accounts;', 'ALTER TABLE accounts DROP COLUMN email;'], 'sqlite', new Set(['users']))), ['drop-column']);
		// A table the plan made and renamed is still the plan's: a first deployment loses nothing.
		assert.deepEqual(firedRules(lint(['CREATE TABLE settings (k text, v text, legacy text);', 'ALTER TABLE settings RENAME TO app_settings;', 'ALTER TABLE app_settings DROP COLUMN legacy;'], 'sqlite', new Set())), []);
		assert.deepEqual(firedRules(lint(['CREATE TABLE settings (k text, v text, legacy text);', 'ALTER TABLE settings RENAME TO app_settings;', 'ALTER TABLE app_settings DROP COLUMN legacy;'], 'postgres', new Set())), []);
	});

	it('with the live tables given, DROP TABLE IF EXISTS of a table that is not there drops nothing, so it is not reported', () => {
		const live = new Set(['accounts', 'app.users']);
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS legacy_sessions;'], 'postgres', live)), []);
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS legacy_sessions;'], 'sqlite', new Set(['Accounts']))), []);
		// There, it loses rows: reported, whichever case the name is written in (SQLite folds it).
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS accounts;'], 'postgres', live)), ['drop-table']);
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS ACCOUNTS;'], 'sqlite', new Set(['accounts']))), ['drop-table']);
		// Without IF EXISTS the statement fails where the table is missing: reported as before.
		assert.deepEqual(firedRules(lint(['DROP TABLE legacy_sessions;'], 'postgres', live)), ['drop-table']);
		// Without the live tables nothing is known: reported.
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS legacy_sessions;'])), ['drop-table']);
		// A bare name another schema has may be found on the search_path: reported.
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS users;'], 'postgres', live)), ['drop-table']);
		// A live table renamed earlier in the plan keeps its rows under the new name.
		assert.ok(firedRules(lint(['ALTER TABLE accounts RENAME TO accounts_old;', 'DROP TABLE IF EXISTS accounts_old;'], 'postgres', live)).includes('drop-table'));
		assert.ok(firedRules(lint(['ALTER TABLE accounts RENAME TO accounts_old;', 'DROP TABLE IF EXISTS accounts_old;'], 'sqlite', new Set(['accounts']))).includes('drop-table'));
		// Moved to another schema, it keeps its rows there.
		assert.ok(firedRules(lint(['ALTER TABLE accounts SET SCHEMA archive;', 'DROP TABLE IF EXISTS archive.accounts;'], 'postgres', live)).includes('drop-table'));
		// cutover's own log is there though the live lists leave it out.
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS cutover_migrations;'], 'postgres', live)), ['drop-table']);
		assert.deepEqual(firedRules(lint(['DROP TABLE IF EXISTS cutover_migrations;'], 'sqlite', new Set(['accounts']))), ['drop-table']);
		// Dropped once, a second IF EXISTS finds nothing.
		assert.equal(lint(['DROP TABLE accounts;', 'DROP TABLE IF EXISTS accounts;'], 'postgres', live).filter(f => f.rule === 'drop-table').length, 1);
		assert.equal(lint(['DROP TABLE accounts;', 'DROP TABLE IF EXISTS accounts;'], 'sqlite', new Set(['accounts'])).filter(f => f.rule === 'drop-table').length, 1);
	});

	it('keeps to the lock a statement really takes: a table created in the same file is empty, so locking it blocks no one', () => {
		assert.deepEqual(firedRules(lint(['CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;\nALTER TABLE t ALTER COLUMN a TYPE bigint;\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);\nCREATE INDEX t_a ON t (a);'])), []);
	});

	it('reports a statement that does not parse, with its file and line', () => {
		const report = lintScripts([{migration: '1', file: '0001.up.sql', text: '-- one\nCREATE TABLE ok (id int);\nCREATE TABEL broken (id int);', statements: ['-- one\nCREATE TABLE ok (id int)', 'CREATE TABEL broken (id int)'], transaction: true}], {engine: 'postgres', parse});
		assert.ok('failure' in report);
		assert.equal(report.failure.file, '0001.up.sql');
		assert.equal(report.failure.line, 3);
		assert.match(report.failure.problem, /syntax error at or near "TABEL"/);
	});
});
