import type {Expectation} from '../engine/judge.js';
import type {CheckPhase, PrepItem} from '../engine/model.js';
import type {ProbeSpec} from '../engine/probes.js';
import type {BackupPolicy} from '../ports/backup-tool.js';
import type {LockPolicy} from '../ports/migrator.js';

export type CheckDefinition = {
	id: string;
	title: string;
	/** A blocking pre-check that does not pass stops the upgrade unless the operator overrides it (`severity: block`; `warn` is false). */
	blocking: boolean;
	/** same-rows-as always names its check as phase.id, for example "pre.duplicate-meters". */
	expect: Expectation;
	/** The checklist's SQL, or what its declarative kind (unique, exists, …) compiled to for each engine. */
	sql: {sqlite?: string; postgres?: string};
	/** `evidence: N`: how many of the rows are kept as evidence; EVIDENCE_LIMIT when absent. */
	evidenceLimit?: number;
	/** row_count: the table it counts, as the checklist names it. */
	counts?: string;
	/** An HTTP or command probe: what it asks (sql then holds its text, the same for both engines). */
	probe?: ProbeSpec;
	/** How long its statement may run before it is stopped and the check recorded as timed out: its own `timeout:`, else the checklist's `checks: {timeout:}`, else 30 s. */
	timeoutMs: number;
	/** In a runbook over several databases: the one it runs on (`database:`); absent: it runs on each of them. */
	database?: string;
};

/** One database of a runbook over several (`databases:`): its name, and its migrations folder as the file gives it (relative to the file). */
export type RunbookDatabase = {name: string; migrations: string | null; format: string | null};

/** Where a check is listed: before or after the upgrade, or among the health checks (`cutover health`). */
export type CheckSection = CheckPhase | 'health';

export type ThresholdName = 'connections' | 'cache-hit' | 'lock-wait' | 'replication-lag';

/**
 * One line of the maintenance handbook's table: the level at which a figure warns and at which
 * it alerts (either may be absent). connections and cache-hit are shares (0–1), lock-wait and
 * replication-lag milliseconds. A cache hit ratio alerts below its level, the others above.
 */
export type Threshold = {warn: number | null; alert: number | null};

export type Thresholds = Partial<Record<ThresholdName, Threshold>>;

/** The `observe:` section: how long the observation period after post-verification lasts, and how often it reads the figures. */
export type Observation = {durationMs: number; everyMs: number};

/** A runbook, validated. */
export type Checklist = {
	name: string;
	/** Absolute path of the file it was loaded from. */
	path: string;
	/** sha256 (hex) of the file's bytes, so the record proves which runbook was followed. */
	sha256: string;
	window: {expectedMinutes: number};
	preparation: PrepItem[];
	/**
	 * Shell commands run when the window opens and closes. `off` is not run when the run leaves the
	 * schema between versions, unless `offWhenMidChange` (`off-when-mid-change: true`) says so.
	 */
	maintenance: {on: string | null; off: string | null; offWhenMidChange: boolean};
	/** health: what `cutover health` runs, without a run (data freshness, key tables not empty). */
	checks: {pre: CheckDefinition[]; post: CheckDefinition[]; health: CheckDefinition[]};
	/** The `thresholds:` section: only the figures the file names are judged. */
	thresholds: Thresholds;
	/** The `upgrade:` section: only what the file sets; the migrator fills in its defaults for the rest. */
	upgrade: Partial<LockPolicy>;
	/** The `backup:` section (PostgreSQL): only what the file sets; the backup tool fills in its defaults for the rest. */
	backup?: Partial<BackupPolicy>;
	/** False for a file of health checks and thresholds alone: no runbook for a run (no window, no gates). */
	forRun?: boolean;
	/** The `observe:` section; absent (or 0 minutes): no observation period. */
	observe?: Observation;
	/** The `databases:` section: a run over several databases, in this order; absent: a run over one. */
	databases?: RunbookDatabase[];
};
