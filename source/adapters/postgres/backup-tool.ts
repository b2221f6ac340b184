import type {BackupTool, CommandObserver} from '../../ports/backup-tool.js';
import {dumpDatabase} from './dump-backup.js';
import {describeDumpRestore, restoreDump} from './dump-restore.js';
import {verifyDump} from './dump-verify.js';
import type {PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';

/** Backups of a PostgreSQL target with pg_dump's custom format, checked and put back with pg_restore. */
export type PostgresBackupOptions = {
	pgDump?: string;
	pgRestore?: string;
	/** How long a restore waits for a lock another session holds before it fails; 10 s unless given. */
	lockTimeoutMs?: number;
	/** Told of every pg_dump and pg_restore run. */
	observe?: CommandObserver;
};

export function createPostgresBackupTool(target: PostgresTarget, options: PostgresBackupOptions = {}): BackupTool {
	const binaries: PgBinaries = {pgDump: options.pgDump ?? 'pg_dump', pgRestore: options.pgRestore ?? 'pg_restore', observe: options.observe};
	return {
		method: 'pg_dump custom format',
		backup: async request => dumpDatabase(target, binaries, request),
		verify: async artifact => verifyDump(target, binaries, artifact),
		restore: async artifact => restoreDump(target, binaries, artifact, options.lockTimeoutMs),
		describeRestore: async artifact => describeDumpRestore(target, binaries, artifact),
	};
}
