import assert from 'node:assert/strict';
import path from 'node:path';
import {describe, it} from 'node:test';
import {cli, prepareDemoTarget} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';
import {AFTER, assertChain, assertConsistent, records, SLOW, slowMigrations, startRun, waitForExit, waitForLine} from './interrupted-runs.js';

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`the console loses its terminal mid-migration, on ${engine}`, () => {
		it('the run stops resumable after the migration commits, and resuming in a new console finishes it', async () => {
			const target = await prepareDemoTarget(engine);
			const run = await startRun(target, slowMigrations(target), false);
			try {
				await run.terminal.waitFor('Type the database name');
				await run.terminal.keys('Tab', 'Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
				await run.terminal.waitFor('(3/3 ticked)');
				await run.terminal.type(target.name);
				await run.terminal.keys('Enter');
				await run.terminal.waitFor('Press Enter to proceed', 60_000);
				await run.terminal.keys('Enter');
				await waitForLine(run, l => l.kind === 'migration.started' && (l.event as {name?: string}).name === SLOW, `${SLOW} to start`);
				// An SSH drop: the terminal is gone, Ink's next frame has nowhere to go, and SIGHUP arrives.
				run.terminal.close();
				process.kill(run.pid, 'SIGHUP');
				await waitForExit(run.pid);

				const {lines, torn} = assertChain(run.journal);
				assert.equal(torn, '');
				assert.equal(lines.at(-1)?.kind, 'run.interrupted');
				assert.ok(!lines.some(l => l.kind === 'operator.abandoned' || l.kind === 'run.finished'));
				assert.ok(!lines.some(l => l.kind === 'migration.started' && (l.event as {name?: string}).name === AFTER));
				assert.equal(await assertConsistent(target), true);

				// A new session on the jump host: the operator reads the reconciliation and types the name again.
				const again = openTerminal(
					[process.execPath, cli, 'resume', run.journal, '--records', records(target), '--backups', path.join(target.dir, 'backups')],
					{cwd: target.dir, env: {CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'}},
				);
				try {
					const asked = await again.waitFor(`Type ${target.name} to continue the upgrade`);
					assert.match(asked, /stopped by SIGHUP in upgrade/);
					await again.type(target.name);
					await again.keys('Enter');
					await again.waitFor('Enter to choose', 60_000);
					await again.keys('Enter');
					await again.waitFor('UPGRADED', 60_000);
					await again.keys('q');
					assert.equal(exitPattern.exec(await again.waitFor(exitPattern))?.[1], '0');
				} finally {
					again.close();
				}

				const after = assertChain(run.journal).lines;
				assert.equal(after.at(-1)?.kind, 'run.finished');
				assert.equal((after.at(-1)?.event as {outcome?: string}).outcome, 'upgraded');
				const applied = await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${AFTER}'`);
				assert.equal(applied.length, 1, `${AFTER} was applied by the resumed run`);
			} finally {
				run.terminal.close();
				try {
					process.kill(run.pid, 'SIGKILL');
				} catch {
					// Ended already.
				}

				await target.cleanup();
			}
		});
	});
}
