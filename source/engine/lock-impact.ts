import {formatBytes} from './bytes.js';
/** PostgreSQL's table-level lock modes, weakest first, as pg_locks names them. */
export const lockModes = [
	'AccessShareLock',
	'RowShareLock',
	'RowExclusiveLock',
	'ShareUpdateExclusiveLock',
	'ShareLock',
	'ShareRowExclusiveLock',
	'ExclusiveLock',
	'AccessExclusiveLock',
] as const;

export type LockMode = typeof lockModes[number];

/**
 * Which modes each mode conflicts with: PostgreSQL's table of conflicting lock modes
 * ("Explicit Locking", table 13.2), the same on every supported version.
 */
const conflicts: Record<LockMode, readonly LockMode[]> = {
	AccessShareLock: ['AccessExclusiveLock'],
	RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
	RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
	ShareUpdateExclusiveLock: ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
	ShareLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
	ShareRowExclusiveLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
	ExclusiveLock: ['RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
	AccessExclusiveLock: lockModes,
};

export function isLockMode(mode: string): mode is LockMode {
	return (lockModes as readonly string[]).includes(mode);
}

export function conflictsWith(held: LockMode, wanted: LockMode): boolean {
	return conflicts[held].includes(wanted);
}

/** A SELECT takes ACCESS SHARE: it waits only for ACCESS EXCLUSIVE. */
export const blocksReads = (mode: LockMode) => conflictsWith(mode, 'AccessShareLock');

/** INSERT, UPDATE and DELETE take ROW EXCLUSIVE: they wait for SHARE and stronger. */
export const blocksWrites = (mode: LockMode) => conflictsWith(mode, 'RowExclusiveLock');

export const strongest = (modes: readonly LockMode[]): LockMode | null => modes.reduce<LockMode | null>((best, mode) => best === null || lockModes.indexOf(mode) > lockModes.indexOf(best) ? mode : best, null);

/** The mode without its `Lock` suffix, as the table shows it. */
export const shortMode = (mode: LockMode) => mode.slice(0, -'Lock'.length);

/**
 * Below both of these a table is small: a lock on it, even one that rewrites it, lasts about as
 * long as taking the lock (milliseconds). 10 MiB is a few thousand pages, read in well under a
 * second; 10 000 rows is what a scan or an index build gets through in a few milliseconds.
 */
export const SMALL_TABLE_BYTES = 10 * 1024 * 1024;
export const SMALL_TABLE_ROWS = 10_000;

/**
 * From either of these a table is large: a rewrite, a scan or an index build under a lock that
 * blocks the application takes seconds to minutes (1 GiB is read in several seconds on a fast
 * disk, a million rows sorted for an index in about as long), longer than a client waits.
 */
export const LARGE_TABLE_BYTES = 1024 * 1024 * 1024;
export const LARGE_TABLE_ROWS = 1_000_000;

/** What the target holds of a relation: its size with indexes and TOAST, and the planner's row estimate (null: never analysed). */
export type RelationSize = {bytes: number; rows: number | null};

/** One relation a traced statement holds a lock on, with what the target says of its size. */
export type LockImpact = {
	relation: string;
	mode: LockMode;
	rewrite: boolean;
	/** 1-based index of the statement of this migration that first took this mode; the lock is held from then to the commit. */
	heldSince: number;
	/**
	 * The target's figures; 'new' when the relation is not on the target because an earlier
	 * pending migration makes it; null when it should be there and was not found.
	 */
	size: RelationSize | 'new' | null;
};

export type VerdictLevel = 'ok' | 'caution' | 'danger';

export type Verdict = {level: VerdictLevel; text: string};

const levels: readonly VerdictLevel[] = ['ok', 'caution', 'danger'];

export const worstLevel = (a: VerdictLevel, b: VerdictLevel): VerdictLevel => levels.indexOf(a) >= levels.indexOf(b) ? a : b;

/** 1.2 kB, 40.0 GB: powers of 1024, as pg_size_pretty counts. */

/** ~120M rows, ~3.4k rows: the planner's estimate, rounded as an estimate should be. */
export function formatRows(rows: number): string {
	const rounded = Math.round(rows);
	if (rounded >= 1_000_000_000) {
		return `~${(rounded / 1_000_000_000).toFixed(1)}G rows`;
	}

	if (rounded >= 1_000_000) {
		const millions = rounded / 1_000_000;
		return `~${millions < 10 ? millions.toFixed(1) : Math.round(millions)}M rows`;
	}

	return rounded >= 10_000 ? `~${Math.round(rounded / 1000)}k rows` : `~${rounded} row${rounded === 1 ? '' : 's'}`;
}

export function describeSize(size: RelationSize): string {
	return size.rows === null ? `${formatBytes(size.bytes)}, never analysed` : `${formatBytes(size.bytes)}, ${formatRows(size.rows)}`;
}

function sizeLevel(size: RelationSize): VerdictLevel {
	const rows = size.rows ?? 0;
	if (size.bytes >= LARGE_TABLE_BYTES || rows >= LARGE_TABLE_ROWS) {
		return 'danger';
	}

	// A table never analysed may hold anything its size allows: judged by its size alone.
	return size.bytes < SMALL_TABLE_BYTES && rows < SMALL_TABLE_ROWS ? 'ok' : 'caution';
}

/**
 * The verdict on one statement, from the locks it holds while it runs (its own and those an
 * earlier statement of the same transaction took), whether it rewrote a relation, and how big
 * the target's relations are. `last` says whether the transaction commits right after it: a
 * lock is held to the commit, so an earlier statement's lock blocks through every later one.
 */
export function judgeStatement(impacts: readonly LockImpact[], at: {index: number; last: boolean}): Verdict {
	const relevant = impacts.filter(impact => impact.rewrite || blocksReads(impact.mode) || blocksWrites(impact.mode));
	if (relevant.length === 0) {
		return {level: 'ok', text: impacts.length === 0 ? 'ok: takes no lock on a table of the target' : 'ok: blocks no reads or writes'};
	}

	let level: VerdictLevel = 'ok';
	const parts: string[] = [];
	for (const impact of relevant) {
		const {text, level: one} = judgeOne(impact, at.last);
		const earlier = impact.heldSince < at.index ? ` (the lock of statement ${impact.heldSince})` : '';
		level = worstLevel(level, one);
		parts.push(text + earlier);
	}

	return {level, text: `${level}: ${parts.join('; ')}`};
}

function judgeOne(impact: LockImpact, last: boolean): Verdict {
	const what = blocksReads(impact.mode) ? 'reads and writes' : blocksWrites(impact.mode) ? 'writes' : null;
	const how = last ? 'for as long as the statement runs' : 'from here until the migration commits';
	const {size} = impact;
	if (size === 'new') {
		return {level: 'ok', text: `${impact.relation} is not on the target yet (this run makes it first)`};
	}

	if (size === null) {
		return {level: 'caution', text: `${impact.rewrite ? 'rewrites' : `blocks ${what ?? 'nothing'} on`} ${impact.relation} (not found on the target: size unknown)`};
	}

	const level = sizeLevel(size);
	const figures = describeSize(size);
	if (level === 'ok') {
		return {level, text: `${impact.rewrite ? 'rewrites' : `blocks ${what ?? 'nothing'} on`} ${impact.relation}, which is small (${figures})`};
	}

	if (impact.rewrite) {
		return {level, text: `rewrites ${impact.relation} (${figures})${what === null ? '' : `: ${what} wait for the whole copy${last ? '' : ' and until the migration commits'}`}`};
	}

	return {level, text: `blocks ${what ?? 'nothing'} on ${impact.relation} (${figures}) ${how}`};
}
