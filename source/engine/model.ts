// Plain data shared by events, state, ports and screens. No behaviour here.

export type Engine = 'postgres' | 'sqlite';

export type Cell = string | number | boolean | null;

export type Fingerprint = {
	engine: Engine;
	serverVersion: string;
	host: string;
	database: string;
	sizeBytes: number;
	/** PostgreSQL: pg_control_system().system_identifier, which survives renames and proves which cluster this is. */
	systemIdentifier?: string;
	/** PostgreSQL: the database's OID in pg_database; a database dropped and created again under the same name gets another. Absent in older records. */
	databaseOid?: string;
	/** SQLite: absolute path of the database file. */
	path?: string;
	/** SQLite: the file's device and inode (decimal), so a copy put in its place is another database. Absent in older records. */
	device?: string;
	inode?: string;
};

/** cutover's own bookkeeping tables (migrations log, run lock holder, backfill positions), wherever they are: never the user's. */
export const bookkeepingTables: readonly string[] = ['cutover_migrations', 'cutover_run_lock', 'cutover_backfill'];

export type MigrationInfo = {
	name: string;
	/** sha256 (hex) of the migration's up source. */
	checksum: string;
	reversible: boolean;
	/** Its SQL was wrapped whole in BEGIN; … COMMIT;, which cutover dropped: it runs in cutover's own transaction with its log row. */
	wrapperAbsorbed?: boolean;
	/**
	 * Its up runs outside a transaction (`-- cutover: no-transaction`), statement by statement:
	 * how many (null: a module) and which are not safe to run a second time (a retry or a resume
	 * runs again a statement that may have taken effect). Absent for a migration in a transaction.
	 */
	noTransaction?: {statements: number | null; notRetrySafe: Array<{index: number; why: string}>};
	/** Code only this tool runs (a goose Go migration): cutover plans it and stops before it. */
	runsWith?: 'goose';
	/**
	 * What its up's own statements alter or remove, by name (objects, tables for everything on them),
	 * and the tables it removes rows from: the changes after the upgrade that are its, not surprises.
	 * Absent when it names none (or is a module).
	 */
	touches?: {objects: string[]; rows: string[]};
};

export type AppliedMigration = MigrationInfo & {
	appliedAt: string;
	appliedBy: string;
	runId: string;
	/** The source on disk no longer matches what was applied (or is missing). */
	drift: 'none' | 'changed' | 'missing';
};

export type MigrationPlan = {
	applied: AppliedMigration[];
	pending: MigrationInfo[];
	/** Present when the database has a schema but no cutover_migrations: nothing may be applied on top of it. */
	adoption?: LiveSchema;
} & MigrationFolderNote;

/** A migration the folder holds only for other engines, named with the engines it is for. */
export type SkippedMigration = {name: string; engines: string[]};

/** How the migrations folder was read; absent in records made before cutover read other tools' formats. */
export type MigrationFolderNote = {
	/** The layout read: golang-migrate (cutover's own), pop, dbmate, goose or flyway. */
	format?: string;
	/** Files in the folder that are no migration (README.md, atlas.sum); a folder ends in /. */
	ignored?: string[];
	/** Migrations not run on this engine: the folder has them for other engines only. */
	skipped?: SkippedMigration[];
	/**
	 * The folder's own tool's history table, found in the database: `kept` when every migration
	 * cutover runs moves it too, so that tool (run by the application at start-up) applies nothing twice.
	 */
	history?: {tool: HistoryTool; table: string; kept: boolean; behind?: number; absent?: boolean};
};

/** The tools whose history tables `cutover import` reads. */
export type HistoryTool = 'golang-migrate' | 'goose' | 'dbmate' | 'flyway' | 'alembic' | 'maragu' | 'prisma';

/**
 * A database with tables of its own but no cutover_migrations: its migrations were applied by
 * another tool or by hand, so 0001 must not run on it. What to run instead is in `commands`.
 */
export type LiveSchema = {
	/** Its user tables (cutover's own left out), at most the first 20, and how many in all. */
	tables: string[];
	tableCount: number;
	/** History tables other tools left there. */
	histories: HistoryTool[];
	/** The commands that fit (import from each history found, else baseline), with the operator's flags. */
	commands: string[];
	/**
	 * Where a baseline likely goes: the last migration N that creates something of its own such that
	 * every table and index migrations up to N create, and none of them drops or renames after, exists.
	 */
	baselineTo?: string;
};

/** One line of an import's or baseline's mapping: a migration file, the history row it matches, what cutover makes of it. */
export type AdoptionRow = {
	/** The migration's name in the folder; null for a history row that matches no file. */
	file: string | null;
	/** The history row as the other tool wrote it (its version, and state); null for a file it does not list. */
	history: string | null;
	/**
	 * - applied: written as applied
	 * - pending: after the last applied one, left pending
	 * - logged: cutover_migrations has it already
	 * - code: a history row of code the tool ran itself (Flyway's Java migrations), no file; left to the tool
	 * - no-file / not-in-history / dirty / failed / checksum-mismatch / objects-missing: a mismatch, see detail
	 */
	status: 'applied' | 'pending' | 'logged' | 'code' | 'no-file' | 'not-in-history' | 'dirty' | 'failed' | 'checksum-mismatch' | 'objects-missing';
	detail: string;
	/** sha256 of the file's up source: what its cutover_migrations row gets. */
	checksum: string | null;
	/**
	 * Baseline: the tables and indexes its SQL creates, and whether each exists. `droppedBy`: a later
	 * migration up to the baseline's drops it (`renamedTo`: renames it so), so it is not required.
	 */
	objects?: Array<{kind: 'table' | 'index'; name: string; present: boolean; droppedBy?: string; renamedTo?: string}>;
};

/** Something in the mapping that keeps the adoption from being written; `overridable` ones open with an explicit flag. */
export type AdoptionProblem = {id: string; detail: string; overridable: boolean};

export type Evidence = {
	columns: string[];
	rows: Cell[][];
	/** Rows the query returned; rows above holds at most the first EVIDENCE_LIMIT of them. */
	total: number;
	truncated: boolean;
};

/**
 * - not-applicable: the check's table does not exist yet (a first deployment), so there is nothing to judge; it blocks nothing
 * - timed-out: its statement ran past the check's timeout and was stopped
 * - cancelled: the operator stopped it (Esc), or left the run while it ran
 * The last two block like a failure: nothing is known about what the check looks for.
 */
export type Verdict = 'passed' | 'failed' | 'error' | 'not-applicable' | 'timed-out' | 'cancelled';

export type CheckPhase = 'pre' | 'post';

export type CheckResult = {
	id: string;
	phase: CheckPhase;
	title: string;
	sql: string;
	blocking: boolean;
	/** The rule in words, for example "no rows" or "same rows as pre.duplicate-meters". */
	expectation: string;
	verdict: Verdict;
	/** Why it passed or failed, in one line. */
	detail: string;
	evidence: Evidence;
	durationMs: number;
	/** The limit its statement ran under, in ms (absent in records made before checks had one). */
	timeoutMs?: number;
	/** An HTTP or command probe: `sql` then holds its request or command line, as the checklist wrote it (absent for SQL checks). */
	probe?: 'http' | 'command';
};

export type RowCounts = Record<string, number>;

export type RowCountDiff = {
	table: string;
	before: number | null;
	after: number | null;
	delta: number;
};

export type BackupProgress = {
	bytes: number;
	/** Best guess of the final size, for an ETA (PostgreSQL: pg_database_size; SQLite: page_count × page_size). */
	estimatedBytes?: number;
	/** PostgreSQL: the table pg_dump is dumping now. */
	currentTable?: string;
	/** PostgreSQL: the table whose rows are being counted, before pg_dump starts (a count can wait for a lock). Absent in older records. */
	countingTable?: string;
	tablesDone?: number;
	tablesTotal?: number;
	/**
	 * PostgreSQL: the on-disk size of the table data done (tables finished, plus an estimate of the one being dumped), of
	 * all tables' data, read before the dump. What the bar and ETA use: a compressed dump's bytes say little of the end.
	 */
	dataDone?: number;
	dataTotal?: number;
	/** SQLite: pages copied of total. */
	pagesDone?: number;
	pagesTotal?: number;
};

/** One file of a directory backup, as it was when the backup finished. */
export type ManifestFile = {
	/** The file's name inside the backup directory. */
	name: string;
	bytes: number;
	sha256: string;
};

export type BackupArtifact = {
	/** The dump file, or the dump directory (pg-directory). */
	path: string;
	format: 'pg-custom' | 'pg-directory' | 'sqlite-file';
	/** The file's size; a directory's: the total of its files. */
	bytes: number;
	/** The file's sha256; a directory's: the sha256 of its manifest, as `sha256sum` prints it (hash, two spaces, name; by name). */
	sha256: string;
	/** Row counts of the source taken in the same snapshot as the copy (SQLite) or just before it (PostgreSQL). */
	sourceCounts: RowCounts;
	/** pg-directory: every file of the directory with its size and sha256, by name. */
	files?: ManifestFile[];
	/** PostgreSQL: how pg_dump compressed the data (absent in records made before it was stated: pg_dump's default, gzip level 6). */
	compression?: {method: 'gzip' | 'none'; level: number};
	/** pg-directory: how many pg_dump jobs wrote it in parallel. */
	jobs?: number;
	/** PostgreSQL: why this format and these jobs, in a line (the size against the threshold, the connections free). */
	chosen?: string;
};

export type VerificationItem = {
	name: string;
	ok: boolean;
	detail: string;
};

export type BackupVerification = {
	ok: boolean;
	items: VerificationItem[];
};

export type PrepItem = {
	id: string;
	text: string;
};

export type RollbackChoice = 'downgrade' | 'restore' | 'keep';

export type RollbackOption = {
	choice: RollbackChoice;
	available: boolean;
	/** What it will do. */
	action: string;
	/** What it costs, or why it is not available. */
	cost: string;
};

export const EVIDENCE_LIMIT = 50;

/**
 * One thing checked before the window opens (tools, directories, room, migrations): what was
 * found, and on a failure what to fix. A failed blocking item keeps the window shut.
 */
export type PreflightItem = {
	/** Stable and short (the window screen lists passed items by id): migrations, drift, pg_dump, pg_restore, backups, records. */
	id: string;
	/** Short, for a one-line list: "pg_dump", "backups directory". */
	title: string;
	ok: boolean;
	blocking: boolean;
	/** What was found; on a failure, also what to do. */
	detail: string;
};

/** A session waiting for a lock, as seen at one moment. */
export type LockWaiter = {
	pid: number;
	user: string | null;
	application: string | null;
	/** How long it has waited, in ms. */
	waitingMs: number;
	query: string | null;
	/** The sessions it waits for (pg_blocking_pids). */
	blockedBy: number[];
};

/** The lock picture during a run, bounded in size before it is journaled. */
export type LockSample = {
	waiters: LockWaiter[];
	/** Waiters beyond those listed. */
	more: number;
	/** Sessions the waiters wait for that are not waiting themselves, with their queries (absent in older records). */
	blockers?: LockBlocker[];
};

/** A session that holds a lock others wait for, as seen at the same moment. */
export type LockBlocker = {
	pid: number;
	user: string | null;
	application: string | null;
	query: string | null;
};

/** How long a migration with the same checksum took in an earlier run, and which record says so. */
export type ExpectedDuration = {
	name: string;
	checksum: string;
	durationMs: number;
	/** The record's file name. */
	from: string;
};

/**
 * Where a batched backfill stands (a module's `backfill()`): rows updated of all it has to
 * update, counting the batches committed before an interruption (`resumedFrom` of them).
 */
export type BackfillProgress = {
	table: string;
	/** Rows updated so far, earlier attempts included. */
	rows: number;
	/** rows plus those still to update, as counted when it started (or when it passed that count). */
	total: number;
	/** Rows an earlier, interrupted attempt had committed: this one went on after them. */
	resumedFrom: number;
	/** Batches committed by this attempt. */
	batches: number;
	/** The size the next batch will have. */
	batchSize: number;
	/** How long the longest batch of this attempt held its locks (its transaction as the client timed it, sent to committed), ms. */
	longestBatchMs: number;
	/** PostgreSQL: the longest batch's statement as the server timed it (its start to its last row), ms; without the round trip and the client's waits. */
	longestServerMs?: number;
	/** The bound a batch is sized to stay under, and how many batches of this attempt went over it. */
	maxLockMs: number;
	overBound: number;
	/** Rows per second over this attempt. */
	rowsPerSecond: number;
	/** Time left at that rate; null before the first batch. */
	etaMs: number | null;
	finished: boolean;
};
