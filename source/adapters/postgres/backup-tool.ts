import {DEFAULT_BACKUP_POLICY, type BackupPolicy, type BackupTool, type CommandObserver} from '../../ports/backup-tool.js';
import {dumpDatabase} from './dump-backup.js';
import {defaultLockTimeoutMs, describeDumpRestore, restoreDump} from './dump-restore.js';
import {verifyDump} from './dump-verify.js';
import {formatSize, machineCores} from './dump-plan.js';
import {checkToolVersions} from './tool-versions.js';
import type {PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';

/** Backups of a PostgreSQL target with pg_dump's custom or directory format, checked and put back with pg_restore. */
export type PostgresBackupOptions = {
	pgDump?: string;
	pgRestore?: string;
	/** How long a restore waits for other sessions to leave the target before it refuses; 10 s unless given. */
	lockTimeoutMs?: number;
	/** The database a restore creates and renames databases from; `postgres` unless given (template1 when the target is `postgres`). */
	maintenanceDatabase?: string;
	/** Epoch milliseconds, for the name the replaced database is kept under. */
	now?: () => number;
	/** How long a backup (its row counts and pg_dump) waits for a table lock before it fails; 5 s unless given. */
	backupLockWaitMs?: number;
	/** Told of every pg_dump and pg_restore run. */
	observe?: CommandObserver;
	/** The checklist's `backup:` section; DEFAULT_BACKUP_POLICY fills in the rest. */
	policy?: Partial<BackupPolicy>;
	/** This machine's cores; os.availableParallelism() unless given. */
	cores?: number;
};

export function createPostgresBackupTool(target: PostgresTarget, options: PostgresBackupOptions = {}): BackupTool {
	const binaries: PgBinaries = {pgDump: options.pgDump ?? 'pg_dump', pgRestore: options.pgRestore ?? 'pg_restore', observe: options.observe};
	const policy: BackupPolicy = {...DEFAULT_BACKUP_POLICY, ...options.policy};
	const cores = options.cores ?? machineCores();
	const settings = {
		maintenanceDatabase: options.maintenanceDatabase ?? 'postgres',
		lockTimeoutMs: options.lockTimeoutMs ?? defaultLockTimeoutMs,
		now: options.now ?? Date.now,
		policy,
		cores,
	};
	// The name the rollback prompt announced is the name the replaced database gets.
	let plannedName: string | undefined;
	return {
		method: describeMethod(policy),
		backup: async request => dumpDatabase(target, binaries, request, {policy, cores, ...(options.backupLockWaitMs === undefined ? {} : {lockWaitMs: options.backupLockWaitMs})}),
		verify: async artifact => verifyDump(target, binaries, artifact, {concurrency: Math.max(2, Math.min(cores, 4))}),
		restore: async artifact => restoreDump(target, binaries, artifact, {...settings, plannedName}),
		async describeRestore(artifact) {
			const {keptAs, ...plan} = await describeDumpRestore(target, artifact, settings);
			plannedName = keptAs;
			return plan;
		},
		preflight: async server => checkToolVersions(binaries, server.serverVersion),
	};
}

function describeMethod(policy: BackupPolicy): string {
	const level = policy.compression === 0 ? 'uncompressed' : `gzip level ${policy.compression}`;
	const jobs = policy.jobs === null ? 'parallel jobs' : `up to ${policy.jobs} jobs`;
	switch (policy.format) {
		case 'custom': {
			return `pg_dump custom format, ${level}`;
		}

		case 'directory': {
			return `pg_dump directory format, ${jobs}, ${level}`;
		}

		case 'auto': {
			return `pg_dump custom, or directory with ${jobs} from ${formatSize(policy.parallelThresholdBytes)}; ${policy.compression === 0 ? 'uncompressed' : `gzip ${policy.compression}`}`;
		}
	}
}
