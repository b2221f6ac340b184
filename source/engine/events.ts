import type {LockTraceReport} from './lock-trace.js';
import type {
	AdoptionProblem,
	AdoptionRow,
	AppliedMigration,
	BackfillProgress,
	BackupArtifact,
	BackupProgress,
	BackupVerification,
	CheckPhase,
	CheckResult,
	ExpectedDuration,
	Fingerprint,
	HistoryTool,
	LiveSchema,
	LockSample,
	MigrationFolderNote,
	MigrationInfo,
	PreflightItem,
	PrepItem,
	RollbackChoice,
	RollbackOption,
	RowCountDiff,
	RowCounts,
} from './model.js';
import type {ObservationEnd, ObservedFigure} from './observation.js';
import type {DatabaseSnapshot} from './snapshot.js';

/**
 * Everything that happens in a run is one of these. Adapters emit the facts, the operator's
 * screens emit the decisions (kinds starting with `operator.`). The journal stores them as is,
 * so a screen may only show what is in here.
 */
export type RunEvent =
	| {
		type: 'run.started';
		runId: string;
		toolVersion: string;
		operator: {osUser: string; name: string};
		host: string;
		/** The target with any password removed. */
		target: string;
		checklist: {name: string; path: string; sha256: string};
		migrationsDir: string;
		to: string | null;
		mode: 'console' | 'plain';
		/** The record before this one in the same records directory and its final chain head: a removed record breaks the chain. */
		previousRecord: {file: string; head: string} | null;
		/** The key that seals this record (fingerprint as `ssh-keygen -l` prints it, and its `ssh-ed25519 …` line); null: unsigned. */
		signer: {keyId: string; publicKey: string} | null;
		/** Set when the record is a `cutover import` or `cutover baseline`, not a run (absent in runs and older records). */
		adoption?: AdoptionAction;
		/** A run over several databases (the runbook's `databases:`): each runs inside `database.event`s of its name, in this order. */
		databases?: DatabaseLeg[];
	}
	| {
		/** The run stopped at a safe point without finishing (hang-up, terminate); `cutover resume` continues it. */
		type: 'run.interrupted';
		signal: string;
		step: StepId;
		detail: string;
	}
	| {
		/** The same run, continued by `cutover resume` after re-reading the database. */
		type: 'run.resumed';
		operator: {osUser: string; name: string};
		host: string;
		/** What the database really looked like, compared with the journal, one line each. */
		reconciliation: string[];
	}
	| {type: 'target.fingerprinted'; fingerprint: Fingerprint}
	/** `adoption`: the database has a schema but no cutover_migrations (absent in older records and on a database cutover knows). */
	| ({type: 'migrations.planned'; applied: AppliedMigration[]; pending: MigrationInfo[]; adoption?: LiveSchema} & MigrationFolderNote)
	| {
		type: 'window.planned';
		startsAt: number;
		expectedMinutes: number;
		prep: PrepItem[];
		hooks: {on: string | null; off: string | null};
		/** How many checks the runbook has per phase (absent in older records); post also runs the pre checks again. */
		checks?: {pre: number; post: number};
	}
	| {type: 'operator.prep-ticked'; itemId: string; ticked: boolean}
	| {type: 'operator.window-confirmed'; typedName: string}
	| {type: 'command.started'; id: string; purpose: string; command: string}
	| {type: 'command.output'; id: string; line: string}
	| {type: 'command.finished'; id: string; exitCode: number; durationMs: number}
	| {type: 'backup.started'; path: string; method: string}
	| {type: 'backup.progress'; progress: BackupProgress}
	| {type: 'backup.finished'; artifact: BackupArtifact; durationMs: number}
	| {type: 'backup.failed'; error: string}
	| {type: 'verify.finished'; verification: BackupVerification; durationMs: number}
	| {type: 'check.finished'; result: CheckResult}
	| {type: 'baseline.captured'; counts: RowCounts}
	| {type: 'operator.override'; checkId: string; reason: string}
	| {type: 'operator.proceed'; step: 'pre'}
	| {type: 'upgrade.started'; names: string[]}
	| {type: 'migration.started'; name: string; direction: 'up' | 'down'}
	| {type: 'migration.finished'; name: string; direction: 'up' | 'down'; durationMs: number}
	| {type: 'migration.retrying'; name: string; attempt: number; maxAttempts: number; waitMs: number; error: string}
	| {type: 'watch.sampled'; sample: LockSample}
	/** The operator asks to end a session seen in the lock watch: `query` and `user` as the sample showed them. */
	| {type: 'operator.backend-action'; action: BackendActionKind; pid: number; query: string | null; user: string | null}
	/** What the server answered; `ok: false` also when cutover refused (its own sessions). */
	| {type: 'backend-action.finished'; action: BackendActionKind; pid: number; ok: boolean; detail: string}
	| {
		type: 'migration.failed';
		name: string;
		direction: 'up' | 'down';
		error: string;
		statement: string | null;
		durationMs: number;
		/** A migration outside a transaction: statements 1..`statements` committed and were not rolled back. Absent: it rolled back whole. */
		tookEffect?: {statements: number; total: number | null};
	}
	| {type: 'upgrade.finished'; ok: boolean}
	| {type: 'post.compared'; after: RowCounts; diff: RowCountDiff[]}
	| {type: 'rollback.offered'; reason: string; options: RollbackOption[]}
	| {type: 'operator.rollback-chosen'; choice: RollbackChoice}
	| {type: 'rollback.finished'; choice: RollbackChoice; ok: boolean; detail: string; durationMs: number}
	| {type: 'error'; step: StepId; message: string}
	| {type: 'operator.abandoned'; reason: string}
	| {
		type: 'run.finished';
		outcome: RunOutcome;
		versionBefore: string | null;
		/** null: an empty schema. Only meaningful when `versionAfterUnknown` is absent. */
		versionAfter: string | null;
		/** Why the version at the end could not be read (the connection was lost and no new one answered). */
		versionAfterUnknown?: string;
	}
	// A restore put a new database under the target's name (PostgreSQL): the target's OID changed, the replaced database is kept aside.
	| {type: 'database.replaced'; database: string; keptAs: string; previousOid: number; oid: number}
	/** What was checked before the window (tools, directories, room, migrations); a failed blocking item ends the run there. */
	| {type: 'preflight.finished'; items: PreflightItem[]}
	/** Maintenance mode stays on at the end: the schema is left between versions, and the checklist does not say to turn it off then. */
	| {type: 'maintenance.left-on'; reason: string}
	/** A check's statement started; its check.finished follows, whatever the verdict. */
	| {type: 'check.started'; id: string; phase: CheckPhase; title: string; sql: string; timeoutMs: number}
	/** The operator stops the check that is running (Esc on the checks screen). */
	| {type: 'operator.check-cancelled'; id: string; phase: CheckPhase}
	// The run lock was found lost (its database session ended, its lock file removed or replaced): the run stops at the next safe point.
	| {type: 'run-lock.lost'; detail: string}
	// A resumed run holds the run lock again after it was lost.
	| {type: 'run-lock.retaken'; detail: string}
	// Earlier records in the records directory ran some pending migrations (same checksums): how long each took, for the estimates.
	| {type: 'migrations.history'; expected: ExpectedDuration[]}
	// One statement of a migration outside a transaction started (1-based index; total null for a module).
	| {type: 'migration.statement-started'; name: string; direction: 'up' | 'down'; index: number; total: number | null; statement: string}
	// That statement committed: a resume goes on after it.
	| {type: 'migration.statement-finished'; name: string; direction: 'up' | 'down'; index: number; total: number | null; durationMs: number}
	// Before a migration outside a transaction runs: INVALID indexes it builds, left by a CREATE INDEX CONCURRENTLY that failed or was stopped.
	| {type: 'invalid-index.found'; name: string; indexes: Array<{index: string; qualified: string; table: string}>}
	/** The operator's answer: drop those indexes before the migration runs again (drop: false stops there). */
	| {type: 'operator.invalid-index-drop'; name: string; indexes: string[]; drop: boolean}
	// The DROP INDEX CONCURRENTLY of one of them, and what the server said.
	| {type: 'invalid-index.dropped'; name: string; index: string; ok: boolean; detail: string}
	/**
	 * `cutover import` / `cutover baseline`: what would be written into cutover_migrations, row by row,
	 * shown before anything is written. `tool` is the history read (import), null for a baseline.
	 */
	| {type: 'adoption.planned'; action: AdoptionAction; tool: HistoryTool | null; to: string | null; rows: AdoptionRow[]; problems: AdoptionProblem[]; notes: string[]}
	/** The operator typed the database name at the adoption's own gate. */
	| {type: 'operator.adoption-confirmed'; typedName: string}
	/** The rows went into cutover_migrations, in one transaction, none of the migrations run. */
	| {type: 'adoption.written'; names: string[]}
	/**
	 * The database's row counts, sizes, schema objects and migration version, before the upgrade (with the
	 * pre checks; the baseline's counts are its counts) and after it (with the post checks). After: how it
	 * compares with the one before, as `cutover snapshot diff` judges (absent when there is none before).
	 */
	| {type: 'snapshot.taken'; phase: SnapshotPhase; snapshot: DatabaseSnapshot; compared?: SnapshotComparison}
	/**
	 * After post-verification passed, the runbook's observation period (`observe:`) begins: it ends at
	 * `endsAt` unless the operator ends it first. `resumed`: a resume observes for the time left.
	 * `thresholds`: what the figures are judged against, from the runbook or, when it names none, the handbook's table.
	 */
	| {
		type: 'observation.started';
		minutes: number;
		durationMs: number;
		endsAt: number;
		everyMs: number;
		thresholds: Record<string, {warn: number | null; alert: number | null}>;
		thresholdsFrom: 'runbook' | 'handbook';
		resumed?: boolean;
	}
	/** The watch's header figures judged, recorded when a level changed (or the figures could not be read), and once a minute otherwise. */
	| {type: 'observation.sample'; figures: ObservedFigure[]; error?: string}
	/** A figure crossed into warn or alert (once per crossing, not at every read). */
	| {type: 'observation.breach'; figure: ObservedFigure; previous: ObservedFigure['level']}
	/** The operator ends the observation early (`flag`: by a plain-mode flag, `--observe skip`). */
	| {type: 'operator.observation-ended'; flag?: string}
	/** The operator goes from the observation to the rollback prompt. */
	| {type: 'operator.observation-rollback'}
	/** The observation period is over; `observedMs`: how long this period watched. */
	| {type: 'observation.finished'; reason: ObservationEnd; observedMs: number; breaches: number}
	/**
	 * In a run over several databases: an event of one of them, folded into that database's own
	 * state. Its run.started names its target and folder; its run.finished ends that database only.
	 */
	| {type: 'database.event'; database: string; event: RunEvent}
	/**
	 * After every database's upgrade: the version each one is at, read from the database, against
	 * the one its plan brings it to; databases that share a migrations folder must be at one version.
	 */
	| {type: 'databases.versions'; versions: DatabaseVersion[]; consistent: boolean; problems: string[]}
	/**
	 * The lint of the pending migrations, read at plan time against the live tables (cutover lint's
	 * rules). `failure`: why it could not lint (a statement that does not parse), null when it did.
	 */
	| {type: 'lint.findings'; findings: LintFinding[]; failure: string | null}
	/** The operator typed a finding's rule id at the window: the destructive or blocking statement is accepted as it is. */
	| {type: 'operator.lint-acknowledged'; rule: string; file: string; line: number; statement: string; typed: string}
	/** A module's batched backfill: where it stands when it starts, about once a second, and when it ends. */
	| ({type: 'migration.backfill-progress'; name: string; direction: 'up' | 'down'} & BackfillProgress)
	/** A PostgreSQL run began measuring the pending migrations' locks on a throwaway copy of the target's schema. */
	| {type: 'lock-impact.started'}
	/**
	 * The locks each pending migration takes, measured on the copy and judged with the target's sizes
	 * (cutover lint --trace's report). `left`: the copy could not be dropped and is left to drop by hand.
	 */
	| {type: 'lock-impact.traced'; report: LockTraceReport; left: string | null}
	/** The trace could not run (no right to create a database, pg_dump missing…): the run goes on without it. */
	| {type: 'lock-impact.failed'; reason: string};

/** One database of a run over several: its name in the runbook, its target (no password) and its migrations folder. */
export type DatabaseLeg = {name: string; target: string; migrationsDir: string};

export type DatabaseVersion = {database: string; migrationsDir: string; version: string | null; expected: string | null; unknown?: string};

/** One finding of the lint, as the record keeps it (an error finding not allowed in the file needs an acknowledgement). */
export type LintFinding = {
	migration: string;
	file: string;
	line: number;
	rule: string;
	severity: 'error' | 'warning';
	detail: string;
	statement: string;
	fix: string;
	/** The reason of the file's `-- cutover: allow`, or null. */
	allowed: string | null;
};

export type SnapshotPhase = 'before' | 'after' | 'downgraded';

/** How many schema objects were added, removed or changed, and each unexpected change in words. */
export type SnapshotComparison = {added: number; removed: number; changed: number; unexpected: string[]};

/** Taking over a database another tool migrated: from that tool's history, or from the operator's word and the objects seen. */
export type AdoptionAction = 'import' | 'baseline';

/** pg_cancel_backend (the query) or pg_terminate_backend (the whole session). */
export type BackendActionKind = 'cancel' | 'terminate';

export type StepId = 'window' | 'backup' | 'verify' | 'pre' | 'upgrade' | 'post' | 'rollback' | 'summary';

export const STEP_ORDER: readonly StepId[] = ['window', 'backup', 'verify', 'pre', 'upgrade', 'post', 'rollback', 'summary'];

export const STEP_TITLES: Record<StepId, string> = {
	window: 'Maintenance window',
	backup: 'Backup',
	verify: 'Backup verification',
	pre: 'Pre-validation',
	upgrade: 'Upgrade',
	post: 'Post-verification',
	rollback: 'Rollback',
	summary: 'Summary',
};

/**
 * - upgraded: every planned migration applied and post-verification passed
 * - upgraded-with-failures: applied, but a post check failed and the operator kept it
 * - rolled-back: a downgrade or restore brought the database back
 * - failed: stopped by an error, nothing rolled back
 * - abandoned: the operator stopped before the upgrade
 * - nothing-to-do: no pending migrations
 * - adopted: an import or baseline wrote cutover_migrations rows; no migration ran
 */
export type RunOutcome = 'upgraded' | 'upgraded-with-failures' | 'rolled-back' | 'failed' | 'abandoned' | 'nothing-to-do' | 'adopted';

/** One line of the journal: the event plus where and when it happened. */
export type Entry = {
	seq: number;
	/** Epoch milliseconds from the run's clock. */
	at: number;
	event: RunEvent;
};

export type EventOf<T extends RunEvent['type']> = Extract<RunEvent, {type: T}>;
