// A batched backfill against one plain UPDATE of the same table, on PostgreSQL, with an
// application reading and writing single rows meanwhile: `npm run bench:backfill [-- --rows N]`.
// Goals: no batch holds its row locks longer than 100 ms; the backfill takes at most twice the
// plain UPDATE's time.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, tmpdir} from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import pg from 'pg';
import {openMigrator} from '../source/adapters/migrator/index.js';
import type {BackfillProgress} from '../source/ports/migrator.js';
import {parseTarget} from '../source/target.js';
import {createThrowawayDatabase} from '../test/support/postgres.js';
import {cleanUp, onCleanup} from './cleanup.js';
import {table} from './report.js';

const {values} = parseArgs({options: {
	rows: {type: 'string', default: '5000000'},
	'max-lock-ms': {type: 'string', default: '100'},
}});
const rows = wholeNumber('--rows', values.rows);
const maxLockMs = wholeNumber('--max-lock-ms', values['max-lock-ms']);

/** Latencies (ms) of the application's single-row reads and writes over one phase. */
type Load = {reads: number[]; writes: number[]};
type Phase = {ms: number; longestLockMs: number; longestServerMs: number | null; batches: number; overBound: number; load: Load};

const started = Date.now();
try {
	const database = await createThrowawayDatabase('cutover_bench_backfill');
	onCleanup(`database ${database.name}`, async () => database.drop());
	const version = (await database.sql('SHOW server_version')).rows[0]?.['server_version'] as string;
	console.error(`node ${process.version}, ${cpus().length} cores, PostgreSQL ${version}, ${rows.toLocaleString('en-US')} rows per table, maxLockMs ${maxLockMs}`);
	for (const name of ['plain', 'batched']) {
		console.error(`seeding ${name}…`);
		// eslint-disable-next-line no-await-in-loop -- one table at a time, the machine is small
		await database.sql(`CREATE TABLE ${name} (id bigint PRIMARY KEY, watts integer NOT NULL, touched integer NOT NULL DEFAULT 0, watts_x2 integer);
INSERT INTO ${name} (id, watts) SELECT g, g % 5000 FROM generate_series(1, ${rows}) g`);
		// eslint-disable-next-line no-await-in-loop
		await database.sql(`VACUUM ANALYZE ${name}`);
	}

	const idle = await withLoad(database.url, 'plain', async () => {
		await new Promise(resolve => {
			setTimeout(resolve, 2000);
		});
	});

	console.error('one plain UPDATE…');
	await database.sql('CHECKPOINT');
	const plain = await withLoad(database.url, 'plain', async () => {
		const client = new pg.Client({connectionString: database.url});
		await client.connect();
		try {
			await client.query('UPDATE plain SET watts_x2 = watts * 2');
		} finally {
			await client.end();
		}
	});

	console.error('the batched backfill…');
	await database.sql('CHECKPOINT');
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-bench-backfill-'));
	onCleanup(dir, () => rmSync(dir, {recursive: true, force: true}));
	writeFileSync(path.join(dir, '0001_backfill.mjs'), `export const transaction = false;
export async function up({backfill}) {
	await backfill({table: 'batched', set: 'watts_x2 = watts * 2', maxLockMs: ${maxLockMs}});
}
`);
	const migrator = await openMigrator({target: parseTarget(database.url), directory: dir});
	onCleanup('the migrator', async () => migrator.close());
	let last: BackfillProgress | undefined;
	const batched = await withLoad(database.url, 'batched', async () => {
		await migrator.up('0001_backfill', {runId: 'bench', appliedBy: 'bench', onBackfill(progress) {
			last = progress;
			if (!progress.finished && progress.batches > 0) {
				console.error(`  ${progress.rows.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} rows, batch ${progress.batchSize}, longest ${progress.longestBatchMs} ms`);
			}

			return true;
		}});
	});

	// Both did the whole job, or the figures compare nothing.
	for (const name of ['plain', 'batched']) {
		// eslint-disable-next-line no-await-in-loop
		const done = Number((await database.sql(`SELECT count(*) FILTER (WHERE watts_x2 = watts * 2) AS n FROM ${name}`)).rows[0]?.['n']);
		if (done !== rows) {
			throw new Error(`${name}: ${done} of ${rows} rows updated`);
		}
	}

	if (last?.finished !== true || last.rows !== rows) {
		throw new Error(`the backfill reported ${last?.rows ?? 0} rows of ${rows}, finished: ${String(last?.finished)}`);
	}

	const plainPhase: Phase = {ms: plain.ms, longestLockMs: plain.ms, longestServerMs: null, batches: 1, overBound: plain.ms > maxLockMs ? 1 : 0, load: plain.load};
	const batchedPhase: Phase = {ms: batched.ms, longestLockMs: last.longestBatchMs, longestServerMs: last.longestServerMs ?? null, batches: last.batches, overBound: last.overBound, load: batched.load};
	console.log(report(idle.load, plainPhase, batchedPhase));
	console.log(`\nwhole bench: ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
	process.exitCode = 1;
	console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
	await cleanUp();
}

/**
 * Runs `work` while one session reads single rows by key and another updates single rows (as
 * an application does), back to back; returns how long `work` took and each request's latency.
 */
async function withLoad(url: string, name: string, work: () => Promise<void>): Promise<{ms: number; load: Load}> {
	const reader = new pg.Client({connectionString: url});
	const writer = new pg.Client({connectionString: url});
	await reader.connect();
	await writer.connect();
	const load: Load = {reads: [], writes: []};
	let going = true;
	const loop = async (client: pg.Client, sql: string, into: number[]) => {
		while (going) {
			const id = 1 + Math.floor(Math.random() * rows);
			const start = performance.now();
			// eslint-disable-next-line no-await-in-loop -- one request at a time, as one application session
			await client.query(sql, [id]);
			into.push(performance.now() - start);
		}
	};

	const loops = Promise.all([
		loop(reader, `SELECT watts, touched FROM ${name} WHERE id = $1`, load.reads),
		loop(writer, `UPDATE ${name} SET touched = touched + 1 WHERE id = $1`, load.writes),
	]);
	const start = performance.now();
	try {
		await work();
	} finally {
		going = false;
	}

	const ms = performance.now() - start;
	await loops;
	await reader.end();
	await writer.end();
	return {ms, load};
}

function report(idle: Load, plain: Phase, batched: Phase): string {
	const ratio = batched.ms / plain.ms;
	const cell = (values: number[], p: number) => values.length === 0 ? '-' : percentile(values, p).toFixed(1);
	const lines = table([
		['', 'idle (2 s)', 'plain UPDATE', 'backfill', 'goal'],
		['total s', '-', (plain.ms / 1000).toFixed(1), (batched.ms / 1000).toFixed(1), ''],
		['time ÷ plain UPDATE', '-', '1.00', ratio.toFixed(2), '≤ 2.0'],
		['longest lock hold ms', '-', plain.longestLockMs.toFixed(0), batched.longestLockMs.toFixed(0), `≤ ${maxLockMs}`],
		['… as PostgreSQL timed it', '-', '-', batched.longestServerMs === null ? '-' : batched.longestServerMs.toFixed(0), ''],
		['transactions', '-', String(plain.batches), String(batched.batches), ''],
		[`… holding locks > ${maxLockMs} ms`, '-', String(plain.overBound), String(batched.overBound), '0'],
		['reader requests', String(idle.reads.length), String(plain.load.reads.length), String(batched.load.reads.length), ''],
		['reader p50 ms', cell(idle.reads, 50), cell(plain.load.reads, 50), cell(batched.load.reads, 50), ''],
		['reader p99 ms', cell(idle.reads, 99), cell(plain.load.reads, 99), cell(batched.load.reads, 99), ''],
		['reader max ms', cell(idle.reads, 100), cell(plain.load.reads, 100), cell(batched.load.reads, 100), ''],
		['writer requests', String(idle.writes.length), String(plain.load.writes.length), String(batched.load.writes.length), ''],
		['writer p99 ms', cell(idle.writes, 99), cell(plain.load.writes, 99), cell(batched.load.writes, 99), ''],
		['writer max ms', cell(idle.writes, 100), cell(plain.load.writes, 100), cell(batched.load.writes, 100), ''],
	]);
	const verdict = (ok: boolean) => ok ? 'met' : 'NOT met';
	return [
		...lines,
		'',
		`longest lock hold: ${batched.longestLockMs.toFixed(0)} ms (goal ≤ ${maxLockMs}: ${verdict(batched.longestLockMs <= maxLockMs)}); time ÷ plain UPDATE: ${ratio.toFixed(2)} (goal ≤ 2.0: ${verdict(ratio <= 2)})`,
		'A lock hold is one batch, its own transaction, from sent to committed as the client times it (so it includes the machine\'s scheduling delays); the plain UPDATE holds its row locks for its whole run. PostgreSQL\'s own time for a batch runs from its statement\'s start to its last row: the locks without the round trip and the client\'s waits to be scheduled.',
	].join('\n');
}

/** Nearest-rank percentile; 100 is the maximum. */
function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function wholeNumber(flag: string, value: string): number {
	const n = Number(value.replaceAll('_', ''));
	if (!Number.isInteger(n) || n < 1) {
		console.error(`${flag} must be a whole number of at least 1 (got ${value}), e.g. --rows 500000`);
		process.exit(2);
	}

	return n;
}
