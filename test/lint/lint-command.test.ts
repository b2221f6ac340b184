import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {bundledCli, cli, demoMigrations} from '../support/demo-targets.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-lint-'));
const env = {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'};
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

function lint(args: string[], entry = cli) {
	const result = spawnSync(process.execPath, [entry, 'lint', ...args], {cwd: packageRoot, env, encoding: 'utf8'});
	return {status: result.status, stdout: result.stdout, stderr: result.stderr, out: result.stdout + result.stderr};
}

/** A migrations folder of the given files, written fresh. */
function folder(name: string, files: Record<string, string | Uint8Array>): string {
	const at = path.join(dir, name);
	mkdirSync(at, {recursive: true});
	for (const [file, text] of Object.entries(files)) {
		writeFileSync(path.join(at, file), text);
	}

	return at;
}

type Json = {status: string; exitCode: number; errors: number; warnings: number; allowed: number; migrations: string[]; findings: Array<{file: string; line: number; rule: string; severity: string; risk: string; fix: string; allowed: string | null; statement: string}>};

const contract = folder('contract', {
	'0001_accounts.up.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text, legacy text);\n',
	'0001_accounts.down.sql': 'DROP TABLE accounts;\n',
	'0002_contract.up.sql': '-- cutover: allow drop-column because nothing reads legacy since release 41\nALTER TABLE accounts DROP COLUMN legacy;\n',
	'0002_contract.down.sql': 'ALTER TABLE accounts ADD COLUMN legacy text;\n',
	'0003_orders_index.up.sql': 'CREATE INDEX orders_account ON orders (account_id);\n',
	'0003_orders_index.down.sql': 'DROP INDEX orders_account;\n',
});

describe('cutover lint', () => {
	it('finds the shipped migrations/ clean on PostgreSQL (each change is on a table the folder creates) and warns of the SQLite rebuild', () => {
		const postgres = lint([demoMigrations]);
		assert.equal(postgres.status, 0, postgres.out);
		assert.match(postgres.stdout, /^clean: 0 errors, 0 warnings in 4 migrations$/m);
		const sqlite = lint([demoMigrations, '--engine', 'sqlite']);
		assert.equal(sqlite.status, 1, sqlite.out);
		assert.match(sqlite.stdout, /^0002_users_status\.up\.sqlite\.sql:15 +warning +sqlite-table-rebuild$/m);
		assert.match(sqlite.stdout, /^warnings: 0 errors, 1 warning in 4 migrations$/m);
	});

	it('prints a table at 80 columns with file, line, severity, rule, the risk and the fix, and exits 2 on an error', () => {
		const result = lint([contract]);
		assert.equal(result.status, 2, result.out);
		for (const line of result.stdout.split('\n').slice(1)) {
			assert.ok(line.length <= 80, `wider than 80 columns: ${line}`);
		}

		assert.match(result.stdout, /^FILE:LINE +SEVERITY RULE$/m);
		assert.match(result.stdout, /^0002_contract\.up\.sql:2 +allowed +drop-column\n {4}DROP COLUMN accounts\.legacy\n {4}allowed: nothing reads legacy since release 41$/m);
		assert.match(result.stdout, /^0003_orders_index\.up\.sql:1 +error +index-not-concurrent\n {4}CREATE INDEX orders_account on orders without CONCURRENTLY\n {4}risk: CREATE INDEX takes a SHARE lock/m);
		assert.match(result.stdout, /^ {4}fix: CREATE INDEX CONCURRENTLY/m);
		assert.match(result.stdout, /^errors: 1 error, 0 warnings, 1 allowed in 3 migrations$/m);
	});

	it('--json gives CI the findings, the counts and the exit code', () => {
		const result = lint([contract, '--json']);
		assert.equal(result.status, 2, result.out);
		const json = JSON.parse(result.stdout) as Json;
		assert.equal(json.status, 'errors');
		assert.equal(json.exitCode, 2);
		assert.deepEqual(json.migrations, ['0001_accounts', '0002_contract', '0003_orders_index']);
		assert.deepEqual(json.findings.map(f => [f.file, f.line, f.rule, f.severity, f.allowed]), [
			['0002_contract.up.sql', 2, 'drop-column', 'error', 'nothing reads legacy since release 41'],
			['0003_orders_index.up.sql', 1, 'index-not-concurrent', 'error', null],
		]);
		assert.equal(json.findings[1]!.statement, 'CREATE INDEX orders_account ON orders (account_id)');
		assert.deepEqual([json.errors, json.warnings, json.allowed], [1, 0, 1]);
	});

	it('exits 1 on warnings only, 0 when clean', () => {
		const warnings = lint([folder('warn', {'0001_rename.up.sql': 'ALTER TABLE accounts RENAME COLUMN email TO email_address;\n'}), '--json']);
		assert.equal(warnings.status, 1, warnings.out);
		assert.equal((JSON.parse(warnings.stdout) as Json).findings[0]?.rule, 'rename-column');
		const clean = lint([folder('clean', {'0001_add.up.sql': 'ALTER TABLE accounts ADD COLUMN note text;\n'}), '--json']);
		assert.equal(clean.status, 0, clean.out);
		assert.equal((JSON.parse(clean.stdout) as Json).status, 'clean');
	});

	it('exits 3 on a statement that does not parse, naming the file and the line', () => {
		const broken = folder('broken', {'0001_typo.up.sql': '-- a typo\nCREATE TABLE ok (id int);\n\nALTER TABEL ok ADD COLUMN b int;\n'});
		const result = lint([broken]);
		assert.equal(result.status, 3, result.out);
		assert.match(result.stderr, /0001_typo\.up\.sql:4: statement 2 does not parse as PostgreSQL: syntax error at or near "TABEL"/);
	});

	it('names a long file whole, on a line of its own, so the finding can be found and acknowledged', () => {
		const long = folder('long-names', {'000084_create_channel_member_history_and_more.up.sql': 'CREATE TABLE h (id int);\nDROP TABLE h;\n'});
		const result = lint([long]);
		assert.equal(result.status, 2, result.out);
		assert.match(result.stdout, /^000084_create_channel_member_history_and_more\.up\.sql:2\n {38}error {4}drop-table$/m);
		assert.ok(result.stdout.split('\n').every(line => line.length <= 80 || line.startsWith('000084_')), result.stdout);
	});

	it('exits 3 on a folder it cannot read, in JSON too', () => {
		const missing = lint([path.join(dir, 'no-such-folder'), '--json']);
		assert.equal(missing.status, 3, missing.out);
		const json = JSON.parse(missing.stdout) as {status: string; exitCode: number; error: string; hint: string};
		assert.deepEqual([json.status, json.exitCode], ['could-not-lint', 3]);
		assert.match(json.error, /no-such-folder is no directory/);
		const latin1 = lint([folder('latin1-up', {'0001_names.up.sql': Buffer.from([0x53, 0x45, 0x4C, 0x45, 0x43, 0x54, 0x20, 0x27, 0xE9, 0x27, 0x3B])})]);
		assert.equal(latin1.status, 3, latin1.out);
		assert.match(latin1.stderr, /0001_names\.up\.sql:1: byte 8 \(0xe9\) is not UTF-8/);
		const usage = lint([contract, '--engine', 'mysql']);
		assert.equal(usage.status, 3, usage.out);
		assert.match(usage.stderr, /--engine mysql is not an engine cutover lints/);
	});

	it('reads the folder as the migrator does: a goose file\'s up is linted, its down is not; CONCURRENTLY in a transaction is a finding', () => {
		const goose = folder('goose', {
			'20240101120000_meters.sql': '-- +goose Up\n-- cutover: allow truncate because staging rows only\nTRUNCATE staging_meters;\nCREATE INDEX CONCURRENTLY meters_slot ON meters (slot);\n\n-- +goose Down\nDROP INDEX meters_slot;\nDROP TABLE meters;\n',
		});
		const result = lint([goose, '--json']);
		assert.equal(result.status, 2, result.out);
		const json = JSON.parse(result.stdout) as Json;
		assert.deepEqual(json.findings.map(f => [f.line, f.rule, f.allowed !== null]), [[3, 'truncate', true], [3, 'exclusive-lock-then-more', false], [4, 'concurrently-in-transaction', false]]);
		assert.ok(!json.findings.some(f => f.rule === 'drop-table'), 'the down section is not linted');
	});

	it('runs from the bundle, which finds the parser where npm put it', () => {
		const result = lint([contract, '--json'], bundledCli);
		assert.equal(result.status, 2, result.out);
		assert.equal((JSON.parse(result.stdout) as Json).findings.length, 2);
	});

	it('--db lints the pending migrations against the tables the database has now', async () => {
		const database = await createThrowawayDatabase('cutover_lint');
		try {
			// The schema of 0001 is there (made by hand) and baselined: 0002–0004 are pending, on tables with rows.
			await database.sql('CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, role text NOT NULL, created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP); CREATE TABLE meters (id integer PRIMARY KEY, unit_id integer NOT NULL, kind text NOT NULL, slot integer NOT NULL, reading double precision)');
			const baseline = spawnSync(process.execPath, [cli, 'baseline', '--db', database.url, '--migrations', demoMigrations, '--to', '0001_create_users_and_meters', '--yes', '--confirm-db', database.name, '--records', path.join(dir, 'records'), '--unsigned'], {cwd: packageRoot, env, encoding: 'utf8'});
			assert.equal(baseline.status, 0, baseline.stdout + baseline.stderr);
			const result = lint([demoMigrations, '--db', database.url, '--json']);
			// The demo's migrations allow their blocking findings (a handful of rows); the lock held through the migration is a warning.
			assert.equal(result.status, 1, result.out);
			const json = JSON.parse(result.stdout) as Json;
			assert.deepEqual(json.migrations, ['0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot']);
			assert.deepEqual(json.findings.map(f => `${f.file}:${f.line} ${f.rule}${f.allowed === null ? '' : ' allowed'}`), [
				'0002_users_status.up.sql:2 exclusive-lock-then-more',
				'0002_users_status.up.sql:5 set-not-null allowed',
				'0002_users_status.up.sql:7 index-not-concurrent allowed',
				'0004_meters_unique_slot.up.sql:2 index-not-concurrent allowed',
			]);
			// Without the database, the same folder creates those tables itself: nothing to flag.
			assert.equal(lint([demoMigrations]).status, 0);
		} finally {
			await database.drop();
		}
	});

	it('--db: DROP TABLE IF EXISTS of a table that is not there is not reported; of a partition, which holds rows, it is', async () => {
		const database = await createThrowawayDatabase('cutover_lint');
		try {
			await database.sql('CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at); CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM (\'2024-01-01\') TO (\'2025-01-01\')');
			const drops = folder('drops', {
				'0001_clean_up.up.sql': 'DROP TABLE IF EXISTS legacy_sessions;\nDROP TABLE IF EXISTS events_2024;\n',
				'0001_clean_up.down.sql': 'SELECT 1;\n',
			});
			const result = lint([drops, '--db', database.url, '--json']);
			const json = JSON.parse(result.stdout) as Json;
			assert.deepEqual(json.findings.map(f => `${f.file}:${f.line} ${f.rule}`), ['0001_clean_up.up.sql:2 drop-table'], result.out);
		} finally {
			await database.drop();
		}
	});
});
