import assert from 'node:assert/strict';
import {cpSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import pg from 'pg';
import {cutover, demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertVerifies} from '../support/faults.js';
import {assertChain, resume, startRun, waitForExit, waitForLine, type LiveRun} from './interrupted-runs.js';

const NOTX = '0005_meters_slot_index';

function migrations(target: DemoTarget): string {
	const dir = path.join(target.dir, 'migrations');
	cpSync(demoMigrations, dir, {recursive: true});
	writeFileSync(path.join(dir, `${NOTX}.up.sql`), '-- cutover: no-transaction\nCREATE INDEX CONCURRENTLY meters_slot_idx ON meters (slot);\n');
	writeFileSync(path.join(dir, `${NOTX}.down.sql`), '-- cutover: no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS meters_slot_idx;\n');
	return dir;
}

const validity = async (target: DemoTarget) =>
	target.rows('SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'meters_slot_idx\'');

/**
 * CREATE INDEX CONCURRENTLY enters the index in the catalog, then waits for every transaction
 * older than it: an open transaction elsewhere keeps it waiting, so the build can be stopped
 * mid-way, deterministically, and the index stays behind INVALID, as after a crash.
 */
describe('a CREATE INDEX CONCURRENTLY killed mid-build on postgres', () => {
	it('leaves an INVALID index that resume names and will not build over; the run again with --drop-invalid-index drops it, on the record, and builds it whole', async () => {
		const target = await prepareDemoTarget('postgres');
		const holder = new pg.Client({connectionString: target.db, application_name: 'old snapshot'});
		await holder.connect();
		let run: LiveRun | null = null;
		try {
			// An open transaction holding a snapshot: the concurrent build waits for it to end.
			await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
			await holder.query('SELECT 1');
			run = await startRun(target, migrations(target), true);
			const live = run;
			await waitForLine(live, l => l.kind === 'migration.statement-started' && (l.event as Record<string, unknown>)['name'] === NOTX, 'the concurrent build to start');
			// Until the build is in the catalog, a kill would leave nothing behind.
			// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
			for (let tries = 0; (await validity(target)).length === 0; tries++) {
				assert.ok(tries < 200, 'the index never appeared in the catalog');
				// eslint-disable-next-line no-await-in-loop -- polling
				await new Promise(resolve => setTimeout(resolve, 50));
			}

			// The machine running cutover dies: the process, and with it the build's server session
			// (a killed client alone leaves the server to finish the build once the old transaction ends).
			process.kill(live.pid, 'SIGKILL');
			await waitForExit(live.pid);
			const stopped = await holder.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query LIKE \'%CREATE INDEX CONCURRENTLY meters_slot_idx%\' AND pid <> pg_backend_pid()');
			assert.deepEqual(stopped.rows, [{done: true}], 'the build\'s session was found waiting');
			await holder.query('ROLLBACK');
			assert.deepEqual(await validity(target), [{indisvalid: false}], 'the build was cut short');

			const refused = resume(target, live.journal);
			assert.notEqual(refused.code, 0, refused.stdout);
			assertClearMessage(refused.stdout + refused.stderr, /invalid-index\.found .*INVALID index .*public\.meters_slot_idx on meters/, /start the run again with --drop-invalid-index \(this run ends here\)/, /outcome: failed/);
			assert.deepEqual(await validity(target), [{indisvalid: false}], 'nothing was dropped without the operator saying so');
			const decisions = assertChain(live.journal).lines.filter(l => l.kind === 'operator.invalid-index-drop');
			assert.deepEqual(decisions, [], 'no decision was recorded for the operator');

			// As the message says: the run again, with the flag (a runbook without the demo's checks, which hold for one run only).
			const runbook = path.join(target.dir, 'index-only.yaml');
			writeFileSync(runbook, 'name: index-only\nwindow: {expected-minutes: 10}\nchecks: {}\n');
			const again = cutover(target, ['run', '--db', target.db, '--migrations', path.join(target.dir, 'migrations'), '--checklist', runbook, '--plain', '--yes', '--confirm-db', target.name, '--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups'), '--drop-invalid-index']);
			assert.equal(again.code, 0, again.stdout + again.stderr);
			assertClearMessage(again.stdout, /operator\.invalid-index-drop/, /invalid-index\.dropped .*public\.meters_slot_idx/, /outcome: upgraded/);
			assert.deepEqual(await validity(target), [{indisvalid: true}], 'built again, whole');
			assert.equal((await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${NOTX}'`)).length, 1);

			const made = readdirSync(path.join(target.dir, 'records')).filter(f => f.endsWith('.jsonl')).map(f => path.join(target.dir, 'records', f));
			assert.equal(made.length, 2, made.join(' '));
			const second = made.find(f => f !== live.journal)!;
			const {lines} = assertChain(second);
			const kinds = lines.map(l => l.kind);
			const found = kinds.indexOf('invalid-index.found');
			const decided = lines.findIndex(l => l.kind === 'operator.invalid-index-drop' && (l.event as Record<string, unknown>)['drop'] === true);
			const dropped = kinds.indexOf('invalid-index.dropped');
			assert.ok(found !== -1 && decided > found && dropped > decided, kinds.join(' '));
			assertVerifies(target, live.journal);
			assertVerifies(target, second);
		} finally {
			if (run !== null) {
				run.terminal.close();
				try {
					process.kill(run.pid, 'SIGKILL');
				} catch {
					// Already ended.
				}
			}

			await holder.end().catch(() => undefined);
			await target.cleanup();
		}
	});
});
