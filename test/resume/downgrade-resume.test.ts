import assert from 'node:assert/strict';
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import type {Engine} from '../../source/engine/model.js';
import {demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {assertChain, cutover, resume, startRun, waitForExit, waitForLine, type LiveRun} from './interrupted-runs.js';

/** Reverted first by the downgrade, then this one, whose down is slow enough to be killed in, then the demo's. */
const QUICK = ['0007_quick_a', '0006_quick_b'];
const SLOW_DOWN = '0005_slow_down';

function migrations(target: DemoTarget): string {
	const dir = path.join(target.dir, 'migrations');
	cpSync(demoMigrations, dir, {recursive: true});
	writeFileSync(path.join(dir, `${SLOW_DOWN}.up.sql`), 'CREATE TABLE slow_down (id integer);\n');
	writeFileSync(path.join(dir, `${SLOW_DOWN}.down.sql`), 'SELECT pg_sleep(3);\nDROP TABLE slow_down;\n');
	// SQLite has no sleep: a few million generated rows keep the down busy for seconds.
	writeFileSync(path.join(dir, `${SLOW_DOWN}.down.sqlite.sql`), 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 8000000) SELECT count(*) FROM c;\nDROP TABLE slow_down;\n');
	for (const name of QUICK) {
		writeFileSync(path.join(dir, `${name}.up.sql`), `CREATE TABLE ${name.slice(5)} (id integer);\n`);
		writeFileSync(path.join(dir, `${name}.down.sql`), `DROP TABLE ${name.slice(5)};\n`);
	}

	return dir;
}

async function logged(target: DemoTarget): Promise<string[]> {
	return (await target.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => String(r['name']));
}

const kindOf = (l: {kind: string; event: unknown}) => `${l.kind} ${(l.event as {name?: string; direction?: string}).name ?? ''} ${(l.event as {direction?: string}).direction ?? ''}`.trim();

for (const engine of ['sqlite', 'postgres'] as const satisfies readonly Engine[]) {
	describe(`a downgrade stopped part way, then resumed (${engine})`, () => {
		it('SIGKILL mid-downgrade after a machine crash lost the lines synced as a group: resume reads the reverted downs back from their log rows gone, and the downgrade goes on where it stopped', async () => {
			const target = await prepareDemoTarget(engine);
			let run: LiveRun | undefined;
			try {
				run = await startRun(target, migrations(target), true, undefined, ['--at-end', 'downgrade']);
				const live = run;
				await waitForLine(live, l => l.kind === 'migration.started' && kindOf(l) === `migration.started ${SLOW_DOWN} down`, `the down of ${SLOW_DOWN} to start`);
				process.kill(live.pid, 'SIGKILL');
				await waitForExit(live.pid);

				// What a machine crash leaves: the journal as of the first down's sync (its start and all before). The
				// next downs were started within the same group, so their lines were written and not yet synced.
				const {lines: journal} = assertChain(live.journal);
				const first = journal.findIndex(l => l.kind === 'migration.started' && (l.event as {direction?: string}).direction === 'down');
				assert.deepEqual(journal.slice(first).map(kindOf), [
					`migration.started ${QUICK[0]} down`, `migration.finished ${QUICK[0]} down`,
					`migration.started ${QUICK[1]} down`, `migration.finished ${QUICK[1]} down`,
					`migration.started ${SLOW_DOWN} down`,
				]);
				const text = readFileSync(live.journal, 'utf8').split('\n');
				writeFileSync(live.journal, `${text.slice(0, first + 1).join('\n')}\n`);
				// The two quick downs committed; the slow one was killed inside its transaction, which rolled back.
				assert.deepEqual(await logged(target), ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot', SLOW_DOWN]);

				const resumed = resume(target, live.journal, ['--at-end', 'downgrade']);
				const after = assertChain(live.journal).lines;
				const resumedAt = after.findIndex(l => l.kind === 'run.resumed');
				const reconciliation = (after[resumedAt]?.event as {reconciliation?: string[]}).reconciliation ?? [];
				assert.ok(reconciliation.some(l => l.startsWith(`${QUICK[0]} (down) committed before the stop: its log row says so`)), reconciliation.join('\n'));
				assert.ok(reconciliation.some(l => l.startsWith(`${QUICK[1]} (down) committed before the stop: the downgrade was running and its log row is gone`)), reconciliation.join('\n'));
				assert.match(resumed.stdout, /outcome: rolled-back/, resumed.stdout + resumed.stderr);
				// Each down once: the read-back ones right after run.resumed, the rest by the resumed downgrade, in order.
				const downs = after.filter(l => l.kind === 'migration.finished' && (l.event as {direction?: string}).direction === 'down').map(l => (l.event as {name?: string}).name);
				assert.deepEqual(downs, [...QUICK, SLOW_DOWN, '0004_meters_unique_slot', '0003_archive_duplicate_meters', '0002_users_status']);
				assert.deepEqual(await logged(target), ['0001_create_users_and_meters']);
				assert.equal((after.at(-1)?.event as {outcome?: string}).outcome, 'rolled-back');
				const verify = cutover(target, ['verify', live.journal]);
				assert.equal(verify.code, 0, verify.stdout + verify.stderr);
			} finally {
				run?.terminal.close();
				try {
					if (run) {
						process.kill(run.pid, 'SIGKILL');
					}
				} catch {
					// Already ended, as it should have.
				}

				await target.cleanup();
			}
		});
	});
}
