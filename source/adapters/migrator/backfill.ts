import {performance} from 'node:perf_hooks';
import {CutoverError} from '../../errors/index.js';
import type {BackfillProgress, LockPolicy, LockRetry} from '../../ports/migrator.js';
import {BACKFILL_TABLE, createPositionTable, positionOf, savePositionStatement, type Position} from './backfill-position.js';
import {retryLockTimeouts} from './lock-retries.js';
import type {Session} from './session.js';
import {messageOf} from './session.js';

/** What a module passes to `backfill()`. `set` and `where` are SQL the migration's author writes, without parameters. */
export type BackfillOptions = {
	/** The table, as the catalog spells it; `schema.table` for another schema. */
	table: string;
	/** The assignments of the UPDATE: `email_lower = lower(email)`. */
	set: string;
	/** Which rows to update; all when absent. */
	where?: string;
	/** A unique, NOT NULL, orderable column (the primary key): batches follow it. Default `id`. */
	key?: string;
	/** Rows in the first batch (default 100: nothing is known of the time per row before it); later batches grow or shrink to keep under maxLockMs. */
	batchSize?: number;
	/** How long one batch may hold its row locks, from the batch sent to its commit (default 100 ms). */
	maxLockMs?: number;
	/** The largest batch, however fast they go (default 100,000). */
	maxBatchSize?: number;
};

export type BackfillResult = {
	/** Rows updated, by this attempt and the interrupted ones before it. */
	rows: number;
	/** Rows an interrupted attempt had committed before this one went on. */
	resumedFrom: number;
	batches: number;
	longestBatchMs: number;
	durationMs: number;
};

export type BackfillRun = {
	session: Session;
	migration: string;
	direction: 'up' | 'down';
	policy: LockPolicy;
	/** Each batch's lock_timeout (the migration's own, or the checklist's). */
	lockTimeoutMs: number;
	onProgress?: ((progress: BackfillProgress) => boolean) | undefined;
	/** Asked before every batch after this attempt's first: true stops there, the batches so far committed. */
	stopHere?: (() => boolean) | undefined;
	/** What to throw when it stops (the caller's MigrationStoppedError, which says what took effect). */
	stopped: () => Error;
	signal?: AbortSignal | undefined;
	/** Called before the wait that follows a batch's lock timeout, as for any statement. */
	onRetry?: ((retry: LockRetry) => void) | undefined;
	/** Milliseconds, monotonic; injected so a test can drive the batch sizes. */
	now?: () => number;
	/** How often progress is reported between the first and the last report. */
	progressEveryMs?: number;
};

const IDENTIFIER = /^[A-Za-z_][\w$]*$/;

/**
 * The share of maxLockMs a batch is sized to take. The rest is headroom for the batch that runs
 * several times slower than the ones around it (a checkpoint, the machine busy elsewhere): on a
 * shared 2-core machine, one batch in a few hundred took four times or more the time per row of
 * its neighbours on the server's own clock. A smaller share costs little: a batch's fixed cost
 * (one round trip, its commit) is about a millisecond against the tens its rows take.
 */
const TARGET_SHARE = 0.2;

/** How much a batch may grow over the one before: a run of fast batches is not trusted all at once. */
const MAX_GROWTH = 1.5;

/** The weight of the last batch in the time per row the next is sized by. */
const PACE_WEIGHT = 0.3;

/**
 * PostgreSQL: the share of wal_buffers a batch may start with, counting the WAL not yet written
 * out and what it will write itself; past it the WAL is flushed first (see flushWal). A batch that
 * finds the buffers full writes them out itself, and first waits for the WALWriteLock, which the
 * WAL writer or a committing session holds through its fsync. On the shared 2-core machine those
 * waits were the long batches (their backend's wait event, sampled every few ms: LWLock WALWrite
 * from 40 ms in to the end, 100-216 ms; a 5M-row backfill writes WAL at tens of MB/s, filling
 * 4 MB of buffers within one slow fsync). Half leaves room for the WAL other sessions write
 * meanwhile, and for a batch whose WAL per row grows (after a checkpoint each page's first change
 * logs the whole page).
 */
const WAL_SHARE = 0.5;

type Checked = Required<Omit<BackfillOptions, 'where'>> & {where: string | null; schema: string | null; name: string};

/**
 * Updates `table` in many short transactions instead of one long UPDATE: keyset batches on
 * `key`, each its own transaction under the lock timeout, which also moves the durable position
 * (cutover_backfill) to the batch's last key. A stop, a crash or a kill loses at most the batch
 * in flight, which commits whole with its position or not at all; the next attempt reads the position and goes on after it,
 * so every row is updated exactly once whatever `where` says. Batch sizes follow the time per row
 * of the batches so far (see paceAfter and nextSize), to keep each near a fifth of maxLockMs.
 */
export async function backfill(run: BackfillRun, options: BackfillOptions): Promise<BackfillResult> {
	const o = check(run.migration, options);
	const {session} = run;
	const now = run.now ?? (() => performance.now());
	const started = now();
	const table = quoted(o.schema, o.name);
	const key = `"${o.key}"`;
	const label = o.schema === null ? o.name : `${o.schema}.${o.name}`;
	await checkKey(session, o, label);
	await createPositionTable(session);
	const at: Position = await positionOf(session, run.migration, run.direction, label) ?? {lastKey: null, rows: 0, done: false};
	const resumedFrom = at.rows;
	let {lastKey, rows} = at;
	let batches = 0;
	let longest = 0;
	// PostgreSQL's own time for the longest batch's statement: the lock hold without the round trip and the client's waits.
	let longestServer = 0;
	let overBound = 0;
	let size = Math.min(o.batchSize, o.maxBatchSize);
	// Milliseconds per row, as the next batch is sized by; null until a batch has run.
	let pace: number | null = null;
	// PostgreSQL: the WAL's room and use (see WAL_SHARE); null on SQLite.
	const wal = session.engine === 'postgres' ? await walState(session) : null;
	const matching = o.where === null ? 'TRUE' : `(${o.where})`;
	let total = at.done ? rows : rows + await remaining(session, table, key, matching, lastKey);
	let lastReport = -Infinity;
	const report = (finished: boolean, force: boolean) => {
		const t = now();
		if (!force && t - lastReport < (run.progressEveryMs ?? 1000)) {
			return;
		}

		lastReport = t;
		const seconds = Math.max(t - started, 1) / 1000;
		const rate = (rows - resumedFrom) / seconds;
		total = Math.max(total, rows);
		const progress: BackfillProgress = {
			table: label, rows, total, resumedFrom, batches, batchSize: size, longestBatchMs: Math.round(longest), maxLockMs: o.maxLockMs, overBound,
			...(session.engine === 'postgres' ? {longestServerMs: Math.round(longestServer)} : {}),
			rowsPerSecond: Math.round(rate), etaMs: batches === 0 || rate <= 0 ? null : Math.round(((total - rows) / rate) * 1000), finished,
		};
		if (run.onProgress?.(progress) === false) {
			throw run.stopped();
		}
	};

	report(at.done, true);
	if (at.done) {
		return {rows, resumedFrom, batches, longestBatchMs: 0, durationMs: Math.round(now() - started)};
	}

	// Aimed well below the bound (see TARGET_SHARE).
	const target = o.maxLockMs * TARGET_SHARE;
	// A batch waiting on a row lock holds the locks of the rows it already updated: it waits no longer than it may hold them.
	const lockTimeoutMs = Math.min(run.lockTimeoutMs, o.maxLockMs);
	const batchAfterBatch = async (): Promise<BackfillResult> => {
		for (;;) {
			if (batches > 0 && run.stopHere?.() === true) {
				throw run.stopped();
			}

			if (wal !== null && batches > 0) {
				if (walFull(size, wal)) {
					// eslint-disable-next-line no-await-in-loop -- between batches, holding no row lock
					await flushWal(session, {migration: run.migration, direction: run.direction, table: label});
					wal.unwritten = 0;
				}
			}

			let outcome: Batch = {n: 0, upper: null, serverMs: null, wal: null};
			let heldMs = 0;
			// eslint-disable-next-line no-await-in-loop -- batches run in order, each after the last commit
			const attempts = await retryLockTimeouts({
				policy: run.policy,
				signal: run.signal,
				onRetry: run.onRetry,
				isLockTimeout: error => !(error instanceof CutoverError) && session.isLockTimeout(error),
				describe: error => `backfill of ${label}, batch ${batches + 1}: ${messageOf(error)}`,
				async attempt() {
					const begun = now();
					const sql = {table, key, matching, set: o.set};
					const position = {migration: run.migration, direction: run.direction, table: label, rows};
					// PostgreSQL: one statement, its own transaction; SQLite: a few, in BEGIN IMMEDIATE.
					outcome = session.engine === 'postgres'
						? await postgresBatch(session, sql, position, lastKey, size)
						: await session.transaction(async () => sqliteBatch(session, sql, position, lastKey, size), {lockTimeoutMs});
					heldMs = now() - begun;
				},
			});
			if (!attempts.ok) {
				const why = attempts.lockTimedOut
					? `gave up waiting for a lock after ${attempts.attempts} attempts of ${run.policy.maxAttempts} (lock timeout ${lockTimeoutMs} ms)`
					: messageOf(attempts.error);
				throw new Error(`backfill of ${label} stopped at batch ${batches + 1} (after key ${describeKey(lastKey)}): ${why}; the ${rows} rows of its committed batches stay updated, and the next attempt goes on after them`, {cause: attempts.error});
			}

			const {n, upper} = outcome;
			// The look that finds nothing left is no batch.
			if (n > 0 || upper !== null) {
				batches++;
				longest = Math.max(longest, heldMs);
				longestServer = Math.max(longestServer, outcome.serverMs ?? 0);
				overBound += heldMs > o.maxLockMs ? 1 : 0;
			}

			if (wal !== null && outcome.wal !== null) {
				// Per row of this batch, counting the WAL others wrote meanwhile: an estimate on the safe side.
				wal.perRow = Math.max(0, outcome.wal.inserted - wal.inserted) / Math.max(n, 1);
				wal.inserted = outcome.wal.inserted;
				wal.unwritten = outcome.wal.unwritten;
			}

			rows += n;
			if (upper === null) {
				report(true, true);
				return {rows, resumedFrom, batches, longestBatchMs: Math.round(longest), durationMs: Math.round(now() - started)};
			}

			lastKey = upper;
			// Per row updated: the bound counts matching rows, so n is the batch's size but for a row changed meanwhile.
			// Sized by the server's time where there is one: the client's own waits to be scheduled hold no lock.
			pace = paceAfter(pace, outcome.serverMs ?? heldMs, Math.max(n, 1), o.maxLockMs / 2);
			size = nextSize(size, pace, target, o.maxBatchSize);
			report(false, batches === 1);
		}
	};

	if (session.engine !== 'postgres') {
		return batchAfterBatch();
	}

	// Each batch a single statement in autocommit: one round trip, its own transaction, under the lock timeout.
	// A batch and its position are one commit, lost together if the server crashes before it reaches disk, never
	// one without the other: a batch need not wait for its flush. The log row's commit, later, waits for them all.
	return session.autocommit(async () => {
		await session.run('SET synchronous_commit = off');
		// No JIT: the planner prices a batch by its guess of the rows (a third of the table for the first, which has no
		// lower key), and on a 5M-row table compiling the plan held the first batch's locks 90 ms for 100 rows.
		await session.run('SET jit = off');
		try {
			return await batchAfterBatch();
		} finally {
			await session.run('RESET synchronous_commit').catch(() => undefined);
			await session.run('RESET jit').catch(() => undefined);
		}
	}, {lockTimeoutMs});
}

/**
 * The time per row the next batch is sized by: an average over the last batches, each moving it
 * 30% of the way, so neither one lucky batch nor one stalled by the machine resizes the next on
 * its own (sizing each batch from the last alone doubled the size after a fast one, and the next
 * could land on a slow spell). A batch that held its locks past `overshootMs` is believed at once:
 * the spell that slowed it (a checkpoint, the machine busy elsewhere) may go on.
 */
export function paceAfter(previous: number | null, heldMs: number, rows: number, overshootMs: number): number {
	const observed = Math.max(heldMs, 0.01) / Math.max(rows, 1);
	if (previous === null) {
		return observed;
	}

	if (heldMs > overshootMs) {
		return Math.max(previous, observed);
	}

	return previous + ((observed - previous) * PACE_WEIGHT);
}

/**
 * Rows for the next batch: what the target takes at that pace. It grows by half at most over the
 * last batch, and shrinks at once, however far, when the pace says the last one overshot.
 */
export function nextSize(size: number, msPerRow: number, targetMs: number, maxBatchSize: number): number {
	const fits = targetMs / Math.max(msPerRow, 1e-6);
	return Math.max(1, Math.min(maxBatchSize, Math.round(Math.min(size * MAX_GROWTH, fits))));
}

/**
 * PostgreSQL: whether the WAL not yet written out, and what the next batch writes at the last one's
 * WAL per row, would fill more than WAL_SHARE of wal_buffers: then it is flushed first, between
 * batches (see flushWal). The size stays the time's to set: the WAL per row counts what other
 * sessions wrote meanwhile, and on a busy server it would shrink every batch for WAL not its own.
 */
export function walFull(size: number, wal: {buffers: number; unwritten: number; perRow: number}): boolean {
	return wal.unwritten + (wal.perRow * size) > wal.buffers * WAL_SHARE;
}

/**
 * Rows updated, and the batch's last key; null: fewer than a batch were left, and this one took them all.
 * serverMs: the statement's time as PostgreSQL measured it, from its start to its last row (null on SQLite).
 * wal: where the WAL stood after it, in bytes (null on SQLite).
 */
type Batch = {n: number; upper: unknown; serverMs: number | null; wal: {inserted: number; unwritten: number} | null};

/** wal_buffers in bytes; the WAL inserted so far (its position); how much of it was not yet written out; bytes per row of the last batch. */
type WalState = {buffers: number; inserted: number; unwritten: number; perRow: number};

async function walState(session: Session): Promise<WalState> {
	const row = (await session.run(`SELECT pg_size_bytes(current_setting('wal_buffers'))::float8 AS buffers,
	(pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::float8 AS inserted, (pg_current_wal_insert_lsn() - pg_current_wal_lsn())::float8 AS unwritten`))[0];
	return {buffers: Number(row?.['buffers']), inserted: Number(row?.['inserted']), unwritten: Number(row?.['unwritten']), perRow: 0};
}

/**
 * Writes out and flushes the WAL so far, between batches: the wait for it, and for the WAL writer's
 * fsync before it, holds no row lock. A commit that wrote WAL, synchronous, flushes everything
 * before it; the position row is this backfill's own, so its update waits for no one. 'local': the
 * buffers are this server's, a synchronous standby has no say in them.
 */
async function flushWal(session: Session, at: Omit<PositionOf, 'rows'>): Promise<void> {
	try {
		await session.run('SET synchronous_commit = local');
		try {
			await session.run(`UPDATE ${BACKFILL_TABLE} SET updated_at = now() WHERE migration = $1 AND direction = $2 AND table_name = $3`, [at.migration, at.direction, at.table]);
		} finally {
			await session.run('SET synchronous_commit = off');
		}
	} catch {
		// Only a shorter next batch depends on it; a session that is really gone fails the next batch, with its retries.
	}
}

type Sql = {table: string; key: string; matching: string; set: string};

/** Which position a batch moves: the migration's, for this table. */
type PositionOf = {migration: string; direction: 'up' | 'down'; table: string; rows: number};

/**
 * A key range: its upper end is the size-th matching key after the last one (an index scan on
 * the key), and the UPDATE covers (last, upper] by the same index, re-checking `where` on each
 * row as it is locked. The range, not a list of keys, is what the position records. No upper
 * end (fewer rows left than a batch): up to the last key there is, and the position is done.
 * On PostgreSQL bound, UPDATE and position are one statement: one round trip between BEGIN and COMMIT.
 */
async function postgresBatch(session: Session, {table, key, matching, set}: Sql, at: PositionOf, lastKey: unknown, size: number): Promise<Batch> {
	const params: unknown[] = [];
	const p = (value: unknown) => {
		params.push(value);
		return `$${params.length}`;
	};

	const after = lastKey === null ? '' : `${key} > ${p(lastKey)} AND `;
	const offset = p(size - 1);
	const rows = await session.run(`WITH bound AS MATERIALIZED (
	SELECT ${key} AS upper FROM ${table} WHERE ${after}${matching} ORDER BY ${key} LIMIT 1 OFFSET ${offset}
), changed AS (
	UPDATE ${table} SET ${set}
	WHERE ${after}${key} <= (SELECT coalesce((SELECT upper FROM bound), (SELECT ${key} FROM ${table} ORDER BY ${key} DESC LIMIT 1))) AND ${matching}
	RETURNING 1
), saved AS (
	INSERT INTO ${BACKFILL_TABLE} (migration, direction, table_name, last_key, rows, done)
	SELECT ${p(at.migration)}, ${p(at.direction)}, ${p(at.table)}, coalesce((SELECT upper::text FROM bound), ${p(lastKey)}::text), ${p(at.rows)}::bigint + (SELECT count(*) FROM changed), NOT EXISTS (SELECT FROM bound)
	ON CONFLICT (migration, direction, table_name) DO UPDATE SET last_key = excluded.last_key, rows = excluded.rows, done = excluded.done, updated_at = now()
	RETURNING 1
)
SELECT (SELECT upper::text FROM bound) AS upper, (SELECT count(*) FROM changed)::int AS n, (SELECT count(*) FROM saved)::int AS saved,
	-- Last, so the CTEs above have run when the clock is read.
	(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8 AS server_ms,
	(pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::float8 AS wal_inserted, (pg_current_wal_insert_lsn() - pg_current_wal_lsn())::float8 AS wal_unwritten`, params);
	const row = rows[0];
	if (Number(row?.['saved']) !== 1) {
		throw new Error(`the position in ${BACKFILL_TABLE} was not written with the batch`);
	}

	return {
		n: Number(row?.['n'] ?? 0), upper: row?.['upper'] ?? null, serverMs: Number(row?.['server_ms'] ?? 0),
		wal: {inserted: Number(row?.['wal_inserted']), unwritten: Number(row?.['wal_unwritten'])},
	};
}

/** SQLite: BEGIN IMMEDIATE holds the write lock, so the range found is the range updated; its statements cost no round trip. */
async function sqliteBatch(session: Session, {table, key, matching, set}: Sql, at: PositionOf, lastKey: unknown, size: number): Promise<Batch> {
	const after = lastKey === null ? '' : `${key} > ? AND `;
	const from = lastKey === null ? [] : [lastKey];
	const bound = await session.run(`SELECT ${key} AS upper FROM ${table} WHERE ${after}${matching} ORDER BY ${key} LIMIT 1 OFFSET ?`, [...from, size - 1]);
	const upper = bound[0]?.['upper'] ?? null;
	await session.run(`UPDATE ${table} SET ${set} WHERE ${after}${upper === null ? '' : `${key} <= ? AND `}${matching}`, upper === null ? from : [...from, upper]);
	const n = Number((await session.run('SELECT changes() AS n'))[0]?.['n'] ?? 0);
	const save = savePositionStatement(session, at.migration, at.direction, at.table, {lastKey: upper ?? lastKey, rows: at.rows + n, done: upper === null});
	await session.run(save.sql, save.params);
	return {n, upper, serverMs: null, wal: null};
}

async function remaining(session: Session, table: string, key: string, matching: string, lastKey: unknown): Promise<number> {
	const mark = session.engine === 'postgres' ? '$1' : '?';
	const rows = await session.run(`SELECT count(*) AS n FROM ${table} WHERE ${lastKey === null ? '' : `${key} > ${mark} AND `}${matching}`, lastKey === null ? [] : [lastKey]);
	return Number(rows[0]?.['n'] ?? 0);
}

/** The key must single out one row each and never be NULL, or batches could skip or repeat rows. */
async function checkKey(session: Session, o: Checked, label: string): Promise<void> {
	if (session.engine === 'postgres') {
		const rows = await session.run(`SELECT c.oid IS NOT NULL AS table_there, a.attnum IS NOT NULL AS column_there, coalesce(a.attnotnull, false) AS not_null,
	EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum AND i.indpred IS NULL) AS unique_key
FROM (SELECT to_regclass($1) AS oid) c LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $2 AND NOT a.attisdropped`, [quoted(o.schema, o.name), o.key]);
		const row = rows[0] ?? {};
		judgeKey(label, o.key, Boolean(row['table_there']), Boolean(row['column_there']), Boolean(row['not_null']) && Boolean(row['unique_key']));
		return;
	}

	if (o.key === 'rowid') {
		return;
	}

	const schema = o.schema ?? 'main';
	const columns = await session.run('SELECT name, pk, "notnull" AS not_null, upper(type) AS type, (SELECT count(*) FROM pragma_table_info(?, ?) WHERE pk > 0) AS pks FROM pragma_table_info(?, ?) WHERE name = ?', [o.name, schema, o.name, schema, o.key]);
	const tables = await session.run('SELECT count(*) AS n FROM pragma_table_list WHERE schema = ? AND name = ?', [schema, o.name]);
	const column = columns[0];
	const unique = column !== undefined && (
		(Number(column['pk']) === 1 && Number(column['pks']) === 1 && (column['type'] === 'INTEGER' || Number(column['not_null']) === 1))
		|| (Number(column['not_null']) === 1 && (await session.run('SELECT 1 FROM pragma_index_list(?, ?) AS l WHERE l."unique" = 1 AND l.partial = 0 AND (SELECT count(*) FROM pragma_index_info(l.name, ?)) = 1 AND (SELECT name FROM pragma_index_info(l.name, ?)) = ?', [o.name, schema, schema, schema, o.key])).length > 0));
	judgeKey(label, o.key, Number(tables[0]?.['n'] ?? 0) > 0, column !== undefined, unique);
}

function judgeKey(table: string, key: string, tableThere: boolean, columnThere: boolean, unique: boolean): void {
	if (!tableThere) {
		throw new Error(`backfill: there is no table ${table}; name it as the catalog spells it (schema.table for another schema), after the statement that creates it`);
	}

	if (!columnThere) {
		throw new Error(`backfill: ${table} has no column ${key} to batch on; pass key: the name of its primary key (or another unique, NOT NULL column)`);
	}

	if (!unique) {
		throw new Error(`backfill: ${table}.${key} is not a unique NOT NULL column (a primary key, or a NOT NULL column with a unique index of its own); batches on it could skip or repeat rows: pass the primary key as key`);
	}
}

function check(migration: string, options: BackfillOptions): Checked {
	const fail = (what: string) => {
		throw new Error(`backfill in ${migration}: ${what}`);
	};

	if (typeof options !== 'object' || options === null) {
		fail('pass one object: backfill({table, set, where, key, batchSize, maxLockMs})');
	}

	const {table, set, where, key = 'id', batchSize = 100, maxLockMs = 100, maxBatchSize = 100_000} = options;
	const parts = typeof table === 'string' ? table.split('.') : [];
	if (parts.length < 1 || parts.length > 2 || !parts.every(p => IDENTIFIER.test(p))) {
		fail(`table must be a table name, or schema.table (got ${JSON.stringify(table)})`);
	}

	if (typeof key !== 'string' || !IDENTIFIER.test(key)) {
		fail(`key must be a column name (got ${JSON.stringify(key)})`);
	}

	if (typeof set !== 'string' || set.trim() === '') {
		fail('set must be the UPDATE\'s assignments as SQL, e.g. set: "email_lower = lower(email)"');
	}

	if (where !== undefined && (typeof where !== 'string' || where.trim() === '')) {
		fail('where must be an SQL condition, e.g. where: "email_lower IS NULL", or left out to update every row');
	}

	for (const [name, value, max] of [['batchSize', batchSize, 1_000_000], ['maxLockMs', maxLockMs, 600_000], ['maxBatchSize', maxBatchSize, 1_000_000]] as const) {
		if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
			fail(`${name} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)})`);
		}
	}

	const [first, second] = parts as [string, string | undefined];
	return {table, set, where: where ?? null, key, batchSize, maxLockMs, maxBatchSize, schema: second === undefined ? null : first, name: second ?? first};
}

function quoted(schema: string | null, name: string): string {
	return schema === null ? `"${name}"` : `"${schema}"."${name}"`;
}

function describeKey(key: unknown): string {
	return key === null ? '(none yet)' : String(key);
}
