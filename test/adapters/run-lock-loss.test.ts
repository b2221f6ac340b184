import assert from 'node:assert/strict';
import {renameSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, Socket} from 'node:net';
import os from 'node:os';
import {describe, test} from 'node:test';
import pg from 'pg';
import {createRunLock, lockFileFor} from '../../source/adapters/run-lock/index.js';
import type {RunLockHandle, RunLockHolder, RunLockLoss} from '../../source/ports/run-lock.js';
import {parseTarget, type Target} from '../../source/target.js';
import {startCluster} from '../support/pg-cluster.js';
import {adminUrl, createThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile} from '../support/sqlite.js';

const holder = (runId: string): RunLockHolder => ({runId, operator: 'Ana (ana)', host: os.hostname(), pid: process.pid, since: 1_700_000_000_000});
const pgTarget = (url: string): Target => parseTarget(url);

/** Resolves with the loss, or fails when none is reported within `ms` (a few seconds is the promise). */
async function lossWithin(handle: RunLockHandle, ms: number): Promise<RunLockLoss & {afterMs: number}> {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no loss reported within ${ms} ms`)), ms);
		handle.onLost(loss => {
			clearTimeout(timer);
			resolve({...loss, afterMs: Date.now() - started});
		});
	});
}

describe('a lost run lock is noticed on PostgreSQL', () => {
	test('the lock session terminated: the handle says so at once, and another run can take the lock', async () => {
		const db = await createThrowawayDatabase('cutover_lock_loss');
		try {
			const handle = await createRunLock(pgTarget(db.url)).acquire(holder('run-lost'));
			const lost = lossWithin(handle, 5000);
			const killed = await db.sql('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = \'cutover run run-lost\'');
			assert.equal(killed.rows[0]?.ok, true);
			const loss = await lost;
			assert.match(loss.detail, /^the database session holding the run lock ended: /);
			const other = await createRunLock(pgTarget(db.url)).acquire(holder('run-other'));
			await other.release();
			await handle.release();
		} finally {
			await db.drop();
		}
	});

	test('a release is not a loss', async () => {
		const db = await createThrowawayDatabase('cutover_lock_loss');
		try {
			const handle = await createRunLock(pgTarget(db.url)).acquire(holder('run-kept'));
			let lost: RunLockLoss | null = null;
			handle.onLost(loss => {
				lost = loss;
			});
			await handle.release();
			await new Promise(resolve => setTimeout(resolve, 2500));
			assert.equal(lost, null);
		} finally {
			await db.drop();
		}
	});

	test('a cut network (the server answers nothing) is found by the probe within seconds', async () => {
		const db = await createThrowawayDatabase('cutover_lock_loss');
		const server = new URL(adminUrl);
		const sockets: Socket[] = [];
		let cut = false;
		// A TCP relay to the server that can stop relaying without closing anything, as a dead link does.
		const relay = createServer(client => {
			const upstream = new Socket();
			upstream.connect(Number(server.port || 5432), server.hostname);
			sockets.push(client, upstream);
			client.on('data', chunk => {
				if (!cut) {
					upstream.write(chunk);
				}
			});
			upstream.on('data', chunk => {
				if (!cut) {
					client.write(chunk);
				}
			});
			client.on('error', () => {});
			upstream.on('error', () => {});
		});
		await new Promise<void>(resolve => relay.listen(0, '127.0.0.1', resolve));
		try {
			const url = new URL(db.url);
			url.host = `127.0.0.1:${(relay.address() as {port: number}).port}`;
			const handle = await createRunLock(pgTarget(url.toString())).acquire(holder('run-cut'));
			const lost = lossWithin(handle, 15_000);
			cut = true;
			const loss = await lost;
			assert.match(loss.detail, /did not answer a probe within 8 s/);
			assert.ok(loss.afterMs < 12_000, `seen after ${loss.afterMs} ms`);
			await handle.release();
		} finally {
			for (const socket of sockets) {
				socket.destroy();
			}

			relay.close();
			await db.drop();
		}
	});

	test('a server restart ends the session: the loss is reported, and after the restart the lock is free', async () => {
		const cluster = await startCluster({why: 'a server restart needs a server of the test\'s own', instead: 'install the PostgreSQL server binaries'});
		try {
			const admin = new pg.Client({connectionString: cluster.url});
			await admin.connect();
			await admin.query('CREATE DATABASE shop');
			await admin.end();
			const url = new URL(cluster.url);
			url.pathname = '/shop';
			const lock = createRunLock(pgTarget(url.toString()));
			const handle = await lock.acquire(holder('run-restarted'));
			const lost = lossWithin(handle, 10_000);
			cluster.restart();
			const loss = await lost;
			assert.match(loss.detail, /^the database session holding the run lock ended: /);
			assert.equal(await lock.inspect(), null, 'after the restart nobody holds the lock');
			await handle.release();
		} finally {
			cluster.stop();
		}
	});
});

describe('a lost run lock is noticed on SQLite', () => {
	for (const how of ['removed', 'replaced'] as const) {
		test(`the lock file ${how}: the handle says so within a few seconds`, async () => {
			const file = await createSqliteFile('CREATE TABLE accounts (id integer PRIMARY KEY);');
			try {
				const target: Target = {engine: 'sqlite', path: file.path, display: `sqlite:${file.path}`};
				const handle = await createRunLock(target).acquire(holder('run-file'));
				const lost = lossWithin(handle, 5000);
				const lockFile = lockFileFor(file.path);
				if (how === 'removed') {
					rmSync(lockFile);
				} else {
					writeFileSync(`${lockFile}.other`, `${JSON.stringify({...holder('run-intruder'), pid: 1})}\n`);
					renameSync(`${lockFile}.other`, lockFile);
				}

				const loss = await lost;
				assert.match(loss.detail, how === 'removed' ? /was removed$/ : /was replaced: it now names run run-intruder/);
				await handle.release();
				if (how === 'replaced') {
					assert.match(JSON.stringify(await createRunLock(target).inspect()), /run-intruder/, 'the release leaves the other run\'s file alone');
				}
			} finally {
				await file.cleanup();
			}
		});
	}
});
