// In a real terminal: q answers within a second while the backup waits for a lock, and while a
// slow check runs; Esc cancels that check; a backup that cannot take its locks fails in seconds.
import assert from 'node:assert/strict';
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import pg from 'pg';
import {cli, cliEnv, demoMigrations, prepareDemoTarget, readJournal, type DemoTarget} from '../support/demo-targets.js';
import {exitPattern, openTerminal, type Terminal} from '../support/tmux.js';

const endless = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

function checklist(target: DemoTarget, sql: string): string {
	const file = path.join(target.dir, 'quick-quit.yaml');
	writeFileSync(file, `name: quick-quit
window:
  expected-minutes: 5
checks:
  pre:
    - id: slow
      title: A scan that takes its time
      expect: no-rows
      timeout: 60s
      sql: "${sql}"
`);
	return file;
}

function start(target: DemoTarget, checklistFile: string): Terminal {
	return openTerminal(
		[process.execPath, cli, 'run', '--db', target.db, '--migrations', demoMigrations, '--checklist', checklistFile, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')],
		{cwd: target.dir, env: cliEnv(target)},
	);
}

function journal(target: DemoTarget) {
	const directory = path.join(target.dir, 'records');
	const file = existsSync(directory) ? readdirSync(directory).find(name => name.endsWith('.jsonl')) : undefined;
	return file === undefined ? [] : readJournal(readFileSync(path.join(directory, file), 'utf8').replace(/[^\n]*$/, ''));
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
		// eslint-disable-next-line no-await-in-loop -- polling
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

/** q, then the time until the question is on the screen. */
async function quitAnswersIn(terminal: Terminal): Promise<number> {
	const sent = Date.now();
	await terminal.keys('q');
	await terminal.waitFor('Leave the run? y/n', 2000);
	return Date.now() - sent;
}

async function confirmWindow(terminal: Terminal, name: string): Promise<void> {
	await terminal.waitFor('Type the database name');
	await terminal.type(name);
	await terminal.keys('Enter');
}

describe('quick quit in the console', () => {
	it('PostgreSQL: while the backup waits for a lock, q asks at once; the backup fails in 5 s naming the holder', async () => {
		const target = await prepareDemoTarget('postgres');
		const holder = new pg.Client({connectionString: target.db, application_name: 'app holding users'});
		await holder.connect();
		const terminal = start(target, checklist(target, 'SELECT 1 WHERE false'));
		try {
			await terminal.waitFor('Type the database name');
			// Taken once the window asks for the name (fingerprint and plan are done): the backup is the first to need the table.
			await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
			await confirmWindow(terminal, target.name);
			await until(() => journal(target).some(l => l.kind === 'backup.started'), 'the backup to start');
			const took = await quitAnswersIn(terminal);
			assert.ok(took < 1000, `the quit question took ${took} ms`);
			await terminal.keys('n');
			const failed = await terminal.waitFor(/could\s+not\s+take\s+its\s+locks\s+within\s+5\s+s/, 15_000);
			assert.doesNotMatch(failed, /at .*\.js:\d+/, 'no stack trace');
			const line = journal(target).find(l => l.kind === 'backup.failed');
			assert.match(String(line?.event['error']), /could not take its locks within 5 s: pid \d+ \(postgres, app holding users, idle in transaction: BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE\) holds or waits for a lock on table users; try again when it is done/);
			await terminal.keys('q');
			await terminal.waitFor(exitPattern, 10_000);
		} finally {
			terminal.close();
			await holder.end().catch(() => {});
			await target.cleanup();
		}
	});

	it('PostgreSQL: Ctrl-C and y during the backup\'s lock wait leave at once, not after the wait', async () => {
		const target = await prepareDemoTarget('postgres');
		const holder = new pg.Client({connectionString: target.db, application_name: 'app holding users'});
		await holder.connect();
		const terminal = start(target, checklist(target, 'SELECT 1 WHERE false'));
		try {
			await terminal.waitFor('Type the database name');
			// Taken once the window asks for the name (fingerprint and plan are done): the backup is the first to need the table.
			await holder.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
			await confirmWindow(terminal, target.name);
			await until(() => journal(target).some(l => l.kind === 'backup.started'), 'the backup to start');
			const sent = Date.now();
			await terminal.keys('C-c');
			await terminal.waitFor('Leave the run? y/n', 1000);
			await terminal.keys('y');
			const exited = await terminal.waitFor(exitPattern, 10_000);
			assert.ok(Date.now() - sent < 3000, `left after ${Date.now() - sent} ms`);
			assert.equal(exitPattern.exec(exited)?.[1], '1');
			const kinds = journal(target).map(l => l.kind);
			// The wait is in the counts or in pg_dump, depending on how soon the lock was taken: both stop.
			assert.ok(kinds.indexOf('operator.abandoned') < kinds.indexOf('backup.failed'), kinds.join(' '));
			assert.deepEqual(kinds.slice(-2), ['backup.failed', 'run.finished']);
			const backups = path.join(target.dir, 'backups');
			assert.deepEqual(existsSync(backups) ? readdirSync(backups) : [], [], 'no partial backup is left');
		} finally {
			terminal.close();
			await holder.end().catch(() => {});
			await target.cleanup();
		}
	});

	it('SQLite: while a slow check runs, q asks at once, and Esc cancels the check', async () => {
		const target = await prepareDemoTarget('sqlite');
		const terminal = start(target, checklist(target, endless));
		try {
			await confirmWindow(terminal, target.name);
			await terminal.waitFor('⟳ running pre.slow', 60_000);
			const took = await quitAnswersIn(terminal);
			assert.ok(took < 1000, `the quit question took ${took} ms`);
			await terminal.keys('n');
			await until(() => !terminal.screen().includes('Leave the run?'), 'the question to go');
			await terminal.keys('Escape');
			const cancelled = await terminal.waitFor('✗ CANCEL', 5000);
			assert.match(cancelled, /stopped with Esc after/);
			const lines = journal(target);
			assert.ok(lines.some(l => l.kind === 'operator.check-cancelled'));
			const result = lines.find(l => l.kind === 'check.finished')?.event['result'] as {verdict: string; sql: string};
			assert.equal(result.verdict, 'cancelled');
			assert.equal(result.sql, endless);
			await terminal.waitFor('Upgrade blocked by 1 failing blocking check', 10_000);
			await terminal.keys('q');
			await terminal.waitFor('Leave the run? y/n', 2000);
			await terminal.keys('y');
			const exited = await terminal.waitFor(exitPattern, 10_000);
			assert.equal(exitPattern.exec(exited)?.[1], '1');
		} finally {
			terminal.close();
			await target.cleanup();
		}
	});
});
