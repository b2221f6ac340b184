import assert from 'node:assert/strict';
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertVerifies} from '../support/faults.js';
import {assertChain, resume, startRun, waitForExit, waitForLine, type LiveRun} from './interrupted-runs.js';

const NOTX = '0005_no_transaction_steps';

/** The demo's migrations and one outside a transaction whose second statement is slow enough to be caught. */
function migrations(target: DemoTarget): string {
	const dir = path.join(target.dir, 'migrations');
	cpSync(demoMigrations, dir, {recursive: true});
	writeFileSync(path.join(dir, `${NOTX}.up.sql`), [
		'-- cutover: no-transaction',
		'CREATE TABLE IF NOT EXISTS step_one (id integer);',
		'INSERT INTO step_one SELECT 2 FROM pg_sleep(3);',
		'CREATE TABLE IF NOT EXISTS step_three (id integer);',
		'CREATE INDEX CONCURRENTLY IF NOT EXISTS step_three_id ON step_three (id);',
		'',
	].join('\n'));
	writeFileSync(path.join(dir, `${NOTX}.down.sql`), 'DROP TABLE IF EXISTS step_three;\nDROP TABLE IF EXISTS step_one;\n');
	return dir;
}

type Line = {kind: string; event: unknown};
const ev = (l: Line) => l.event as Record<string, unknown>;
const ofNotx = (l: Line) => ev(l)['name'] === NOTX;
const startedIndexes = (lines: Line[]) => lines.filter(l => l.kind === 'migration.statement-started' && ofNotx(l)).map(l => ev(l)['index']);

async function withRun(target: DemoTarget, work: (run: LiveRun) => Promise<void>) {
	const run = await startRun(target, migrations(target), true);
	try {
		await work(run);
	} finally {
		run.terminal.close();
		try {
			process.kill(run.pid, 'SIGKILL');
		} catch {
			// Already ended.
		}
	}
}

describe('a no-transaction migration interrupted mid-way on postgres', () => {
	it('a hang-up during statement 2 stops after it commits; resume goes on at statement 3 and finishes the run', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			await withRun(target, async run => {
				await waitForLine(run, l => l.kind === 'migration.statement-started' && ofNotx(l) && ev(l)['index'] === 2, 'statement 2 to start');
				run.terminal.close();
				process.kill(run.pid, 'SIGHUP');
				await waitForExit(run.pid);

				const {lines: before} = assertChain(run.journal);
				assert.equal(before.at(-1)?.kind, 'run.interrupted', before.map(l => l.kind).join(' '));
				assert.deepEqual(startedIndexes(before), [1, 2], 'statement 3 never started');
				assert.ok(before.some(l => l.kind === 'migration.statement-finished' && ofNotx(l) && ev(l)['index'] === 2), 'statement 2 ran to its commit');
				assert.ok(!before.some(l => (l.kind === 'migration.finished' || l.kind === 'migration.failed') && ofNotx(l)));
				// Its first two statements stay; no log row, no step_three.
				assert.deepEqual(await target.rows('SELECT id FROM step_one'), [{id: 2}]);
				assert.equal((await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${NOTX}'`)).length, 0);
				assert.equal((await target.rows('SELECT to_regclass(\'step_three\') IS NULL AS absent'))[0]?.['absent'], true);

				const resumed = resume(target, run.journal);
				assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
				assertClearMessage(resumed.stdout + resumed.stderr, new RegExp(`${NOTX} \\(up\\) runs outside a transaction and stopped part way: statements 1\\.\\.2 of 4 committed`), /goes on at statement 3 of 4/, /outcome: upgraded/);
				const {lines: after, torn} = assertChain(run.journal);
				assert.equal(torn, '');
				assert.deepEqual(after.slice(0, before.length), before);
				assert.deepEqual(startedIndexes(after.slice(before.length)), [3, 4], 'the resume ran statements 3 and 4 only');
				assert.equal(ev(after.at(-1)!)['outcome'], 'upgraded');
			});
			assert.deepEqual(await target.rows('SELECT id FROM step_one'), [{id: 2}], 'statement 2 ran once');
			assert.equal((await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${NOTX}'`)).length, 1);
			assert.deepEqual(await target.rows('SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'step_three_id\''), [{indisvalid: true}]);
			assertVerifies(target, (await import('node:fs')).readdirSync(path.join(target.dir, 'records')).filter(f => f.endsWith('.jsonl')).map(f => path.join(target.dir, 'records', f))[0]!);
		} finally {
			await target.cleanup();
		}
	});

	it('SIGKILL during statement 2: resume says it may or may not have taken effect, runs it again, and goes on', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			await withRun(target, async run => {
				await waitForLine(run, l => l.kind === 'migration.statement-started' && ofNotx(l) && ev(l)['index'] === 2, 'statement 2 to start');
				process.kill(run.pid, 'SIGKILL');
				await waitForExit(run.pid);
				const {lines: before} = assertChain(run.journal);
				assert.deepEqual(startedIndexes(before), [1, 2]);
				const resumed = resume(target, run.journal);
				assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
				assertClearMessage(resumed.stdout + resumed.stderr, /statement 1 of 4 committed \(recorded\)/, /statement 2 was started and not recorded as finished: it may or may not have taken effect, and runs again/, /outcome: upgraded/);
				const {lines: after} = assertChain(run.journal);
				assert.deepEqual(startedIndexes(after.slice(before.length)), [2, 3, 4]);
			});
			assert.equal((await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${NOTX}'`)).length, 1);
		} finally {
			await target.cleanup();
		}
	});

	it('a hang-up during statement 2, then resume --rollback --on-failure downgrade: the migration is recorded failed with statements 1..2 in effect, and its down runs', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			await withRun(target, async run => {
				await waitForLine(run, l => l.kind === 'migration.statement-started' && ofNotx(l) && ev(l)['index'] === 2, 'statement 2 to start');
				run.terminal.close();
				process.kill(run.pid, 'SIGHUP');
				await waitForExit(run.pid);
				const {lines: before} = assertChain(run.journal);
				assert.deepEqual(startedIndexes(before), [1, 2]);
				assert.deepEqual(await target.rows('SELECT id FROM step_one'), [{id: 2}], 'statements 1 and 2 committed');

				const resumed = resume(target, run.journal, ['--rollback', '--on-failure', 'downgrade']);
				const out = resumed.stdout + resumed.stderr;
				assertClearMessage(out, /statements 1\.\.2 of 4 of 0005_no_transaction_steps took effect outside a transaction/, /outcome: rolled-back/);
				assert.doesNotMatch(out, /back to an empty schema|nothing is undone/, out);
				const {lines: after} = assertChain(run.journal);
				const added = after.slice(before.length);
				const failed = added.find(l => l.kind === 'migration.failed' && ofNotx(l));
				assert.deepEqual(ev(failed!)['tookEffect'], {statements: 2, total: 4}, added.map(l => l.kind).join(' '));
				assert.ok(added.some(l => l.kind === 'migration.finished' && ofNotx(l) && ev(l)['direction'] === 'down'), 'its down ran');
				const rolled = added.find(l => l.kind === 'rollback.finished');
				assert.match(String(ev(rolled!)['detail']), /0005_no_transaction_steps, whose statements 1\.\.2 took effect outside a transaction, by its down/);
				assert.equal(ev(after.at(-1)!)['outcome'], 'rolled-back');
			});
			assert.equal((await target.rows('SELECT to_regclass(\'step_one\') IS NULL AS absent'))[0]?.['absent'], true, 'the table statement 1 created is gone');
			assert.equal((await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${NOTX}'`)).length, 0);
		} finally {
			await target.cleanup();
		}
	});

	it('a hang-up during statement 2, the file edited, resume: refused, naming the migration and the folder; nothing ran', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			await withRun(target, async run => {
				await waitForLine(run, l => l.kind === 'migration.statement-started' && ofNotx(l) && ev(l)['index'] === 2, 'statement 2 to start');
				run.terminal.close();
				process.kill(run.pid, 'SIGHUP');
				await waitForExit(run.pid);
				const {lines: before} = assertChain(run.journal);
				// The operator "fixes" the file: a new first statement moves the others down.
				const file = path.join(target.dir, 'migrations', `${NOTX}.up.sql`);
				writeFileSync(file, readFileSync(file, 'utf8').replace('-- cutover: no-transaction\n', '-- cutover: no-transaction\nCREATE TABLE step_zero (id integer);\n'));

				const resumed = resume(target, run.journal);
				assert.notEqual(resumed.code, 0, resumed.stdout);
				assertClearMessage(resumed.stdout + resumed.stderr, new RegExp(`cannot resume: .*the up of ${NOTX} in \\S+migrations changed since this run planned it`), /statements 1\.\.2 of it may have committed and stay/, /put the file back as it was planned/);
				const {lines: after} = assertChain(run.journal);
				assert.deepEqual(after, before, 'nothing was journaled');
			});
			assert.equal((await target.rows('SELECT to_regclass(\'step_zero\') IS NULL AS absent'))[0]?.['absent'], true, 'the new statement never ran');
			assert.equal((await target.rows('SELECT to_regclass(\'step_three\') IS NULL AS absent'))[0]?.['absent'], true);
			assert.deepEqual(await target.rows('SELECT id FROM step_one'), [{id: 2}]);
		} finally {
			await target.cleanup();
		}
	});
});
