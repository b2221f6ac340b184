// A run of 270 pending migrations in a real 80x24 terminal: the window names the first ones and
// pages through all of them on p; the upgrade says done/total, percent and the time left.
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {cli} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';

const COUNT = 270;
const name = (i: number) => `${String(i).padStart(4, '0')}_step_${i}`;

/** A SQLite database, 270 migrations (each builds a table of a few thousand rows, so the upgrade lasts long enough to watch) and a runbook without checks. */
function prepare(): {dir: string; db: string; migrations: string; checklist: string} {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-i8-long-plan-'));
	const db = path.join(dir, 'long.db');
	const sqlite = new BetterSqlite3(db);
	// Empty, a first deployment: a database with tables but no cutover history would have to be adopted first.
	sqlite.exec('VACUUM;');
	sqlite.close();
	const migrations = path.join(dir, 'migrations');
	mkdirSync(migrations);
	for (let i = 1; i <= COUNT; i++) {
		writeFileSync(path.join(migrations, `${name(i)}.up.sql`), `CREATE TABLE step_${i} AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) SELECT x FROM c;\n`);
		writeFileSync(path.join(migrations, `${name(i)}.down.sql`), `DROP TABLE step_${i};\n`);
	}

	const checklist = path.join(dir, 'long.yaml');
	writeFileSync(checklist, 'name: long\nwindow:\n  expected-minutes: 30\npreparation:\n  - id: told\n    text: The team knows the window\nchecks: {}\n');
	return {dir, db: `sqlite:${db}`, migrations, checklist};
}

describe('a plan of 270 migrations in a real 80x24 terminal', () => {
	it('names the first ones, pages through all on p, and the upgrade shows done/total, percent and an ETA', async () => {
		const {dir, db, migrations, checklist} = prepare();
		const terminal = openTerminal(
			[process.execPath, cli, 'run', '--db', db, '--migrations', migrations, '--checklist', checklist, '--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups')],
			{cwd: dir, env: {CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'}},
		);
		try {
			const window = await terminal.waitFor('Type the database name', 60_000);
			assert.match(window, /Pending 270 migrations:/);
			for (let i = 1; i <= 5; i++) {
				assert.match(window, new RegExp(`· ${name(i)} `));
			}

			assert.match(window, /…and 265 more · p: whole plan/);
			// The frame fits: its header is still on screen, not scrolled away.
			assert.match(window, /step 1 of 7 · Maintenance window/);

			// On the checklist (in the name field p is text), p opens the whole plan; PgDn pages.
			await terminal.keys('Tab');
			await terminal.waitFor('? keys · q leave');
			await terminal.keys('p');
			let page = await terminal.waitFor('Whole plan');
			const seen = new Set<string>();
			for (let turns = 0; turns < 40; turns++) {
				for (const match of page.matchAll(/\b(\d{4}_step_\d+)\b/g)) {
					seen.add(match[1]!);
				}

				if (page.includes(name(COUNT))) {
					break;
				}

				// eslint-disable-next-line no-await-in-loop -- one page after another, as the operator turns them
				await terminal.keys('NPage');
				page = terminal.screen();
			}

			assert.equal(seen.size, COUNT, `pages showed ${seen.size} of ${COUNT} migrations`);
			assert.match(page, /lines \d+–273 of 273/);
			await terminal.keys('Escape');
			await terminal.waitFor('Type the database name');

			await terminal.keys('Space');
			await terminal.waitFor('(1/1 ticked)');
			await terminal.keys('Tab');
			await terminal.type('long');
			await terminal.keys('Enter');
			await terminal.waitFor('Press Enter to proceed', 60_000);
			await terminal.keys('Enter');

			// The upgrade in motion: part done, the share in percent, and what is left from this run's pace.
			const upgrading = await terminal.waitFor(/Applying migrations: \d+\/270 done \(\d+ %\) · about .+ left \(this run\)/, 120_000);
			const [, done, percent] = /Applying migrations: (\d+)\/270 done \((\d+) %\)/.exec(upgrading)!;
			assert.ok(Number(done) > 0 && Number(done) < COUNT, upgrading);
			assert.equal(Number(percent), Math.floor((Number(done) / COUNT) * 100));
			assert.match(upgrading, /step 4 of 7 · Upgrade/);

			await terminal.waitFor('Enter to choose', 180_000);
			await terminal.keys('Enter');
			const summary = await terminal.waitFor('UPGRADED', 60_000);
			assert.match(summary, new RegExp(`Schema {3}\\(empty\\) → ${name(COUNT)}`));
			await terminal.keys('q');
			const end = await terminal.waitFor(exitPattern);
			assert.equal(exitPattern.exec(end)?.[1], '0');
		} finally {
			terminal.close();
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
