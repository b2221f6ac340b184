import type {AdoptionAction, BackendActionKind, DatabaseLeg, DatabaseVersion, LintFinding, RunOutcome, StepId} from './events.js';
import type {LockTraceReport} from './lock-trace.js';
import type {ObservationEnd, ObservationRequest, ObservedFigure, ObservedLevel} from './observation.js';
import type {DatabaseSnapshot} from './snapshot.js';
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

export type StepStatus = 'waiting' | 'running' | 'passed' | 'failed' | 'skipped';

export type StepState = {
	status: StepStatus;
	startedAt: number | null;
	finishedAt: number | null;
};

export type CommandState = {
	id: string;
	purpose: string;
	command: string;
	/** Last lines of output; the journal has all of them. */
	tail: string[];
	lines: number;
	exitCode: number | null;
	durationMs: number | null;
};

export type MigrationRow = {
	name: string;
	direction: 'up' | 'down';
	reversible: boolean;
	status: 'pending' | 'running' | 'done' | 'failed';
	/** Attempts so far (lock timeouts are retried); 1 once started. */
	attempt: number;
	/** Why the last attempt was retried, while the retry is pending. */
	retry: {attempt: number; maxAttempts: number; waitMs: number; error: string} | null;
	startedAt: number | null;
	durationMs: number | null;
	error: string | null;
	statement: string | null;
	/** Set for a migration that runs outside a transaction, statement by statement (from the plan and its statement events). */
	noTransaction?: StatementRun;
	/** The latest report of the module's batched backfill, and when it came. */
	backfill?: BackfillProgress & {at: number};
};

export type StatementRun = {
	/** Statements in all; null for a module. */
	total: number | null;
	/** Statements 1..finished committed, as the journal records them; a resume goes on after them. */
	finished: number;
	/** The statement running now, if any. */
	running: number | null;
	/** Statements the plan found not safe to run a second time. */
	notRetrySafe: Array<{index: number; why: string}>;
	/** What a failure left: statements 1..n took effect (the migration.failed event says so). */
	tookEffect: number | null;
};

/** INVALID indexes found before a migration outside a transaction runs again, and what became of them. */
export type InvalidIndexes = {
	name: string;
	indexes: Array<{index: string; qualified: string; table: string}>;
	/** The operator's answer; null while it is asked. */
	drop: boolean | null;
	dropped: Array<{index: string; ok: boolean; detail: string}>;
};

export type Decision = {
	seq: number;
	at: number;
	summary: string;
};

/** A session the operator chose to cancel or terminate during the run, and what came of it. */
export type BackendAction = {
	seq: number;
	at: number;
	action: BackendActionKind;
	pid: number;
	query: string | null;
	user: string | null;
	/** Who decided: the run's operator, or the one who resumed it last. */
	by: {osUser: string; name: string} | null;
	/** null while the server has not answered. */
	result: {ok: boolean; detail: string; at: number} | null;
};

/** The observation period after post-verification: its time, the latest figures, every breach, and how it ended. */
export type ObservationState = {
	durationMs: number;
	everyMs: number;
	/** When the current period began and ends (a resumed one begins again for the time left). */
	startedAt: number;
	endsAt: number;
	thresholds: Record<string, {warn: number | null; alert: number | null}>;
	thresholdsFrom: 'runbook' | 'handbook';
	/** The figures as last recorded; empty before the first read. */
	figures: ObservedFigure[];
	/** Why the last read failed, when it did. */
	error: string | null;
	sampledAt: number | null;
	breaches: Array<ObservedFigure & {at: number; previous: ObservedLevel}>;
	/** What the operator asked, until the period ends. */
	requested: ObservationRequest | null;
	/** Time observed in the periods that ended (an interrupted one counts as far as it went). */
	observedMs: number;
	/** The last period's end; null while it runs. */
	finished: {reason: ObservationEnd; at: number} | null;
};

export type RunState = {
	runId: string | null;
	toolVersion: string | null;
	operator: {osUser: string; name: string} | null;
	host: string | null;
	target: string | null;
	checklist: {name: string; path: string; sha256: string} | null;
	/** Where this run's migrations come from (run.started). */
	migrationsDir: string | null;
	mode: 'console' | 'plain';
	to: string | null;
	startedAt: number | null;
	finishedAt: number | null;
	/** The timestamp of the latest event: what "now" is for a screen, live or replayed. */
	now: number;
	lastSeq: number;
	step: StepId;
	steps: Record<StepId, StepState>;
	fingerprint: Fingerprint | null;
	plan: ({applied: AppliedMigration[]; pending: MigrationInfo[]; adoption?: LiveSchema} & MigrationFolderNote) | null;
	/** An import's or baseline's mapping, the name typed at its gate, and what was written; null in a run. */
	adoption: {
		action: AdoptionAction;
		tool: HistoryTool | null;
		to: string | null;
		rows: AdoptionRow[];
		problems: AdoptionProblem[];
		notes: string[];
		confirmedName: string | null;
		written: string[] | null;
	} | null;
	/** What was checked before the window; null until checked (and in records older than the check). */
	preflight: PreflightItem[] | null;
	window: {
		startsAt: number;
		expectedMinutes: number;
		prep: PrepItem[];
		ticked: string[];
		hooks: {on: string | null; off: string | null};
		confirmedName: string | null;
		/** Checks the runbook has per phase; null for older records that did not say. */
		checks: {pre: number; post: number} | null;
	} | null;
	commands: CommandState[];
	backup: {
		path: string;
		method: string;
		startedAt: number;
		progress: BackupProgress | null;
		artifact: BackupArtifact | null;
		error: string | null;
		durationMs: number | null;
	} | null;
	verification: BackupVerification | null;
	checks: CheckResult[];
	overrides: Array<{checkId: string; reason: string; at: number}>;
	baseline: RowCounts | null;
	migrations: MigrationRow[];
	post: {after: RowCounts; diff: RowCountDiff[]} | null;
	/** The snapshots taken before and after the upgrade, and after a downgrade; null until taken (and in records older than snapshots). */
	snapshots: {before: DatabaseSnapshot | null; after: DatabaseSnapshot | null; downgraded: DatabaseSnapshot | null};
	rollback: {
		reason: string;
		options: RollbackOption[];
		choice: RollbackChoice | null;
		result: {ok: boolean; detail: string; durationMs: number} | null;
	} | null;
	errors: Array<{step: StepId; message: string; at: number}>;
	/** Set while the run is stopped for a later resume. */
	interrupted: {signal: string; step: StepId; detail: string; at: number} | null;
	resumes: Array<{at: number; operator: {osUser: string; name: string}; host: string; reconciliation: string[]}>;
	previousRecord: {file: string; head: string} | null;
	lockSample: (LockSample & {at: number}) | null;
	/** Set once a restore put a new database under the target's name: the database a resume must find is that one (its OID). */
	replacedDatabase: {database: string; keptAs: string; previousOid: number; oid: number; at: number} | null;
	backendActions: BackendAction[];
	/** Durations of pending migrations in earlier runs (migrations.history); empty when none is known. */
	history: ExpectedDuration[];
	decisions: Decision[];
	outcome: RunOutcome | null;
	versionBefore: string | null;
	versionAfter: string | null;
	/** Why the version at the end is not known; null when it was read. */
	versionAfterUnknown: string | null;
	/** Why maintenance mode was left on at the end; null when it was not. */
	maintenanceLeftOn: string | null;
	/** Events of kinds this cutover does not know (a newer version wrote them), kept so a reader can say so. */
	unknownEvents: Array<{seq: number; kind: string}>;
	/** The check whose statement runs now, if any; `cancelRequested` once the operator asked to stop it. */
	runningCheck: {id: string; phase: CheckPhase; title: string; sql: string; startedAt: number; timeoutMs: number; cancelRequested: boolean} | null;
	/** Set while the run's lock is lost: it stops at the next safe point and goes on only once a resume retakes it. */
	lockLost: {detail: string; at: number} | null;
	/** The last INVALID indexes found before a migration outside a transaction; null when none were. */
	invalidIndexes: InvalidIndexes | null;
	/** The observation period; null until one starts (and in records older than it). */
	observation: ObservationState | null;
	/** A run over several databases: each one's own state, in the runbook's order; null in a run over one. */
	databases: DatabaseRun[] | null;
	/** The database whose event came last: the one the console shows. */
	activeDatabase: string | null;
	/** The versions of every database after the upgrade, and whether they agree; null until read. */
	versions: {versions: DatabaseVersion[]; consistent: boolean; problems: string[]; at: number} | null;
	/** The lint of the pending migrations and the findings the operator acknowledged; null until linted (and in older records). */
	lint: {findings: LintFinding[]; failure: string | null; acknowledged: Array<{rule: string; file: string; line: number}>} | null;
	/** The measured locks of the pending migrations (PostgreSQL); null when not traced (SQLite, --no-trace, older records). */
	lockImpact: {status: 'measuring'} | {status: 'traced'; report: LockTraceReport; left: string | null} | {status: 'failed'; reason: string} | null;
};

export type DatabaseRun = DatabaseLeg & {state: RunState};

const waiting = (): StepState => ({status: 'waiting', startedAt: null, finishedAt: null});

export const initialState = (): RunState => ({
	runId: null,
	toolVersion: null,
	operator: null,
	host: null,
	target: null,
	checklist: null,
	migrationsDir: null,
	mode: 'console',
	to: null,
	startedAt: null,
	finishedAt: null,
	now: 0,
	lastSeq: -1,
	step: 'window',
	steps: {
		window: waiting(),
		backup: waiting(),
		verify: waiting(),
		pre: waiting(),
		upgrade: waiting(),
		post: waiting(),
		rollback: waiting(),
		summary: waiting(),
	},
	fingerprint: null,
	plan: null,
	adoption: null,
	preflight: null,
	window: null,
	commands: [],
	backup: null,
	verification: null,
	checks: [],
	overrides: [],
	baseline: null,
	migrations: [],
	post: null,
	snapshots: {before: null, after: null, downgraded: null},
	rollback: null,
	errors: [],
	interrupted: null,
	resumes: [],
	previousRecord: null,
	lockSample: null,
	replacedDatabase: null,
	backendActions: [],
	history: [],
	decisions: [],
	outcome: null,
	versionBefore: null,
	versionAfter: null,
	versionAfterUnknown: null,
	maintenanceLeftOn: null,
	unknownEvents: [],
	runningCheck: null,
	lockLost: null,
	invalidIndexes: null,
	observation: null,
	databases: null,
	activeDatabase: null,
	versions: null,
	lint: null,
	lockImpact: null,
});

/**
 * A shallow copy of a state, as `{...state}` makes, field by field: V8 copies an object of this
 * many fields by a spread one property at a time, several times slower, and the reducer copies the
 * state for every event (a replay of a long record is mostly that). The fields are in
 * initialState's order, the order every state has; the return type makes leaving one out an error.
 */
export const copyState = (s: RunState): RunState => {
	// Every key, optional ones too: a field added to RunState and not here does not compile.
	const copy: {[K in keyof RunState]-?: RunState[K]} = {
		runId: s.runId,
		toolVersion: s.toolVersion,
		operator: s.operator,
		host: s.host,
		target: s.target,
		checklist: s.checklist,
		migrationsDir: s.migrationsDir,
		mode: s.mode,
		to: s.to,
		startedAt: s.startedAt,
		finishedAt: s.finishedAt,
		now: s.now,
		lastSeq: s.lastSeq,
		step: s.step,
		steps: s.steps,
		fingerprint: s.fingerprint,
		plan: s.plan,
		adoption: s.adoption,
		preflight: s.preflight,
		window: s.window,
		commands: s.commands,
		backup: s.backup,
		verification: s.verification,
		checks: s.checks,
		overrides: s.overrides,
		baseline: s.baseline,
		migrations: s.migrations,
		post: s.post,
		snapshots: s.snapshots,
		rollback: s.rollback,
		errors: s.errors,
		interrupted: s.interrupted,
		resumes: s.resumes,
		previousRecord: s.previousRecord,
		lockSample: s.lockSample,
		replacedDatabase: s.replacedDatabase,
		backendActions: s.backendActions,
		history: s.history,
		decisions: s.decisions,
		outcome: s.outcome,
		versionBefore: s.versionBefore,
		versionAfter: s.versionAfter,
		versionAfterUnknown: s.versionAfterUnknown,
		maintenanceLeftOn: s.maintenanceLeftOn,
		unknownEvents: s.unknownEvents,
		runningCheck: s.runningCheck,
		lockLost: s.lockLost,
		invalidIndexes: s.invalidIndexes,
		observation: s.observation,
		databases: s.databases,
		activeDatabase: s.activeDatabase,
		versions: s.versions,
		lint: s.lint,
		lockImpact: s.lockImpact,
	};
	return copy;
};
