import {blocksReads, blocksWrites, judgeStatement, lockModes, worstLevel, type LockImpact, type LockMode, type RelationSize, type Verdict, type VerdictLevel} from './lock-impact.js';

/** A relation as pg_class names it; `kind` is relkind (r table, i index, S sequence, v view, m materialized view, p partitioned). */
export type RelationName = {schema: string; name: string; kind: string};

/** The strongest lock a traced statement's transaction holds on one relation, right after the statement. */
export type TracedLock = RelationName & {
	/** The strongest mode held on it while the statement runs, whichever statement of the migration took it. */
	mode: LockMode;
	granted: boolean;
	/** 1-based statement of the migration that first took this mode. */
	heldSince: number;
	/** The modes this statement added (pg_locks rows that were not there before it), strongest first. */
	taken: LockMode[];
	/** The relation's file changed during this statement (pg_class.relfilenode): it was rewritten. */
	rewrite: boolean;
	/** It was there before the first pending migration, so the target has it; false: an earlier pending migration made it. */
	onTarget: boolean;
};

export type TracedStatement = {index: number; text: string} & (
	| {status: 'traced'; locks: TracedLock[]}
	/** Not run: outside a transaction nothing can be rolled back. `mode` is the lock known for it, when known. */
	| {status: 'not-traced'; reason: string; mode: LockMode | null; relation: string | null}
	| {status: 'failed'; error: string}
);

export type TracedMigration = {
	name: string;
	/** False for a migration marked no-transaction: its statements are judged from known rules, not run. */
	transaction: boolean;
	statements: TracedStatement[];
	/** Why it was not traced at all (an earlier migration failed), or why applying it after its trace failed. */
	problem: string | null;
};

export type LockTrace = {migrations: TracedMigration[]; appliedBefore: number};

export type JudgedLock = TracedLock & {relation: string; blocksReads: boolean; blocksWrites: boolean; size: RelationSize | 'new' | null};

export type JudgedStatement = TracedStatement & {judged: JudgedLock[]; verdict: Verdict};

export type JudgedMigration = Omit<TracedMigration, 'statements'> & {statements: JudgedStatement[]; level: VerdictLevel};

export type LockTraceReport = {
	target: string;
	scratch: string;
	migrationsDirectory: string;
	appliedBefore: number;
	migrations: JudgedMigration[];
	level: VerdictLevel;
	/** Any migration failed on the scratch copy. */
	failed: boolean;
};

/** How a relation is named to the operator: without the schema when it is public. */
export const relationLabel = (relation: {schema: string; name: string}) => relation.schema === 'public' ? relation.name : `${relation.schema}.${relation.name}`;

/** The key under which the target's sizes are looked up. */
export const sizeKey = (relation: {schema: string; name: string}) => `${relation.schema}\u0000${relation.name}`;

/** Every relation a trace names, for the target's sizes to be read (one a pending migration makes is not found there). */
export function relationsOnTarget(trace: LockTrace): Array<{schema: string; name: string}> {
	const seen = new Map<string, {schema: string; name: string}>();
	for (const migration of trace.migrations) {
		for (const statement of migration.statements) {
			if (statement.status === 'traced') {
				for (const lock of statement.locks) {
					seen.set(sizeKey(lock), {schema: lock.schema, name: lock.name});
				}
			}
		}
	}

	return [...seen.values()];
}

/** The trace with each statement's verdict, scaled by the target's sizes. */
export function judgeTrace(trace: LockTrace, sizes: ReadonlyMap<string, RelationSize>, about: Pick<LockTraceReport, 'target' | 'scratch' | 'migrationsDirectory'>): LockTraceReport {
	const migrations = trace.migrations.map(migration => judgeMigration(migration, sizes));
	return {
		...about,
		appliedBefore: trace.appliedBefore,
		migrations,
		level: migrations.reduce<VerdictLevel>((level, m) => worstLevel(level, m.level), 'ok'),
		failed: migrations.some(m => m.problem !== null || m.statements.some(s => s.status === 'failed')),
	};
}

function judgeMigration(migration: TracedMigration, sizes: ReadonlyMap<string, RelationSize>): JudgedMigration {
	const traced = migration.statements.filter(s => s.status === 'traced');
	const lastIndex = traced.at(-1)?.index ?? 0;
	const statements = migration.statements.map((statement): JudgedStatement => {
		if (statement.status === 'failed') {
			return {...statement, judged: [], verdict: {level: 'danger', text: `failed on the scratch copy: ${statement.error}`}};
		}

		if (statement.status === 'not-traced') {
			const harmless = statement.mode !== null && !blocksReads(statement.mode) && !blocksWrites(statement.mode);
			return {...statement, judged: [], verdict: {level: harmless ? 'ok' : 'caution', text: `not traced: ${statement.reason}`}};
		}

		const judged = statement.locks.map((lock): JudgedLock => ({
			...lock,
			relation: relationLabel(lock),
			blocksReads: blocksReads(lock.mode),
			blocksWrites: blocksWrites(lock.mode),
			// By name: on a copy made empty, what the folder creates may well be on the target already.
			size: sizes.get(sizeKey(lock)) ?? (lock.onTarget ? null : 'new'),
		}));
		const impacts: LockImpact[] = judged.map(lock => ({relation: lock.relation, mode: lock.mode, rewrite: lock.rewrite, heldSince: lock.heldSince, size: lock.size}));
		return {...statement, judged, verdict: judgeStatement(impacts, {index: statement.index, last: statement.index === lastIndex})};
	});
	const level = statements.reduce<VerdictLevel>((worst, s) => worstLevel(worst, s.verdict.level), migration.problem === null ? 'ok' : 'danger');
	return {...migration, statements, level};
}

/** Exit status: 0 nothing blocks beyond small tables, 1 something to look at, 2 a large table blocked or rewritten, or a migration failed. */
export function traceExitCode(report: LockTraceReport): number {
	if (report.failed || report.level === 'danger') {
		return 2;
	}

	return report.level === 'caution' ? 1 : 0;
}

export const modeRank = (mode: LockMode) => lockModes.indexOf(mode);
