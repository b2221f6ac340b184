import path from 'node:path';
import type {BackupTool} from '../../ports/index.js';
import {restoreFile} from './restore-file.js';
import {runBackup} from './run-backup.js';
import {verifyCopy} from './verify-copy.js';

export type SqliteBackupOptions = {
	/** Epoch milliseconds, for the name the replaced file is kept under. */
	now?: () => number;
};

/** Backs up one SQLite file with the online backup API, checks the copy, and swaps it back in on restore. */
export function createSqliteBackupTool(target: {path: string}, options: SqliteBackupOptions = {}): BackupTool {
	const file = path.resolve(target.path);
	const now = options.now ?? Date.now;
	return {
		method: 'sqlite online backup',
		backup: async request => runBackup(file, request),
		verify: async artifact => verifyCopy(artifact),
		restore: async artifact => restoreFile(file, artifact, now()),
		async describeRestore(artifact) {
			return {available: true, note: `replaces ${file} with ${artifact.path}; the current file is kept aside as ${file}.replaced-<time of restore>`};
		},
	};
}
