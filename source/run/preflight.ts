import {formatBytes} from '../engine/bytes.js';
import type {Fingerprint, MigrationPlan, PreflightItem} from '../engine/model.js';
import {CutoverError} from '../errors/index.js';
import type {BackupTool} from '../ports/backup-tool.js';
import type {Directories, DirectoryStatus} from '../ports/directories.js';

/** Room a record and its checkpoints need besides the backup: a long run with big evidence stays well under this. */
export const RECORDS_ROOM_BYTES = 8 * 1024 * 1024;

export type PreflightInput = {
	fingerprint: Fingerprint;
	/** The migrations as loaded and compared with the database, or what loading them threw. */
	plan: {ok: true; plan: MigrationPlan} | {ok: false; error: unknown};
	backupTool: Pick<BackupTool, 'preflight'>;
	directories: Directories;
	backupsDir: string;
	recordsDir: string;
};

/**
 * Everything that can be known before the window, checked before it: the migrations load and
 * the applied ones match their files, the backup's programs can read this server, and the
 * backups and records directories take writes and have room for the backup (the database's
 * size as the estimate) and the record. Returns the items; never throws.
 */
export async function runPreflight(input: PreflightInput): Promise<PreflightItem[]> {
	const items: PreflightItem[] = [migrationsItem(input.plan)];
	if (input.plan.ok) {
		items.push(driftItem(input.plan.plan));
	}

	items.push(...await toolItems(input));
	const [backups, records] = await Promise.all([input.directories.probe(input.backupsDir), input.directories.probe(input.recordsDir)]);
	const expected = input.fingerprint.sizeBytes;
	const shared = backups.writable && records.writable && backups.device === records.device;
	items.push(
		directoryItem({id: 'backups', title: 'backups directory', flag: '--backups'}, input.backupsDir, backups, expected + (shared ? RECORDS_ROOM_BYTES : 0),
			`the backup (about ${formatBytes(expected)}, the database's size)${shared ? ' and the record, on the same filesystem' : ''}`),
		directoryItem({id: 'records', title: 'records directory', flag: '--records'}, input.recordsDir, records, RECORDS_ROOM_BYTES, 'the record and its checkpoints'),
	);
	return items;
}

function migrationsItem(plan: PreflightInput['plan']): PreflightItem {
	const item = (ok: boolean, detail: string): PreflightItem => ({id: 'migrations', title: 'migrations folder', ok, blocking: true, detail});
	if (!plan.ok) {
		const {error} = plan;
		const message = error instanceof Error ? error.message : String(error);
		return item(false, error instanceof CutoverError ? `${message}; ${error.hint}` : message);
	}

	const {applied, pending} = plan.plan;
	return item(true, `${applied.length + pending.length} migration${applied.length + pending.length === 1 ? '' : 's'} load, ${pending.length} pending`);
}

function driftItem(plan: MigrationPlan): PreflightItem {
	const drifted = plan.applied.filter(m => m.drift !== 'none');
	const item = (ok: boolean, detail: string): PreflightItem => ({id: 'drift', title: 'applied migrations unchanged', ok, blocking: true, detail});
	if (drifted.length === 0) {
		return item(true, `the ${plan.applied.length} applied match their files`);
	}

	const what = drifted.map(m => `${m.name} ${m.drift === 'missing' ? 'is missing from the migrations folder' : 'was changed on disk after it was applied'}`);
	return item(false, `${what.join('; ')}: the schema is not what the files say; put the files back as they were applied (their sha256 is in cutover_migrations.checksum), then run again`);
}

async function toolItems(input: PreflightInput): Promise<PreflightItem[]> {
	if (input.backupTool.preflight === undefined) {
		return [];
	}

	try {
		return await input.backupTool.preflight(input.fingerprint);
	} catch (error) {
		return [{id: 'backup-tool', title: 'backup tools', ok: false, blocking: true, detail: error instanceof Error ? error.message : String(error)}];
	}
}

function directoryItem(which: {id: string; title: string; flag: string}, directory: string, status: DirectoryStatus, needed: number, forWhat: string): PreflightItem {
	const item = (ok: boolean, detail: string): PreflightItem => ({id: which.id, title: which.title, ok, blocking: true, detail});
	if (!status.writable) {
		return item(false, `${directory} cannot be written (${status.problem}); make it writable for this user, or choose another with ${which.flag}`);
	}

	if (status.freeBytes < needed) {
		return item(false, `${directory} has ${formatBytes(status.freeBytes)} free, less than the ${formatBytes(needed)} needed for ${forWhat}; free space there, or choose another directory with ${which.flag}`);
	}

	return item(true, `${formatBytes(status.freeBytes)} free, ${formatBytes(needed)} needed`);
}

