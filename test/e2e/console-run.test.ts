import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {demoDuplicateIds} from '../../source/demo/seed.js';
import {packageRoot} from '../../source/package-root.js';
import {cli, prepareDemoTarget, readJournal} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`the console in a real 80x24 terminal, on ${engine}`, () => {
		it('walks the demo migration screen by screen to an upgraded database and its record', async () => {
			const target = await prepareDemoTarget(engine);
			const terminal = openTerminal(
				[process.execPath, cli, 'run', '--db', target.db, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')],
				{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'}},
			);
			try {
				// 1. The window: the fingerprint and the plan, then the operator ticks and types the name.
				const window = await terminal.waitFor('Type the database name');
				assert.match(window, /step 1 of 7 · Maintenance window/);
				assert.match(window, /Pending 3 migrations/);
				assert.match(window, engine === 'postgres' ? /system identifier \d+/ : /SQLite/);
				await terminal.keys('Tab', 'Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
				await terminal.waitFor('(3/3 ticked)');
				await terminal.type(`${target.name}x`);
				await terminal.keys('Enter');
				await terminal.waitFor(`is not the database name (${target.name})`);
				await terminal.keys('BSpace', 'Enter');

				// 2–4. Backup, verification, and the pre-checks with the duplicate meters as evidence.
				const pre = await terminal.waitFor('Press Enter to proceed', 60_000);
				assert.match(pre, /✓ Backup .*sha256/);
				assert.match(pre, /✓ Backup verification/);
				assert.match(pre, /step 3 of 7 · Pre-validation/);
				assert.match(pre, /4 offending rows/);
				for (const id of demoDuplicateIds) {
					assert.match(pre, new RegExp(`^${id}\\s`, 'm'), `evidence row ${id}`);
				}

				// 5–6. Upgrade and post-verification run through to the rollback prompt, on keep.
				await terminal.keys('Enter');
				const prompt = await terminal.waitFor('Enter to choose', 60_000);
				assert.match(prompt, /step 6 of 7 · Rollback/);
				assert.match(prompt, /› 3\. Keep as it is/);
				await terminal.keys('Enter');

				// 7. The summary, then leave.
				const summary = await terminal.waitFor('UPGRADED');
				assert.match(summary, /✓ Upgrade .*3\/3 migrations applied/);
				assert.match(summary, /✓ Post-verification/);
				assert.match(summary, /0001_create_users_and_meters → 0004_meters_unique_slot/);
				// The record, not its signature sidecars.
				const records = readdirSync(path.join(target.dir, 'records')).filter(f => f.endsWith('.jsonl'));
				assert.equal(records.length, 1);
				const record = path.join(target.dir, 'records', records[0]!);
				// Long paths wrap or shorten at 80 columns: the file name itself must be there.
				assert.match(summary.replaceAll(/\s+/g, ''), new RegExp(`Record.*${records[0]!.slice(0, 30)}`), summary);
				await terminal.keys('q');
				const end = await terminal.waitFor(exitPattern);
				assert.equal(exitPattern.exec(end)?.[1], '0');
				// There was no signing key: the run made one and, once the console closed, said where and which.
				assert.match(end.replaceAll(/\s+/g, ''), /cutover:madeasigningkeyat.*signing-key\.pem\(Ed25519,mode0600\),keyidSHA256:/, end);

				// The database really is at the new version, with the duplicates archived.
				const archived = await target.rows('SELECT id FROM meters_archive ORDER BY id');
				assert.deepEqual(archived.map(r => Number(r['id'])), demoDuplicateIds);
				assert.equal((await target.rows('SELECT name FROM cutover_migrations')).length, 4);

				// The record holds the operator's decisions as typed, and the run's end.
				const lines = readJournal(readFileSync(record, 'utf8'));
				const decisions = lines.filter(l => l.kind.startsWith('operator.')).map(l => l.event);
				assert.equal(decisions.filter(d => d.type === 'operator.prep-ticked').length, 3);
				assert.deepEqual(decisions.filter(d => d.type === 'operator.window-confirmed'), [{type: 'operator.window-confirmed', typedName: target.name}]);
				assert.deepEqual(decisions.at(-1), {type: 'operator.rollback-chosen', choice: 'keep'});
				assert.equal(lines.at(-1)?.event['outcome'], 'upgraded');
			} finally {
				terminal.close();
				await target.cleanup();
			}
		});
	});
}
