import type {BackupTool, CommandObserver} from '../ports/backup-tool.js';
import type {Database} from '../ports/database.js';
import type {LockPolicy, Migrator} from '../ports/migrator.js';
import type {Target} from '../target.js';
import {openMigrator} from './migrator/index.js';
import {createPostgresBackupTool} from './postgres/backup-tool.js';
import {openPostgresDatabase} from './postgres/database.js';
import {createSqliteBackupTool} from './sqlite/backup-tool.js';
import {openSqliteDatabase} from './sqlite/database.js';

/** The one place that picks adapters by engine. */
export async function openDatabase(target: Target): Promise<Database> {
	return target.engine === 'postgres' ? openPostgresDatabase(target) : openSqliteDatabase(target);
}

/** `observe` hears of the external programs the tool runs (PostgreSQL's pg_dump and pg_restore; SQLite runs none). */
export function createBackupTool(target: Target, observe?: CommandObserver): BackupTool {
	return target.engine === 'postgres' ? createPostgresBackupTool(target, observe === undefined ? {} : {observe}) : createSqliteBackupTool(target);
}

export async function openTargetMigrator(target: Target, directory: string, lock?: Partial<LockPolicy>): Promise<Migrator> {
	return openMigrator({target, directory, ...(lock === undefined ? {} : {lock})});
}
