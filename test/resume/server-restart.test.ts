import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import pg from 'pg';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {demoSeedSql} from '../../source/demo/seed.js';
import {parseTarget} from '../../source/target.js';
import {demoMigrations, type DemoTarget} from '../support/demo-targets.js';
import {startCluster, type Cluster} from '../support/pg-cluster.js';
import {exitPattern} from '../support/tmux.js';
import {assertChain, resume, slowMigrations, startRun, waitForExit} from './interrupted-runs.js';

/** The demo's starting point on a cluster of the test's own, which it may restart. */
async function demoOnCluster(cluster: Cluster): Promise<DemoTarget> {
	const admin = new pg.Client({connectionString: cluster.url});
	await admin.connect();
	await admin.query('CREATE DATABASE shop');
	await admin.end();
	const url = new URL(cluster.url);
	url.pathname = '/shop';
	const migrator = await openMigrator({target: parseTarget(url.toString()), directory: demoMigrations});
	try {
		await migrator.up('0001_create_users_and_meters', {runId: 'demo-setup', appliedBy: 'test setup'});
	} finally {
		await migrator.close();
	}

	const rows = async (sql: string) => {
		const client = new pg.Client({connectionString: url.toString()});
		await client.connect();
		try {
			return (await client.query(sql)).rows as Array<Record<string, unknown>>;
		} finally {
			await client.end();
		}
	};

	await rows(demoSeedSql);
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-restart-'));
	return {engine: 'postgres', db: url.toString(), name: 'shop', dir, rows, cleanup: async () => rmSync(dir, {recursive: true, force: true})};
}

describe('the server restarts while the console waits at a gate', () => {
	it('the run notices the lost lock within seconds, stops resumable, and a resume retakes the lock and finishes', async () => {
		const cluster = await startCluster({why: 'a server restart needs a server of the test\'s own', instead: 'install the PostgreSQL server binaries'});
		const target = await demoOnCluster(cluster);
		const run = await startRun(target, slowMigrations(target), false);
		try {
			await run.terminal.waitFor('Type the database name');
			const restarted = Date.now();
			cluster.restart();
			const screen = await run.terminal.waitFor(exitPattern, 15_000);
			await waitForExit(run.pid);
			assert.ok(Date.now() - restarted < 15_000);
			assert.equal(exitPattern.exec(screen)?.[1], '1', screen);
			assert.match(screen, /stopped because the run lock was lost/);

			const {lines} = assertChain(run.journal);
			assert.deepEqual(lines.slice(-2).map(l => l.kind), ['run-lock.lost', 'run.interrupted']);
			assert.match((lines.at(-2)?.event as {detail: string}).detail, /database session holding the run lock ended/);
			assert.ok(!lines.some(l => l.kind === 'error' || l.kind === 'backup.started'), 'nothing ran against the restarted server');

			const resumed = resume(target, run.journal);
			assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
			const after = assertChain(run.journal).lines;
			assert.ok(after.some(l => l.kind === 'run-lock.retaken'));
			assert.equal((after.at(-1)?.event as {outcome?: string}).outcome, 'upgraded');
		} finally {
			run.terminal.close();
			try {
				process.kill(run.pid, 'SIGKILL');
			} catch {}

			await target.cleanup();
			cluster.stop();
		}
	});
});
