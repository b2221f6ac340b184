// A run over two databases in a real 80x24 terminal, as an operator types it: each window
// confirmed by its own name, the header saying which database is on screen, both upgraded, and a
// summary that names both.
import assert from 'node:assert/strict';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {packageRoot} from '../../source/package-root.js';
import {cli, readJournal} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';

describe('the console over two databases in a real 80x24 terminal', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-console-split-'));
	after(() => rmSync(dir, {recursive: true, force: true}));

	it('confirms each database by its own name and upgrades both', async () => {
		const files = {users: path.join(dir, 'users.db'), pool: path.join(dir, 'pool.db')};
		for (const file of Object.values(files)) {
			new BetterSqlite3(file).exec('VACUUM').close();
		}

		const terminal = openTerminal(
			[process.execPath, cli, 'run', '--checklist', 'checklists/dual-db-split.yaml', '--db', `users=sqlite:${files.users}`, '--db', `pool=sqlite:${files.pool}`,
				'--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups')],
			{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'}},
		);
		try {
			const first = await terminal.waitFor('Type the database name');
			assert.match(first, /Maintenance window · users 1\/2 · db users/);
			assert.match(first, /migrations\/split\/users/);
			// The window is drawn with its checklist whole, so the checklist has the keys first.
			assert.match(first, /› \[ \] The maintenance window is announced/);
			await terminal.keys('Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
			await terminal.waitFor('(3/3 ticked)');
			// The other database's name is refused at this one's window.
			await terminal.type('pool');
			await terminal.keys('Enter');
			await terminal.waitFor('is not the database name (users)');
			await terminal.keys('BSpace', 'BSpace', 'BSpace', 'BSpace');
			await terminal.type('users');
			await terminal.keys('Enter');

			// The second window: its own database, its own name; the preparation was ticked once, at the first.
			const second = await terminal.waitFor(/pool 2\/2 · db pool[\s\S]*Type the database name/);
			assert.match(second, /migrations\/split\/pool/);
			assert.doesNotMatch(second, /Preparation \(0\/3/);
			await terminal.type('pool');
			await terminal.keys('Enter');

			// Each database's backup and pre checks, with a go for each before any upgrade.
			const usersPre = await terminal.waitFor(/users 1\/2[\s\S]*Press Enter to proceed/, 60_000);
			assert.match(usersPre, /Pre-validation/);
			await terminal.keys('Enter');
			await terminal.waitFor(/pool 2\/2[\s\S]*Press Enter to proceed/, 60_000);
			await terminal.keys('Enter');

			// Both upgrade; the prompts come last database first.
			const poolPrompt = await terminal.waitFor(/pool 2\/2[\s\S]*Enter to choose/, 60_000);
			assert.match(poolPrompt, /step 6 of 7 · Rollback/);
			await terminal.keys('Enter');
			await terminal.waitFor(/users 1\/2[\s\S]*Enter to choose/, 60_000);
			await terminal.keys('Enter');

			const summary = await terminal.waitFor('versions consistent');
			assert.match(summary, /✓ UPGRADED/);
			assert.match(summary, /✓ users: upgraded · 0002_accounts_status/);
			assert.match(summary, /✓ pool: upgraded · 0002_unique_unit_slot/);
			// The steps each database went through, kept above under its name (the last of them still on screen).
			assert.match(summary, /\[users\] – Rollback +\d+ ms +kept/);
			await terminal.keys('q');
			const end = await terminal.waitFor(exitPattern);
			assert.equal(exitPattern.exec(end)?.[1], '0');

			const records = readdirSync(path.join(dir, 'records')).filter(f => f.endsWith('.jsonl'));
			assert.equal(records.length, 1);
			const lines = readJournal(readFileSync(path.join(dir, 'records', records[0]!), 'utf8'));
			const confirmed = lines.flatMap(l => l.event.type === 'database.event' && (l.event['event'] as {type: string}).type === 'operator.window-confirmed'
				? [`${String(l.event['database'])}:${String((l.event['event'] as {typedName: string}).typedName)}`] : []);
			assert.deepEqual(confirmed, ['users:users', 'pool:pool']);
			assert.equal(lines.at(-1)?.event['outcome'], 'upgraded');
		} finally {
			terminal.close();
		}
	});
});
