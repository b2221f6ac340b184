// Fault matrix: the PostgreSQL server restarted (pg_ctl restart -m fast) mid-backup, mid-migration and
// while the console waits at a gate, on a throwaway cluster of this file's own, never the machine's service.
// Expected: a clear message, nothing lost, and the run either failed cleanly or stopped resumable.
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {cli, cliEnv, type DemoTarget} from '../support/demo-targets.js';
import {startCluster, type Cluster} from '../support/pg-cluster.js';
import {openTerminal} from '../support/tmux.js';
import {assertClearMessage, assertMigrationsWhole, assertNothingLost, assertVerifies, demoProbes, filesIn, journalLines, restartCluster, snapshotTables, startCutover, tableExists, waitForKind} from '../support/faults.js';
import {SLOW, slowMigrations} from '../resume/interrupted-runs.js';
import {assertEndedSafely, consoleRun, leave, plainRun, records, toUpgradeGate, withClusterTarget} from './restart-runs.js';

let cluster: Cluster;
before(async () => {
	cluster = await startCluster({why: 'the server-restart faults restart a server', instead: 'these tests need initdb/pg_ctl to start a server of their own', prefix: 'cutover-restart-'});
});
after(() => cluster.stop());

const withTarget = async (work: (target: DemoTarget) => Promise<void>) => withClusterTarget(cluster, work);

describe('the server restarts mid-run', () => {
	it('mid-backup: no backup and no upgrade, every table as before, a message naming the backup, a record that verifies', async () => withTarget(async target => {
		const snapshot = await snapshotTables(target);
		// A long transaction holds meters: the backup waits on it, and the restart ends both.
		const holder = new pg.Client({connectionString: target.db});
		holder.on('error', () => {});
		await holder.connect();
		await holder.query('BEGIN');
		await holder.query('LOCK TABLE meters IN ACCESS EXCLUSIVE MODE');
		const run = startCutover(target, plainRun(target), records(target));
		try {
			const journal = await run.journal();
			await waitForKind(journal, 'backup.started');
			restartCluster(cluster);
			const {code, output} = await run.exited;
			assert.equal(code, 1, output);
			// Whichever is seen first: pg_dump's failure (the run fails) or the lost run lock (it stops resumable).
			assertClearMessage(output, /backup FAILED: .+/, /outcome: (failed|interrupted \(resumable\))/);
			// A lost lock seen while the backup is already failing still ends the run failed; a resumable stop always says why.
			assert.ok(!/outcome: interrupted/.test(output) || /RUN LOCK LOST: the database session holding the run lock ended/.test(output), `a run that stops resumable says it lost its lock:\n${output}`);
			const lines = journalLines(journal);
			assertEndedSafely(lines);
			const kinds = lines.map(l => l.kind);
			assert.ok(kinds.includes('backup.failed') && !kinds.includes('backup.finished') && !kinds.includes('upgrade.started'), kinds.join(' '));
			assert.deepEqual(filesIn(path.join(target.dir, 'backups')), [], 'no partial backup is left');
			await assertNothingLost(target, snapshot, 'the restart');
			assertVerifies(target, journal);
		} finally {
			run.kill();
			await holder.end().catch(() => {});
		}
	}));

	it('mid-migration: the migration in progress rolls back whole, the ones before stay, a message naming it, a record that verifies', async () => withTarget(async target => {
		const run = startCutover(target, plainRun(target, ['--migrations', slowMigrations(target)]), records(target));
		try {
			const journal = await run.journal();
			await waitForKind(journal, l => l.kind === 'migration.started' && l.event['name'] === SLOW);
			restartCluster(cluster);
			const {code, output} = await run.exited;
			assert.equal(code, 1, output);
			// The restart ends the run lock's session too: seen before the rollback prompt, the run stops resumable there; otherwise the prompt comes.
			assertClearMessage(output, new RegExp(`up ${SLOW} FAILED: .*(connection|terminat)`, 'i'), /rollback offered|RUN LOCK LOST: the database session holding the run lock ended/, /outcome: (failed|interrupted \(resumable\))/);
			assert.ok(!/outcome: interrupted/.test(output) || (/RUN LOCK LOST/.test(output) && !/rollback offered/.test(output)), `a run that stops resumable says it lost its lock, before any prompt:\n${output}`);
			assertEndedSafely(journalLines(journal));
			const applied = await assertMigrationsWhole(target, [...demoProbes(target), {name: SLOW, present: async () => tableExists(target, 'slow_table')}]);
			assert.deepEqual(applied, {'0002_users_status': true, '0003_archive_duplicate_meters': true, '0004_meters_unique_slot': true, [SLOW]: false});
			assertVerifies(target, journal);
		} finally {
			run.kill();
		}
	}));

	it('at the upgrade gate in the console: going on applies nothing half, the screen has no stack trace, the record verifies', async () => withTarget(async target => {
		const snapshot = await snapshotTables(target);
		const terminal = openTerminal(
			[process.execPath, cli, ...consoleRun(target)],
			{cwd: target.dir, env: cliEnv(target)},
		);
		try {
			await toUpgradeGate(terminal, target.name);
			restartCluster(cluster);
			await terminal.keys('Enter');
			// Whatever comes (the rollback prompt, a stop), the operator takes the default and leaves.
			const screens = await leave(terminal);
			assertClearMessage(screens);
			const journal = path.join(records(target), filesIn(records(target)).find(f => f.endsWith('.jsonl'))!);
			const lines = journalLines(journal);
			assertEndedSafely(lines);
			await assertMigrationsWhole(target, demoProbes(target));
			if (!lines.some(l => l.kind === 'migration.finished')) {
				await assertNothingLost(target, snapshot, 'the restart');
			}

			assertVerifies(target, journal);
		} finally {
			terminal.close();
		}
	}));
});
