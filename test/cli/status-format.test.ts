// `cutover status` names the format it read a folder in, what it ignored and what this engine skips; --format is checked.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {cli} from '../support/demo-targets.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-status-format-'));
after(() => {
	rmSync(scratch, {recursive: true, force: true});
});

const file = path.join(scratch, 'app.db');
new BetterSqlite3(file).exec('VACUUM');
const fixture = (tool: string) => path.resolve('test/fixtures/formats', tool);
const status = (...args: string[]) => {
	const result = spawnSync(process.execPath, [cli, 'status', '--db', `sqlite:${file}`, ...args], {encoding: 'utf8', env: {...process.env, CUTOVER_CONFIG_DIR: path.join(scratch, 'config')}, timeout: 60_000});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
};

describe('cutover status and migration formats', () => {
	it('names the format and the files it ignored', () => {
		const result = status('--migrations', fixture('goose'));
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /migrations from \S+goose · goose format · no goose_db_version here: goose run at start-up would apply these again \(cutover keeps its own log\) · 1 file ignored: README\.md\n/);
		assert.match(result.stdout, /pending {2}00003_audit {2}[0-9a-f]{12}\n/);
	});

	it('lists the migrations skipped on this engine', () => {
		const result = status('--migrations', fixture('pop'));
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /· pop format · 1 file ignored: README\.md\n1 migration skipped on sqlite, only for mysql: 20240101000000000004_accounts_engine\n/);
		const json = JSON.parse(status('--migrations', fixture('pop'), '--json').stdout) as {format: string; skipped: unknown};
		assert.equal(json.format, 'pop');
		assert.deepEqual(json.skipped, [{name: '20240101000000000004_accounts_engine', engines: ['mysql']}]);
	});

	it('--format names the layout; files that do not fit it, or a name it does not know, are refused', () => {
		const misfit = status('--migrations', fixture('goose'), '--format', 'flyway');
		assert.equal(misfit.code, 1, misfit.stdout);
		assert.match(misfit.stderr, /00001_init\.sql, 00002_accounts_email\.sql, 00003_audit\.sql, 20240101120000_add_status\.sql are not flyway migrations/);
		const unknown = status('--migrations', fixture('goose'), '--format', 'liquibase');
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /--format liquibase is not a format cutover reads/);
		assert.match(unknown.stderr, /golang-migrate, pop, dbmate, goose, flyway/);
	});

	it('marks a migration that runs outside a transaction; --json answers in JSON when the folder does not load', () => {
		const folder = path.join(scratch, 'outside');
		mkdirSync(folder);
		writeFileSync(path.join(folder, '0001_a.up.sql'), 'CREATE TABLE a (id int);\n');
		writeFileSync(path.join(folder, '0002_vacuum.up.sql'), '-- cutover: no-transaction\nVACUUM;\n');
		const result = status('--migrations', folder);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /pending {2}0001_a {2}[0-9a-f]{12} {2}irreversible \(no down\)\n/);
		assert.match(result.stdout, /pending {2}0002_vacuum {2}[0-9a-f]{12} {2}no transaction \(statement by statement\) {2}irreversible \(no down\)\n/);
		writeFileSync(path.join(folder, '0003_bad.up.sql'), Buffer.from([0x53, 0x45, 0x4C, 0xE9, 0x3B]));
		const refused = status('--migrations', folder, '--json');
		assert.equal(refused.code, 1);
		const json = JSON.parse(refused.stdout) as {status: string; exitCode: number; error: string; hint: string};
		assert.deepEqual([json.status, json.exitCode], ['could-not-read', 1]);
		assert.match(json.error, /0003_bad\.up\.sql:1: byte 3 \(0xe9\) is not UTF-8/);
		assert.match(json.hint, /UTF-8/);
		assert.match(refused.stderr, /0003_bad\.up\.sql/);
	});
});
