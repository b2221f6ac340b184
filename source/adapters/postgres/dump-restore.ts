import {randomBytes} from 'node:crypto';
import type {BackupArtifact} from '../../engine/model.js';
import {BackupError} from '../../errors/index.js';
import type {RestoreOutcome} from '../../ports/index.js';
import {connectForBackup} from './connect.js';
import {parseDumpList, tablesOfKind} from './dump-list.js';
import {sha256File} from './file-digest.js';
import {describeFailure, runPgTool, type PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {describeHolders, watchLocks} from './lock-watch.js';
import {listUserTables, qualified, type UserTable} from './user-tables.js';

/** Long enough for a busy but healthy server, short enough that a forgotten session fails the restore instead of hanging it. */
export const defaultLockTimeoutMs = 10_000;

export async function describeDumpRestore(target: PostgresTarget, binaries: PgBinaries, artifact: BackupArtifact): Promise<string> {
	const extra = await tablesCreatedSince(target, binaries, artifact);
	const replace = 'replaces every table in the backup with its backed-up definition and rows (pg_restore --clean, one transaction)';
	return extra.length === 0
		? `${replace}; no tables were created since the backup`
		: `drops tables created since the backup: ${extra.map(entry => entry.name).join(', ')}; then ${replace}`;
}

export async function restoreDump(target: PostgresTarget, binaries: PgBinaries, artifact: BackupArtifact, lockTimeoutMs = defaultLockTimeoutMs): Promise<RestoreOutcome> {
	const actual = await sha256File(artifact.path).catch((error: unknown) => {
		throw new BackupError(`cannot read the backup ${artifact.path}`, {path: artifact.path, hint: 'check the file is still there and readable', cause: error});
	});
	if (actual !== artifact.sha256) {
		throw new BackupError(`the backup ${artifact.path} changed since it was written (sha256 ${actual}, expected ${artifact.sha256})`, {
			path: artifact.path,
			hint: 'nothing was restored; find an intact copy of the backup before restoring',
		});
	}

	const extra = await tablesCreatedSince(target, binaries, artifact);
	await dropTables(target, artifact.path, extra, lockTimeoutMs);
	const applicationName = `cutover-restore-${randomBytes(4).toString('hex')}`;
	const watch = await watchLocks(target, artifact.path, applicationName, lockTimeoutMs);
	let run;
	let holders;
	try {
		run = await runPgTool(
			binaries,
			binaries.pgRestore,
			['--clean', '--if-exists', '--single-transaction', '--no-owner', '--exit-on-error', '--no-password', `--dbname=${target.connectionString}`, artifact.path],
			target,
			{path: artifact.path, applicationName},
		);
	} finally {
		holders = await watch.stop();
	}

	if (run.exitCode !== 0) {
		const dropped = extra.length === 0 ? '' : ` (the tables created since the backup were already dropped: ${names(extra)})`;
		if (holders !== undefined) {
			throw new BackupError(`restore of ${target.display} waited more than ${lockTimeoutMs / 1000} s for locks held by other sessions: ${describeHolders(holders)}; pg_restore was cancelled${dropped}`, {
				path: artifact.path,
				hint: 'other sessions hold locks on the tables: close them (or SELECT pg_terminate_backend(pid)) and restore again; pg_restore rolled back, the data is as before',
			});
		}

		throw new BackupError(`restore of ${target.display} from ${artifact.path} failed: ${describeFailure('pg_restore', run)}${dropped}`, {
			path: artifact.path,
			hint: 'pg_restore rolled back its transaction, so the tables in the backup are as they were; read its message, fix the cause and restore again',
		});
	}

	const droppedText = extra.length === 0 ? 'no tables needed dropping' : `dropped tables created since the backup: ${names(extra)}`;
	return {detail: `restored ${artifact.path} into ${target.display} with pg_restore --clean in one transaction; ${droppedText}`};
}

/** Tables in the target now that the dump does not define: pg_restore --clean would leave them behind. */
async function tablesCreatedSince(target: PostgresTarget, binaries: PgBinaries, artifact: BackupArtifact): Promise<UserTable[]> {
	const run = await runPgTool(binaries, binaries.pgRestore, ['--list', artifact.path], target, {path: artifact.path, keepStdout: true});
	if (run.exitCode !== 0) {
		throw new BackupError(`cannot read the backup ${artifact.path}: ${describeFailure('pg_restore', run)}`, {path: artifact.path, hint: 'verify the backup; a restore needs a readable dump'});
	}

	const inDump = tablesOfKind(parseDumpList(run.stdout), 'TABLE');
	const client = await connectForBackup(target, artifact.path);
	try {
		// The bookkeeping table counts too: if it was created after the backup, the restored database has none.
		return (await listUserTables(client, {includeBookkeeping: true})).filter(entry => !inDump.has(entry.name));
	} finally {
		await client.end();
	}
}

async function dropTables(target: PostgresTarget, file: string, tables: UserTable[], lockTimeoutMs: number): Promise<void> {
	if (tables.length === 0) {
		return;
	}

	const client = await connectForBackup(target, file);
	try {
		await client.query('BEGIN');
		await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
		for (const entry of tables) {
			// CASCADE: a foreign key or view added since the backup would otherwise block the restore's own drops.
			// eslint-disable-next-line no-await-in-loop -- statements of one transaction run in order
			await client.query(`DROP TABLE IF EXISTS ${qualified(entry)} CASCADE`);
		}

		await client.query('COMMIT');
	} catch (error) {
		await client.query('ROLLBACK').catch(() => {});
		const reason = error instanceof Error ? error.message : String(error);
		throw new BackupError(`cannot drop the tables created since the backup (${names(tables)}) in ${target.display}: ${reason}`, {
			path: file,
			hint: /lock timeout/i.test(reason)
				? 'other sessions hold locks on them: close those sessions (see pg_stat_activity) and restore again; nothing was changed'
				: 'nothing was changed; fix the cause and restore again',
			cause: error,
		});
	} finally {
		await client.end();
	}
}

function names(tables: UserTable[]): string {
	return tables.map(entry => entry.name).join(', ');
}
