import assert from 'node:assert/strict';
import {rmSync} from 'node:fs';
import {describe, it} from 'node:test';
import pg from 'pg';
import {createRunLock, lockFileFor} from '../../source/adapters/run-lock/index.js';
import {parseTarget} from '../../source/target.js';
import {prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {exitPattern} from '../support/tmux.js';
import {assertChain, resume, slowMigrations, startRun, waitForExit} from './interrupted-runs.js';

/** Takes the run lock from under the run, as a server restart or a cleanup script would. */
async function loseLock(target: DemoTarget, runId: string): Promise<void> {
	if (target.engine === 'sqlite') {
		rmSync(lockFileFor(target.db.slice('sqlite:'.length)));
		return;
	}

	const admin = new pg.Client({connectionString: target.db});
	await admin.connect();
	try {
		const ended = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [`cutover run ${runId}`]);
		assert.deepEqual(ended.rows, [{ok: true}], 'the lock session was found and ended');
	} finally {
		await admin.end();
	}
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`the run lock lost during a console run on ${engine}`, () => {
		it('the run stops resumable and says so; a resume is refused while another run holds the lock, and goes on once it is free', async () => {
			const target = await prepareDemoTarget(engine);
			const run = await startRun(target, slowMigrations(target), false);
			try {
				await run.terminal.waitFor('Type the database name');
				const runId = assertChain(run.journal).lines[0]!.runId;
				await loseLock(target, runId);
				const screen = await run.terminal.waitFor(exitPattern, 15_000);
				await waitForExit(run.pid);
				assert.equal(exitPattern.exec(screen)?.[1], '1', screen);
				assert.match(screen.replaceAll('\n', ' ').replaceAll(/\s+/g, ' '), /stopped because the run lock was lost: .*outcome: interrupted \(resumable\)/);

				const {lines, torn} = assertChain(run.journal);
				assert.equal(torn, '');
				const kinds = lines.map(l => l.kind);
				assert.deepEqual(kinds.slice(-2), ['run-lock.lost', 'run.interrupted']);
				const lost = lines.at(-2)?.event as {detail: string};
				assert.match(lost.detail, engine === 'sqlite' ? /run lock file .* was removed/ : /database session holding the run lock ended/);
				const stop = lines.at(-1)?.event as {signal: string; step: string; detail: string};
				assert.equal(stop.step, 'window');
				assert.match(stop.detail, /^the run lock was lost \(/);

				// Meanwhile a second operator's run takes the database.
				const second = await createRunLock(parseTarget(target.db)).acquire({runId: 'run-of-dana', operator: 'Dana (dana)', host: 'jump-2', pid: process.pid, since: Date.UTC(2026, 10, 22, 2, 0)});
				await second.windowConfirmed();
				const before = assertChain(run.journal).lines.length;
				try {
					const refused = resume(target, run.journal);
					assert.equal(refused.code, 1, refused.stdout + refused.stderr);
					assert.match(refused.stderr, /is locked by another run: run run-of-dana of Dana \(dana\) on jump-2/);
					assert.equal(assertChain(run.journal).lines.length, before, 'a refused resume journals nothing');
				} finally {
					await second.release();
				}

				const resumed = resume(target, run.journal);
				assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
				assert.match(resumed.stdout, /stopped by the lost run lock in window/);
				const after = assertChain(run.journal).lines;
				assert.equal(after[before]?.kind, 'run.resumed');
				assert.equal(after[before + 1]?.kind, 'run-lock.retaken');
				assert.equal((after.at(-1)?.event as {outcome?: string}).outcome, 'upgraded');
			} finally {
				run.terminal.close();
				try {
					process.kill(run.pid, 'SIGKILL');
				} catch {}

				await target.cleanup();
			}
		});
	});
}
