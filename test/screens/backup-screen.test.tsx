import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import type {RunEvent} from '../../source/engine/events.js';
import type {RunState} from '../../source/engine/state.js';
import {App} from '../../screens/app.js';
import {estimate} from '../../screens/backup-screen.js';
import {keys, overflowing, render, type Rendered} from '../support/render.js';
import {backupDone, backupProgress, backupStarted, fold, verified, windowConfirmed, windowEvents} from '../support/run-fixtures.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

function show(state: RunState, now = state.now, decisions: RunEvent[] = []) {
	current = render(<App state={state} now={now} onDecision={event => decisions.push(event)} onQuit={() => {}} interactive/>);
	return current;
}

const confirmed = [...windowEvents, ...windowConfirmed];
const hex = (seed: string) => seed.repeat(64).slice(0, 64);

describe('backup screen', () => {
	it('shows progress, bytes, the current table, tables done, throughput, elapsed and ETA', async () => {
		// Events one second apart: backup.started is the 8th event, progress the 9th; the clock reads 2 s after the start.
		const state = fold([...confirmed, backupStarted, backupProgress]);
		const startedAt = state.backup?.startedAt ?? 0;
		const frame = await show(state, startedAt + 2000).waitForFrame('ETA');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /step 2 of 7 · Backup · db shop/);
		assert.match(frame, /Backup {2}\/var\/backups\/cutover\/shop-r-7f3a9c21\.dump/);
		assert.match(frame, /Method {2}pg_dump --format=custom/);
		assert.match(frame, /\[█{20}░{20}\] {2}50%/);
		assert.match(frame, /600 kB of ~1\.2 MB written · tables 3\/7 · table public\.readings/);
		assert.match(frame, /300 kB\/s · elapsed 2 s · ETA 2 s/);
		assert.match(frame, /✓ Maintenance window\s+\d+ s\s+confirmed by typing shop/);
	});

	it('a parallel directory dump: the tables in flight while it runs, its files, jobs and level once written, within 80 columns', async () => {
		const started = {...backupStarted, method: 'pg_dump custom, or directory with parallel jobs from 1 GB; gzip 1'};
		const running = fold([...confirmed, started, {type: 'backup.progress', progress: {bytes: 600_000, currentTable: 'orders, customers', tablesDone: 1, tablesTotal: 3, dataDone: 500, dataTotal: 1000}}]);
		const during = await show(running).waitForFrame('tables orders');
		assert.deepEqual(overflowing(during), []);
		assert.match(during, /tables 1\/3 \(~50 % of the data\) · tables orders, customers/);
		current?.unmount();
		const files = [{name: '3356.dat.gz', bytes: 700_000, sha256: hex('cd34')}, {name: 'toc.dat', bytes: 500_000, sha256: hex('ef56')}];
		const finished: RunEvent = {type: 'backup.finished', artifact: {path: '/var/backups/cutover/shop-r-7f3a9c21.dump', format: 'pg-directory', bytes: 1_200_000, sha256: hex('ab12'), sourceCounts: {}, files, jobs: 2, compression: {method: 'gzip', level: 1}}, durationMs: 2000};
		const frame = await show(fold([...confirmed, started, finished])).waitForFrame('Backup written');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /Method {2}pg_dump custom, or directory with parallel jobs from 1 GB; gzip 1\n/);
		assert.match(frame, /✓ Backup written: 1\.2 MB in 2 files \(2 jobs, gzip 1\), manifest ab12ab12ab12…/);
	});

	it('before pg_dump starts, the table whose rows are being counted comes first, within 80 columns', async () => {
		const counting = fold([...confirmed, backupStarted, {type: 'backup.progress', progress: {bytes: 0, estimatedBytes: 1_200_000, tablesDone: 0, tablesTotal: 7, dataDone: 0, dataTotal: 1000, countingTable: 'billing.invoice_line_items_archive_2024'}}]);
		const frame = await show(counting).waitForFrame('counting rows');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /counting rows of billing\.invoice_line_items_archive_2024 · 0 B written · /);
		// An older record has no such field: the line is as before.
		current?.unmount();
		const old = await show(fold([...confirmed, backupStarted, backupProgress])).waitForFrame('ETA');
		assert.doesNotMatch(old, /counting/);
	});

	it('shows SQLite pages instead of tables', async () => {
		const state = fold([...confirmed, {...backupStarted, method: 'sqlite backup API'}, {type: 'backup.progress', progress: {bytes: 4096, pagesDone: 1, pagesTotal: 4, estimatedBytes: 16_384}}]);
		const frame = await show(state).waitForFrame('pages');
		assert.match(frame, /pages 1\/4/);
		assert.doesNotMatch(frame, /tables/);
	});

	it('lists the verification and says the upgrade is blocked when it fails, whatever key is pressed', async () => {
		const decisions: RunEvent[] = [];
		const state = fold([...confirmed, ...backupDone, verified(false)]);
		const screen = show(state, state.now, decisions);
		const frame = await screen.waitForFrame('Upgrade blocked: the backup did not verify');
		assert.deepEqual(overflowing(frame), []);
		assert.match(frame, /step 2 of 7 · Backup verification/);
		assert.match(frame, /✓ sha256 {2}matches the file on disk/);
		assert.match(frame, /✗ pg_restore --list {2}pg_restore: error: input file appears to be corrupt/);
		assert.match(frame, /✓ Backup written: 1\.2 MB, sha256 ab12ab12ab12…/);
		for (const key of [keys.enter, ' ', 'y', 's', 'o']) {
			screen.stdin.write(key);
		}

		await new Promise(resolve => setImmediate(resolve));
		assert.deepEqual(decisions, []);
		assert.match(screen.lastFrame(), /Upgrade blocked/);
	});

	it('says the backup is being verified, then moves the backup into the finished lines', async () => {
		const state = fold([...confirmed, ...backupDone]);
		const frame = await show(state).waitForFrame('Verifying the backup…');
		assert.match(frame, /✓ Backup\s+\d+ s\s+backup 1\.2 MB sha256 ab12ab12ab12…/);
	});

	it('shows a failed backup and why the upgrade cannot go on', async () => {
		const state = fold([...confirmed, backupStarted, {type: 'backup.failed', error: 'pg_dump exited with 1: permission denied for table secrets'}]);
		const frame = await show(state).waitForFrame('Backup failed');
		assert.match(frame, /✗ Backup failed: pg_dump exited with 1: permission denied/);
		assert.match(frame, /✗ Upgrade blocked: there is no backup\./);
		assert.deepEqual(overflowing(frame), []);
	});

	it('estimates the rate and time left from bytes and elapsed time', () => {
		assert.deepEqual(estimate(500, 1000, 1000), {bytesPerSecond: 500, etaMs: 1000});
		assert.deepEqual(estimate(500, undefined, 1000), {bytesPerSecond: 500, etaMs: null});
		assert.deepEqual(estimate(0, 1000, 1000), {bytesPerSecond: null, etaMs: null});
	});
});
