import type {Clock} from '../ports/clock.js';
import type {BackupTool} from '../ports/backup-tool.js';
import type {Database} from '../ports/database.js';
import type {Directories} from '../ports/directories.js';
import type {Migrator} from '../ports/migrator.js';
import type {ProcessRunner} from '../ports/process-runner.js';
import type {Probes} from '../ports/probes.js';
import type {FigureReader} from '../ports/figures.js';
import type {Decider} from './decider.js';
import type {Runbook} from './plan-types.js';
import type {Session} from './session.js';

/** The connections a run holds on the target; closed for a restore and opened again after it. */
export type Connections = {
	readonly database: Database;
	readonly migrator: Migrator;
	close(): Promise<void>;
	reopen(): Promise<void>;
};

export type RunDeps = {
	session: Session;
	connections: Connections;
	backupTool: BackupTool;
	runner: ProcessRunner;
	/** HTTP and command probes of the runbook's checks. */
	probes: Probes;
	decider: Decider;
	clock: Clock;
	runbook: Runbook;
	backupsDir: string;
	/** Where the journal is written: preflight checks its room. */
	recordsDir: string;
	/** Room and write access of the backups and records directories, for the preflight. */
	directories: Directories;
	runId: string;
	/** Recorded in cutover_migrations.applied_by. */
	appliedBy: string;
	/** The watch's header figures for the observation period (PostgreSQL); absent or null where there are none (SQLite): not applicable. */
	figures?: FigureReader | null;
	/** Stop at the next safe point: set when the operator leaves. */
	signal: AbortSignal;
};
