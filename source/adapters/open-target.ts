import type {BackupPolicy, BackupTool, CommandObserver} from '../ports/backup-tool.js';
import type {Adopter} from '../ports/adopter.js';
import type {Database} from '../ports/database.js';
import type {LockPolicy, Migrator} from '../ports/migrator.js';
import type {Target} from '../target.js';
import type {FormatName} from './migrator/formats/types.js';

// Adapters are imported when opened, and only the target's engine's: `cutover status` of a SQLite
// file never loads pg, and nothing loads pg_dump's wrappers before a run needs a backup tool.

/** The one place that picks adapters by engine. */
export async function openDatabase(target: Target): Promise<Database> {
	return target.engine === 'postgres'
		? (await import('./postgres/database.js')).openPostgresDatabase(target)
		: (await import('./sqlite/database.js')).openSqliteDatabase(target);
}

/**
 * `observe` hears of the external programs the tool runs (PostgreSQL's pg_dump and pg_restore; SQLite runs none);
 * `policy` is the checklist's `backup:` section, which only PostgreSQL's tool has choices for.
 */
export async function createBackupTool(target: Target, observe?: CommandObserver, policy?: Partial<BackupPolicy>): Promise<BackupTool> {
	return target.engine === 'postgres'
		? (await import('./postgres/backup-tool.js')).createPostgresBackupTool(target, {...(observe === undefined ? {} : {observe}), ...(policy === undefined ? {} : {policy})})
		: (await import('./sqlite/backup-tool.js')).createSqliteBackupTool(target);
}

/** What the backup tool's preflight will ask of this machine, asked now (PostgreSQL's pg_dump and pg_restore versions). */
export function warmBackupTool(target: Target): void {
	if (target.engine === 'postgres') {
		// A failure here is the preflight's to report, when it asks again.
		import('./postgres/tool-versions.js').then(tools => {
			tools.prefetchToolVersions();
		}).catch(() => {});
	}
}

export async function openTargetMigrator(target: Target, directory: string, lock?: Partial<LockPolicy>, format: FormatName | null = null): Promise<Migrator> {
	return (await import('./migrator/open-migrator.js')).openMigrator({target, directory, format, ...(lock === undefined ? {} : {lock})});
}

/** What import, baseline and status use to adopt a database another tool migrated. */
export async function openTargetAdopter(target: Target, directory: string, format: FormatName | null = null): Promise<Adopter> {
	return (await import('./migrator/open-adopter.js')).openAdopter(target, directory, format);
}
