// The fault harness's own checks can fail: a changed row, a stack trace, a torn record are caught.
import assert from 'node:assert/strict';
import {appendFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {cutover, prepareDemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertNothingLost, assertVerifies, snapshotTables} from '../support/faults.js';

describe('the fault harness', () => {
	it('a stack trace, node internals or a missing name fail the clear-message check', () => {
		assert.throws(() => assertClearMessage('cutover: boom\n    at run (/srv/cutover/dist/source/run/flow.js:12:5)\n'));
		assert.throws(() => assertClearMessage('Error: x\n    at node:internal/process/task_queues:95:5\n'));
		assert.throws(() => assertClearMessage('cutover: unexpected error (a bug; please report it)'));
		assert.throws(() => assertClearMessage('cutover: the backup failed', /disk full/));
		assertClearMessage('cutover: the backup failed: no space left on device\n  → free space', /no space left/);
	});

	for (const engine of ['sqlite', 'postgres'] as const) {
		it(`on ${engine}, one changed value, one added row or one more table fails the nothing-lost check`, async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const before = await snapshotTables(target);
				assert.deepEqual(Object.keys(before).sort(), ['cutover_migrations', 'meters', 'users']);
				await assertNothingLost(target, before);
				// target.rows opens SQLite read-only: write there with a connection of its own.
				const change = async (sql: string) => {
					if (engine === 'postgres') {
						await target.rows(sql);
						return;
					}

					const db = new BetterSqlite3(target.db.slice('sqlite:'.length));
					try {
						db.exec(sql);
					} finally {
						db.close();
					}
				};

				await change('UPDATE meters SET reading = reading + 1 WHERE id = 1');
				await assert.rejects(assertNothingLost(target, before));
				const changed = await snapshotTables(target);
				await change('INSERT INTO users (id, email, role) VALUES (999, \'x@example.com\', \'member\')');
				await assert.rejects(assertNothingLost(target, changed));
				const grown = await snapshotTables(target);
				await change('CREATE TABLE extra (id integer)');
				await assert.rejects(assertNothingLost(target, grown));
			} finally {
				await target.cleanup();
			}
		});
	}

	it('a record with a broken line fails the verify check', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const records = path.join(target.dir, 'records');
			const run = cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')]);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			const record = path.join(records, readdirSync(records).find(f => f.endsWith('.jsonl'))!);
			assertVerifies(target, record);
			appendFileSync(record, '{"not":"a line of this chain"}\n');
			assert.throws(() => assertVerifies(target, record));
		} finally {
			await target.cleanup();
		}
	});
});
