import type pg from 'pg';
import {blocksReads, blocksWrites, isLockMode, lockModes, type LockMode} from '../../engine/lock-impact.js';
import type {LockTrace, RelationName, TracedLock, TracedMigration, TracedStatement} from '../../engine/lock-trace.js';
import {CutoverError} from '../../errors/index.js';
import type {Migrator} from '../../ports/migrator.js';
import {concurrentIndexTable, leadingWords, nonTransactional} from '../../sql/non-transactional.js';
import {readMigrationFolder, type FormatName, type MigrationSource} from '../migrator/migration-files.js';
import {messageOf, type Statement} from '../migrator/session.js';
import {historyInStep, toolHistory} from '../migrator/tool-history.js';
import {connectPostgres} from './connect.js';
import type {PostgresTarget} from './postgres-target.js';

export type TraceOptions = {
	/** The scratch copy: the trace opens the one session that runs traced statements on it. */
	scratch: PostgresTarget;
	/** The migrator opened on the same scratch copy: it plans and applies each migration for real after its trace. */
	migrator: Migrator;
	directory: string;
	format: FormatName | null;
	signal?: AbortSignal;
	onStep?: (line: string) => void;
};

/** Every relation outside PostgreSQL's own schemas, with its file: a rewrite gives it a new one. */
const relationsSql = `SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind, pg_relation_filenode(c.oid)::text AS filenode
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** The relation locks this session holds (granted or waited for), with each relation's file now and, for an index, its table. */
const locksSql = `SELECT l.relation::text AS oid, l.mode, l.granted, pg_relation_filenode(l.relation)::text AS filenode, i.indrelid::text AS "table"
	FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = l.relation
	WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`;

type Relation = RelationName & {filenode: string | null};
type LockRow = {oid: string; mode: string; granted: boolean; filenode: string | null; table: string | null};

/** The rule for what runs outside a transaction: every CONCURRENTLY form (and a plain VACUUM) takes SHARE UPDATE EXCLUSIVE. */
export const concurrentRule = 'runs outside a transaction; takes SHARE UPDATE EXCLUSIVE, blocks no reads or writes';

/**
 * Traces every pending migration of the scratch copy, in order. A migration in a transaction
 * runs one statement at a time in a transaction of its own that is rolled back at the end;
 * after each statement the session's relation locks are read from pg_locks, and each locked
 * relation's file is compared with its file before the statement (a new relfilenode: a
 * rewrite). Then the migration is applied for real through the migrator, so the next one is
 * traced on the schema it will meet. A migration outside a transaction is not run to trace it
 * (nothing of it could be rolled back): its statements are judged from known rules, then it is
 * applied. A failure stops the trace there: later migrations would not meet their schema.
 */
export async function traceMigrations(options: TraceOptions): Promise<LockTrace> {
	const client = await connectPostgres(options.scratch, {application_name: 'cutover lint --trace'});
	try {
		// Only the migrator shares the copy, and it is idle while a statement is traced: a wait means something is wrong.
		await client.query('SET lock_timeout = \'30s\'');
		return await traceAll(client, options);
	} finally {
		await client.end().catch(() => undefined);
	}
}

async function traceAll(client: pg.Client, options: TraceOptions): Promise<LockTrace> {
	const {migrator} = options;
	const plan = await migrator.plan();
	if (plan.adoption !== undefined) {
		throw new CutoverError('the target has tables but no cutover_migrations: cutover does not know which migrations it is at, and would trace the first on top of them', {
			hint: 'adopt it first (cutover import, or cutover baseline --to <migration>), or trace the folder from nothing with --empty',
		});
	}

	const folder = await readMigrationFolder(options.directory, 'postgres', {format: options.format});
	const sources = new Map(folder.sources.map(source => [source.name, source]));
	// What the target has: the copy's relations before the first pending migration.
	const original = new Set((await relations(client)).keys());
	// The history table cutover makes with the first migration (maragu's, goose's beside Go code), which a migration may use
	// (maragu's often alter it): made in each traced transaction as the run makes it, before the migration's statements.
	const history = historyInStep(folder.format, [], folder.sources.some(source => source.up.kind === 'external'));
	const migrations: TracedMigration[] = [];
	let stopped: string | null = null;
	for (const [position, pending] of plan.pending.entries()) {
		if (options.signal?.aborted === true) {
			throw new CutoverError('the trace was stopped', {hint: 'nothing was changed on the target; run it again'});
		}

		const source = sources.get(pending.name);
		if (stopped !== null || source === undefined) {
			migrations.push({name: pending.name, transaction: source?.up.transaction ?? true, statements: [], problem: stopped ?? 'its files were not found when the folder was read again'});
			continue;
		}

		options.onStep?.(`tracing ${position + 1}/${plan.pending.length} ${pending.name}`);
		// eslint-disable-next-line no-await-in-loop -- each migration is traced on the schema the ones before it left
		const traced = await traceOne(client, source, original, toolHistory({engine: 'postgres'}, history, folder.sources, source.name, 'up')?.before ?? []);
		if (source.up.kind === 'external') {
			// Nothing after it can be traced on a copy that lacks what it does.
			stopped = `not traced: it comes after ${source.name}, Go code only goose runs, which the trace cannot apply to the copy`;
			migrations.push(traced);
			continue;
		}

		if (traced.problem === null && !traced.statements.some(s => s.status === 'failed')) {
			try {
				// eslint-disable-next-line no-await-in-loop
				await migrator.up(source.name, {runId: `lock-trace-${process.pid}`, appliedBy: 'cutover lint --trace'});
			} catch (error) {
				traced.problem = `applying it on the scratch copy after its trace failed: ${messageOf(error)}`;
			}
		}

		if (traced.problem !== null || traced.statements.some(s => s.status === 'failed')) {
			stopped = `not traced: ${source.name} failed on the scratch copy, so this one would not meet its schema`;
		}

		migrations.push(traced);
	}

	return {migrations, appliedBefore: plan.applied.length};
}

async function traceOne(client: pg.Client, source: MigrationSource, original: ReadonlySet<string>, tool: readonly Statement[]): Promise<TracedMigration> {
	const {up} = source;
	if (up.kind === 'external') {
		return {name: source.name, transaction: true, statements: [{index: 1, text: `${source.name} (goose Go)`, status: 'not-traced', reason: 'Go code that only goose runs; its statements and locks are not known', mode: null, relation: null}], problem: null};
	}

	if (!up.transaction) {
		if (up.kind === 'module') {
			return {name: source.name, transaction: false, statements: [{index: 1, text: `${source.name} (module)`, status: 'not-traced', reason: 'a module that runs outside a transaction; its statements and locks are not known', mode: null, relation: null}], problem: null};
		}

		return {name: source.name, transaction: false, statements: up.statements.map((text, i) => outsideTransaction(text, i + 1)), problem: null};
	}

	const statements: TracedStatement[] = [];
	await client.query('BEGIN');
	try {
		for (const statement of tool) {
			try {
				// eslint-disable-next-line no-await-in-loop -- in order, as the run sends them
				await client.query(statement.sql, statement.params === undefined ? undefined : [...statement.params]);
			} catch (error) {
				return {name: source.name, transaction: true, statements: [], problem: `keeping the folder's tool history on the scratch copy failed: ${messageOf(error)}`};
			}
		}

		const atStart = await relations(client);
		const firstTaken = new Map<string, number>();
		let index = 0;
		const trace = async (text: string, params?: readonly unknown[]) => {
			index++;
			// The first statement meets the relations as the transaction began: nothing ran between.
			const before = index === 1 ? atStart : await relations(client);
			let rows: Array<Record<string, unknown>>;
			try {
				rows = (await client.query(text, params === undefined ? undefined : [...params])).rows as Array<Record<string, unknown>>;
			} catch (error) {
				statements.push({index, text, status: 'failed', error: messageOf(error)});
				throw new TraceFailed();
			}

			const locks = (await client.query<LockRow>(locksSql)).rows;
			statements.push({index, text, status: 'traced', locks: heldLocks(locks, {atStart, before, original, firstTaken, index})});
			return rows;
		};

		try {
			if (up.kind === 'sql') {
				for (const text of up.statements) {
					// eslint-disable-next-line no-await-in-loop -- one statement at a time, locks read after each
					await trace(text);
				}
			} else {
				// A backfill runs only outside a transaction, and such a migration is not run here (it is reported as not traced).
				await up.run({engine: 'postgres', name: source.name, query: trace, backfill: async () => {
					throw new Error('backfill() runs outside a transaction, and a traced migration runs inside one');
				}});
			}
		} catch (error) {
			if (!(error instanceof TraceFailed)) {
				// A module that threw on its own: the statements so far are traced, the migration failed.
				return {name: source.name, transaction: true, statements, problem: `failed on the scratch copy: ${messageOf(error)}`};
			}
		}

		return {name: source.name, transaction: true, statements, problem: null};
	} finally {
		await client.query('ROLLBACK');
	}
}

class TraceFailed extends Error {}

type LockContext = {
	/** Relations at the start of this migration's transaction: one made inside it is seen by no one else before COMMIT. */
	atStart: ReadonlyMap<string, Relation>;
	before: ReadonlyMap<string, Relation>;
	original: ReadonlySet<string>;
	/** oid and mode → the statement that first took it. */
	firstTaken: Map<string, number>;
	index: number;
};

/**
 * Per relation there before this migration: the strongest mode the transaction holds after the
 * statement (what other sessions wait for while it runs), the modes the statement itself added,
 * and whether it rewrote the relation. A mode already held from an earlier statement shows no
 * new row in pg_locks: such a statement is shown with the lock it runs under.
 */
function heldLocks(rows: readonly LockRow[], context: LockContext): TracedLock[] {
	const {atStart, before, original, firstTaken, index} = context;
	const byRelation = new Map<string, {mode: LockMode; granted: boolean; rewrite: boolean; heldSince: number; taken: LockMode[]; table: string | null}>();
	for (const row of rows) {
		if (!atStart.has(row.oid) || !isLockMode(row.mode)) {
			continue;
		}

		const key = `${row.oid}:${row.mode}`;
		if (!firstTaken.has(key)) {
			firstTaken.set(key, index);
		}

		const heldSince = firstTaken.get(key)!;
		const previousFile = before.get(row.oid)?.filenode ?? null;
		// A dropped relation has no file any more: that is no rewrite.
		const rewrite = row.filenode !== null && previousFile !== null && row.filenode !== previousFile;
		const entry = byRelation.get(row.oid) ?? {mode: row.mode, granted: row.granted, rewrite: false, heldSince, taken: [], table: row.table};
		if (lockModes.indexOf(row.mode) > lockModes.indexOf(entry.mode)) {
			Object.assign(entry, {mode: row.mode, granted: row.granted, heldSince});
		}

		entry.rewrite ||= rewrite;
		if (heldSince === index) {
			entry.taken.push(row.mode);
		}

		byRelation.set(row.oid, entry);
	}

	const locks: TracedLock[] = [];
	for (const [oid, held] of byRelation) {
		const relation = atStart.get(oid)!;
		// An index whose table is held as strongly says nothing more, unless it alone was rebuilt.
		const table = held.table === null ? undefined : byRelation.get(held.table);
		if (table !== undefined && lockModes.indexOf(table.mode) >= lockModes.indexOf(held.mode) && (!held.rewrite || table.rewrite)) {
			continue;
		}

		// A weak lock an earlier statement took is no news here; a blocking one still blocks while this statement runs.
		if (held.taken.length === 0 && !held.rewrite && !blocksReads(held.mode) && !blocksWrites(held.mode)) {
			continue;
		}

		const taken = [...held.taken].sort((a, b) => lockModes.indexOf(b) - lockModes.indexOf(a));
		locks.push({schema: relation.schema, name: relation.name, kind: relation.kind, mode: held.mode, granted: held.granted, heldSince: held.heldSince, taken, rewrite: held.rewrite, onTarget: original.has(oid)});
	}

	return locks.sort((a, b) => lockModes.indexOf(b.mode) - lockModes.indexOf(a.mode) || a.name.localeCompare(b.name));
}

async function relations(client: pg.Client): Promise<Map<string, Relation>> {
	const rows = (await client.query<Relation & {oid: string}>(relationsSql)).rows;
	return new Map(rows.map(({oid, ...relation}) => [oid, relation]));
}

/** A statement of a migration outside a transaction, judged without running it. */
function outsideTransaction(text: string, index: number): TracedStatement {
	const kind = nonTransactional(text, 'postgres');
	const words = leadingWords(text, 3);
	const concurrent = kind !== null && kind.includes('CONCURRENTLY');
	// VACUUM without FULL takes SHARE UPDATE EXCLUSIVE too; VACUUM FULL rewrites under ACCESS EXCLUSIVE.
	const plainVacuum = words[0] === 'VACUUM' && !/\bfull\b/i.test(text);
	if (concurrent || plainVacuum) {
		return {index, text, status: 'not-traced', reason: concurrentRule, mode: 'ShareUpdateExclusiveLock', relation: concurrentIndexTable(text)};
	}

	return {index, text, status: 'not-traced', reason: 'runs outside a transaction (a no-transaction migration), so it cannot be rolled back; its lock is not known', mode: null, relation: null};
}
