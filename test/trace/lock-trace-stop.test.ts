// A trace stopped while a statement runs on its copy (real PostgreSQL): the copy is dropped at
// once, which ends that statement, rather than after it; nothing of the copy is left. One whose
// copy cannot be dropped says which and how to drop it.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import pg from 'pg';
import type {PostgresTarget} from '../../source/adapters/postgres/postgres-target.js';
import {TraceCopyLeftError} from '../../source/errors/index.js';
import {traceOnCopy} from '../../source/lock-trace/measure-locks.js';
import {parseTarget} from '../../source/target.js';
import {adminUrl, createThrowawayDatabase} from '../support/postgres.js';

describe('a lock trace stopped mid-statement, on real PostgreSQL', () => {
	// Without the drop at once the statement would hold the trace for ten minutes: the guard fails the case long before.
	it('drops its copy at once, ending the statement, and rejects', {timeout: 120_000}, async () => {
		const database = await createThrowawayDatabase('cutover_trace_stop');
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-trace-stop-'));
		const admin = new pg.Client({connectionString: adminUrl});
		await admin.connect();
		try {
			writeFileSync(path.join(dir, '0001_slow.up.sql'), 'SELECT pg_sleep(600);\n');
			writeFileSync(path.join(dir, '0001_slow.down.sql'), 'SELECT 1;\n');
			const target = parseTarget(database.url) as PostgresTarget;
			const stop = new AbortController();
			// Stopped as the first statement goes to the copy.
			const tracing = traceOnCopy(target, {
				directory: dir, format: null, empty: false, signal: stop.signal, application: 'cutover test (trace stop)',
				onStep() {
					stop.abort();
				},
			});
			await assert.rejects(tracing);
			const left = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`cutover_lt_${process.pid}_%`]);
			assert.deepEqual(left.rows, []);
			const sleeping = await admin.query('SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()', ['SELECT pg_sleep(600)%']);
			assert.deepEqual(sleeping.rows, []);
		} finally {
			await admin.end();
			await database.drop();
			rmSync(dir, {recursive: true, force: true});
		}
	});

	it('rejects naming the copy it could not drop, and how to drop it', {timeout: 120_000}, async () => {
		const database = await createThrowawayDatabase('cutover_trace_left');
		const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-trace-left-'));
		const admin = new pg.Client({connectionString: adminUrl});
		await admin.connect();
		let copy: string | undefined;
		try {
			// Short: with the drop refused, nothing ends the statement, and the trace ends when it does.
			writeFileSync(path.join(dir, '0001_slow.up.sql'), 'SELECT pg_sleep(3);\n');
			writeFileSync(path.join(dir, '0001_slow.down.sql'), 'SELECT 1;\n');
			const target = parseTarget(database.url) as PostgresTarget;
			const stop = new AbortController();
			let marked: Promise<void> | undefined;
			const tracing = traceOnCopy(target, {
				directory: dir, format: null, empty: false, signal: stop.signal, application: 'cutover test (trace left)',
				onStep() {
					// A template database cannot be dropped: the copy's drop fails as on a server that refuses it.
					marked ??= (async () => {
						copy = (await admin.query<{datname: string}>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`cutover\\_lt\\_${process.pid}\\_%`])).rows[0]?.datname;
						await admin.query(`ALTER DATABASE "${copy}" WITH IS_TEMPLATE true`);
						stop.abort();
					})();
				},
			});
			await assert.rejects(tracing, (error: unknown) => error instanceof TraceCopyLeftError
				&& error.message.startsWith('the trace was stopped; ')
				&& error.message.includes(`could not be dropped`) && error.message.includes(`drop it with DROP DATABASE "${copy}"`));
			await marked;
		} finally {
			if (copy !== undefined) {
				await admin.query(`ALTER DATABASE "${copy}" WITH IS_TEMPLATE false`);
				await admin.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`);
			}

			await admin.end();
			await database.drop();
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
