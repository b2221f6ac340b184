import assert from 'node:assert/strict';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import pg from 'pg';
import {createRunLock} from '../../source/adapters/run-lock/index.js';
import {parseTarget} from '../../source/target.js';
import {cutover, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertNothingLost, assertVerifies, snapshotTables} from '../support/faults.js';

const plainRun = (target: DemoTarget, extra: string[] = []) => [
	'run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name,
	'--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups'), ...extra,
];

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`one run at a time on ${engine}`, () => {
		it('a second run is refused, told who holds the database, and leaves no record; once free it runs', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const holder = await createRunLock(parseTarget(target.db)).acquire({runId: 'run-of-dana', operator: 'Dana (dana)', host: 'jump-2', pid: process.pid, since: Date.UTC(2026, 10, 22, 2, 0)});
				if (engine === 'postgres') {
					// Before its window is confirmed, the holder has written nothing: it is named by its run id and session.
					const early = cutover(target, plainRun(target));
					assert.equal(early.code, 1, early.stdout + early.stderr);
					assert.match(early.stderr, /locked by another run: a run that has not confirmed its window yet, run id run-of-dana \(/);
				}

				await holder.windowConfirmed();
				const before = await snapshotTables(target);
				const refused = cutover(target, plainRun(target));
				assert.equal(refused.code, 1, refused.stdout + refused.stderr);
				assertClearMessage(refused.stdout + refused.stderr);
				await assertNothingLost(target, before, 'the refused run');
				assert.match(refused.stderr, /Dana \(dana\)/);
				assert.match(refused.stderr, /jump-2/);
				assert.match(refused.stderr, /run-of-dana/);
				assert.deepEqual(readdirSafe(path.join(target.dir, 'records')), [], 'a refused run writes no record');
				await holder.release();

				const ran = cutover(target, plainRun(target));
				assert.equal(ran.code, 0, ran.stdout + ran.stderr);
			} finally {
				await target.cleanup();
			}
		});
	});
}

describe('lock-safe upgrade on postgres', () => {
	it('a migration that cannot get its lock is retried visibly, then fails to the rollback prompt; readers never queue for long', async () => {
		const target = await prepareDemoTarget('postgres');
		const blocker = new pg.Client({connectionString: target.db, application_name: 'reporting job'});
		await blocker.connect();
		try {
			const checklist = path.join(target.dir, 'production-short-locks.yaml');
			writeFileSync(checklist, `${readFileSync(productionChecklist, 'utf8')}\nupgrade:\n  lock-timeout: 2s\n  attempts: 2\n  backoff: 500ms\n`);
			// A long report holds users: 0002's ALTER TABLE can never get its lock.
			await blocker.query('BEGIN');
			await blocker.query('SELECT count(*) FROM users');
			const blockerPid = Number((await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);

			const before = await snapshotTables(target);
			const run = cutover(target, plainRun(target, ['--checklist', checklist]));
			assert.equal(run.code, 1, run.stdout + run.stderr);
			assertClearMessage(run.stdout + run.stderr, /up 0002_users_status FAILED: .*lock/, new RegExp(`\\b${blockerPid}\\b`), /rollback offered/, /run finished: failed/);
			const record = path.join(target.dir, 'records', readdirSafe(path.join(target.dir, 'records'))[0]!);
			const lines = readJournal(readFileSync(record, 'utf8'));
			const retries = lines.filter(l => l.kind === 'migration.retrying');
			assert.equal(retries.length, 1);
			assert.equal(retries[0]?.event['name'], '0002_users_status');
			const failed = lines.find(l => l.kind === 'migration.failed');
			assert.match(String(failed?.event['error']), /lock/);
			assert.match(String(failed?.event['error']), new RegExp(String(blockerPid)));
			assert.ok(lines.some(l => l.kind === 'rollback.offered'), 'the failure goes to the rollback prompt');
			// While it waited, the watch saw the migration queued behind the report.
			const samples = lines.filter(l => l.kind === 'watch.sampled').map(l => l.event['sample'] as {waiters: Array<{blockedBy: number[]}>});
			assert.ok(samples.some(s => s.waiters.some(w => w.blockedBy.includes(blockerPid))), 'a lock sample shows the wait');
			await blocker.query('ROLLBACK');
			assert.deepEqual((await target.rows('SELECT name FROM cutover_migrations')).map(r => r['name']), ['0001_create_users_and_meters']);
			// The fault matrix: every table as before, and a record verify accepts.
			await assertNothingLost(target, before, 'the lock timeouts');
			assertVerifies(target, record);
		} finally {
			await blocker.end();
			await target.cleanup();
		}
	});
});

function readdirSafe(dir: string): string[] {
	try {
		return readdirSync(dir).filter(f => f.endsWith('.jsonl'));
	} catch {
		return [];
	}
}
