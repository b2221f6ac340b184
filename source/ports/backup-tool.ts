import type {BackupArtifact, BackupProgress, BackupVerification, Fingerprint, PreflightItem} from '../engine/model.js';

/** How a PostgreSQL backup is made: the checklist's `backup:` section sets any of it (SQLite has one way only). */
export type BackupPolicy = {
	/** auto: the directory format with parallel jobs from `parallelThresholdBytes` of database size up, the custom format below. */
	format: 'auto' | 'custom' | 'directory';
	parallelThresholdBytes: number;
	/** The most pg_dump/pg_restore jobs; null: as many as this machine's cores, up to 4. Fewer when the server or its free connections allow fewer. */
	jobs: number | null;
	/** pg_dump's gzip level, 0 (none) to 9. */
	compression: number;
};

/**
 * A low level by default: on 2 cores gzip level 1 dumped about 3× faster than pg_dump's
 * default (6), for a dump some 4 % larger (README, Backups).
 */
export const DEFAULT_BACKUP_POLICY: BackupPolicy = {format: 'auto', parallelThresholdBytes: 1024 ** 3, jobs: null, compression: 1};

export type BackupRequest = {
	/** Directory to write into; created if missing. */
	directory: string;
	/** File name without directory, chosen by the caller (database name and timestamp). */
	fileName: string;
	/** Called at least twice a second while the backup runs. */
	onProgress: (progress: BackupProgress) => void;
	signal?: AbortSignal;
};

export type RestoreOutcome = {
	/** One line on what happened, for example where the replaced file was kept. */
	detail: string;
	/** Set when the restore put a new database in place of the target (PostgreSQL): its identity changed. */
	replaced?: ReplacedDatabase;
};

/** The target's name now belongs to a new database; the one it replaced is kept under another name. */
export type ReplacedDatabase = {
	/** The target's name, now the restored database's. */
	database: string;
	/** Where the replaced database is kept, to drop once the operator is sure. */
	keptAs: string;
	previousOid: number;
	/** The restored database's OID: the target's fingerprint from here on. */
	oid: number;
};

/** What a restore would do, or why it cannot be done, for the rollback prompt. */
export type RestorePlan = {
	/** False when the tool cannot restore this target (a missing right, say); `note` says why. */
	available: boolean;
	/** One line: what restore does beyond replacing data (for example what it keeps aside), or why it is unavailable. */
	note: string;
};

/** Makes, checks and restores a backup of one target. */
export type BackupTool = {
	/** Short name of how the copy is made, for the record: "pg_dump custom format", "sqlite online backup". */
	readonly method: string;
	/** Throws a BackupError when the copy cannot be made; a partial file is removed. */
	backup(request: BackupRequest): Promise<BackupArtifact>;
	/** Never throws for a bad backup: a bad backup is a verification with ok false and the reason in its items. */
	verify(artifact: BackupArtifact): Promise<BackupVerification>;
	/** Puts the backup back in place of the target. Callers close their own connections first. */
	restore(artifact: BackupArtifact): Promise<RestoreOutcome>;
	/** What restore would do beyond replacing data, for the rollback prompt; checks it could be done (rights, reachability). */
	describeRestore(artifact: BackupArtifact): Promise<RestorePlan>;
	/**
	 * Before the window: are the programs a backup and a restore need there, and able to read
	 * this server (pg_dump and pg_restore of its major version or newer)? Never throws: a
	 * problem is a failed item. A tool that runs no program omits it.
	 */
	preflight?(server: Fingerprint): Promise<PreflightItem[]>;
};

/** Hears of each external program a backup tool runs (pg_dump, pg_restore), to journal it. */
export type CommandObserver = {
	started(command: string): {finished(exitCode: number, durationMs: number): void};
};
