import assert from 'node:assert/strict';
import {cpSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {describeEvent} from '../../source/journal/describe-event.js';
import type {RunEvent} from '../../source/engine/events.js';
import {demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {assertChain, resume, startRun, waitForExit, waitForLine} from './interrupted-runs.js';

const BACKFILL = '0005_backfill_readings';
const ROWS = 20_000;

/** The demo's migrations and a module that backfills a 20,000-row table in batches of 500, slowed by the counting trigger. */
function migrations(target: DemoTarget): string {
	const dir = path.join(target.dir, 'migrations');
	cpSync(demoMigrations, dir, {recursive: true});
	writeFileSync(path.join(dir, `${BACKFILL}.mjs`), `export const transaction = false;
export async function up({query, backfill}) {
	await query('ALTER TABLE readings ADD COLUMN IF NOT EXISTS watts_x2 integer');
	await backfill({table: 'readings', set: 'watts_x2 = watts * 2', batchSize: 500, maxBatchSize: 500, maxLockMs: 60000});
}
export async function down({query}) {
	await query('ALTER TABLE readings DROP COLUMN IF EXISTS watts_x2');
}
`);
	return dir;
}

/** Each row counts its updates; the sleep keeps the backfill going for seconds, long enough to be killed in the middle. */
async function seed(target: DemoTarget): Promise<void> {
	await target.rows(`CREATE TABLE readings (id integer PRIMARY KEY, watts integer NOT NULL, updates integer NOT NULL DEFAULT 0);
INSERT INTO readings (id, watts) SELECT g, g FROM generate_series(1, ${ROWS}) g;
CREATE FUNCTION count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.0003); NEW.updates := OLD.updates + 1; RETURN NEW; END $$;
CREATE TRIGGER readings_updates BEFORE UPDATE ON readings FOR EACH ROW EXECUTE FUNCTION count_update();`);
}

type Line = {kind: string; event: unknown};
const ev = (l: Line) => l.event as Record<string, unknown>;
const progress = (lines: Line[]) => lines.filter(l => l.kind === 'migration.backfill-progress' && ev(l)['name'] === BACKFILL).map(ev);

describe('a backfill killed mid-way on postgres', () => {
	it('SIGKILL between batches: cutover resume goes on after the last committed batch; every row updated exactly once; progress in the record', async () => {
		const target = await prepareDemoTarget('postgres');
		try {
			await seed(target);
			const run = await startRun(target, migrations(target), true);
			try {
				// The report after the first batch, then a little more: killed with batches committed and the rest to do.
				await waitForLine(run, l => l.kind === 'migration.backfill-progress' && Number(ev(l)['batches']) >= 1, 'the first batch to commit');
				await new Promise(resolve => {
					setTimeout(resolve, 1500);
				});
				process.kill(run.pid, 'SIGKILL');
				await waitForExit(run.pid);
			} finally {
				run.terminal.close();
			}

			// The batch in flight is one statement: the server finishes it (and commits it, with its position) or not at all.
			// Read once the killed run's sessions are gone.
			// eslint-disable-next-line no-await-in-loop -- polling
			for (let i = 0; i < 200 && Number((await target.rows('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'))[0]?.['n']) > 0; i++) {
				// eslint-disable-next-line no-await-in-loop -- polling
				await new Promise(resolve => {
					setTimeout(resolve, 50);
				});
			}

			const {lines: before} = assertChain(run.journal);
			assert.ok(!before.some(l => l.kind === 'migration.finished' && ev(l)['name'] === BACKFILL), 'killed before the migration finished');
			const position = await target.rows('SELECT rows::int AS rows, done FROM cutover_backfill');
			assert.equal(position.length, 1);
			const done = Number(position[0]?.['rows']);
			assert.ok(done >= 500 && done < ROWS && done % 500 === 0, `committed batches: ${done} rows`);
			assert.equal(position[0]?.['done'], false);
			// What committed is exactly the position.
			assert.deepEqual(await target.rows('SELECT count(*) FILTER (WHERE updates = 1)::int AS once, count(*) FILTER (WHERE updates > 1)::int AS twice FROM readings'), [{once: done, twice: 0}]);

			const resumed = resume(target, run.journal);
			assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
			assert.match(resumed.stdout + resumed.stderr, /outcome: upgraded/);
			assert.deepEqual(
				await target.rows('SELECT count(*)::int AS rows, count(*) FILTER (WHERE updates = 1)::int AS once, count(*) FILTER (WHERE watts_x2 = watts * 2)::int AS filled FROM readings'),
				[{rows: ROWS, once: ROWS, filled: ROWS}],
			);
			assert.deepEqual(await target.rows('SELECT count(*)::int AS n FROM cutover_backfill'), [{n: 0}], 'the position went with the log row');

			const {lines: after} = assertChain(run.journal);
			const first = progress(before);
			const second = progress(after.slice(before.length));
			assert.deepEqual(first[0], {type: 'migration.backfill-progress', name: BACKFILL, direction: 'up', table: 'readings', rows: 0, total: ROWS, resumedFrom: 0, batches: 0, batchSize: 500, longestBatchMs: 0, longestServerMs: 0, maxLockMs: 60_000, overBound: 0, rowsPerSecond: 0, etaMs: null, finished: false});
			assert.equal(second[0]?.['resumedFrom'], done, 'the resume went on after the committed batches');
			const last = second.at(-1)!;
			assert.equal(last['finished'], true);
			assert.equal(last['rows'], ROWS);
			assert.equal(last['batches'], (ROWS - done) / 500);
			assert.match(describeEvent(last as unknown as RunEvent), /^up 0005_backfill_readings backfill readings: 20,000 of 20,000 rows \(100 %\) · done in \d+ batches, longest \d+ ms · went on after [\d,]+$/);
		} finally {
			await target.cleanup();
		}
	});
});
