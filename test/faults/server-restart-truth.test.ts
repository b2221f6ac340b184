// The server restarts mid-run: the run notices its lost lock session instead of sending a migration down a dead
// connection, and the version it reports at the end is read on a new connection (or said to be unknown), never "none".
import assert from 'node:assert/strict';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {cli, cliEnv, type DemoTarget} from '../support/demo-targets.js';
import {startCluster, type Cluster} from '../support/pg-cluster.js';
import {openTerminal} from '../support/tmux.js';
import {filesIn, journalLines, restartCluster, startCutover, waitForKind} from '../support/faults.js';
import {SLOW, slowMigrations} from '../resume/interrupted-runs.js';
import {consoleRun, leave, plainRun, records, toUpgradeGate, withClusterTarget} from './restart-runs.js';

let cluster: Cluster;
before(async () => {
	cluster = await startCluster({why: 'the server-restart faults restart a server', instead: 'these tests need initdb/pg_ctl to start a server of their own', prefix: 'cutover-restart-'});
});
after(() => cluster.stop());

const withTarget = async (work: (target: DemoTarget) => Promise<void>) => withClusterTarget(cluster, work);

/** The version the run's last line claims is the one the database is at, or it says it does not know. */
async function assertVersionTold(target: DemoTarget, output: string) {
	const actual = (await target.rows('SELECT max(name) AS name FROM cutover_migrations'))[0]?.['name'];
	const told = /run finished: \w+; version \S+ → (\S+)/.exec(output)?.[1];
	assert.ok(told === actual || (told !== undefined && /unknown/i.test(told)), `the run says the database is at ${told}, it is at ${String(actual)}`);
}

describe('the server restarts mid-run: the run tells the truth about where it stopped', () => {
	it('mid-backup: the version after is the one the database is at', async () => withTarget(async target => {
		const holder = new pg.Client({connectionString: target.db});
		holder.on('error', () => {});
		await holder.connect();
		await holder.query('BEGIN');
		await holder.query('LOCK TABLE meters IN ACCESS EXCLUSIVE MODE');
		const run = startCutover(target, plainRun(target), records(target));
		try {
			await waitForKind(await run.journal(), 'backup.started');
			restartCluster(cluster);
			const {output} = await run.exited;
			if (!/run interrupted/.test(output)) {
				await assertVersionTold(target, output);
			}
		} finally {
			run.kill();
			await holder.end().catch(() => {});
		}
	}));

	it('mid-migration: the version after is the one the database is at', async () => withTarget(async target => {
		const run = startCutover(target, plainRun(target, ['--migrations', slowMigrations(target)]), records(target));
		try {
			await waitForKind(await run.journal(), l => l.kind === 'migration.started' && l.event['name'] === SLOW);
			restartCluster(cluster);
			const {output} = await run.exited;
			if (!/run interrupted/.test(output)) {
				await assertVersionTold(target, output);
			}
		} finally {
			run.kill();
		}
	}));

	it('at the upgrade gate: no migration is sent down a dead connection', async () => withTarget(async target => {
		const terminal = openTerminal([process.execPath, cli, ...consoleRun(target)], {cwd: target.dir, env: cliEnv(target)});
		try {
			await toUpgradeGate(terminal, target.name);
			restartCluster(cluster);
			// "Within a few seconds": the run has had the time to notice before the operator goes on.
			await new Promise(resolve => setTimeout(resolve, 4000));
			await terminal.keys('Enter');
			await leave(terminal);
			const journal = path.join(records(target), filesIn(records(target)).find(f => f.endsWith('.jsonl'))!);
			const dead = journalLines(journal).filter(l => l.kind === 'migration.failed' && /not queryable|Connection terminated|terminating connection/i.test(String(l.event['error'])));
			assert.deepEqual(dead.map(l => l.event['error']), [], 'a migration ran on a connection the restart had ended');
		} finally {
			terminal.close();
		}
	}));
});
