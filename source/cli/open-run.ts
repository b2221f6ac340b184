import {randomUUID} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {openDatabase, openTargetMigrator} from '../adapters/open-target.js';
import {openFileJournal} from '../adapters/journal-file.js';
import type {Settings} from '../adapters/settings.js';
import type {Database} from '../ports/database.js';
import type {LockPolicy, Migrator} from '../ports/migrator.js';
import {createRunLock} from '../adapters/run-lock/index.js';
import type {RunLockHandle} from '../ports/run-lock.js';
import type {Connections} from '../run/run-deps.js';
import type {Target} from '../target.js';
import type {FormatName} from '../adapters/migrator/formats/types.js';

/** Connections to the target that a restore can close and open again. */
export async function openConnections(target: Target, migrationsDir: string, lock?: Partial<LockPolicy>, format: FormatName | null = null): Promise<Connections> {
	let database: Database = await openDatabase(target);
	let migrator: Migrator;
	try {
		migrator = await openTargetMigrator(target, migrationsDir, lock, format);
	} catch (error) {
		await database.close();
		throw error;
	}

	let open = true;
	return {
		get database() {
			return database;
		},
		get migrator() {
			return migrator;
		},
		async close() {
			if (open) {
				open = false;
				await Promise.allSettled([database.close(), migrator.close()]);
			}
		},
		async reopen() {
			if (!open) {
				database = await openDatabase(target);
				migrator = await openTargetMigrator(target, migrationsDir, lock, format);
				open = true;
			}
		},
	};
}

export type RunIdentity = {
	runId: string;
	journalPath: string;
	operator: {osUser: string; name: string};
	host: string;
};

export function newRunIdentity(settings: Settings, databaseName: string, now: number): RunIdentity {
	const runId = randomUUID();
	const stamp = new Date(now).toISOString().replaceAll(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
	const safeName = databaseName.replaceAll(/[^\w.-]/g, '_');
	return {
		runId,
		journalPath: path.join(settings.recordsDir, `${stamp}-${safeName}-${runId.slice(0, 8)}.jsonl`),
		operator: {osUser: os.userInfo().username, name: settings.operatorName},
		host: os.hostname(),
	};
}

export function openJournal(identity: RunIdentity, target: Target) {
	return openFileJournal({
		path: identity.journalPath,
		runId: identity.runId,
		secrets: secretsOf(target),
	});
}

/** The database name as the operator would type it, as resolved before connecting (for messages and file names). */
export function guessDatabaseName(target: Target): string {
	if (target.engine === 'sqlite') {
		return path.basename(target.path).replace(/\.[^.]+$/, '');
	}

	return target.connection.dbname;
}

/** What the journal must never write: the password the target was resolved with. */
export function secretsOf(target: Target): string[] {
	return target.engine === 'postgres' && target.connection.password !== undefined ? [target.connection.password] : [];
}

/**
 * One run per database at a time. Taken before anything is journaled, so a refused run leaves
 * no record; an abandoned lock (its process gone) is taken over and said so.
 */
export async function takeRunLock(target: Target, identity: Pick<RunIdentity, 'runId' | 'operator' | 'host'>, now: number): Promise<RunLockHandle> {
	const handle = await createRunLock(target).acquire({
		runId: identity.runId,
		operator: `${identity.operator.name} (${identity.operator.osUser})`,
		host: identity.host,
		pid: process.pid,
		since: now,
	});
	if (handle.replaced !== null) {
		process.stderr.write(`cutover: took over the run lock of run ${handle.replaced.runId} (${handle.replaced.operator} on ${handle.replaced.host}, pid ${handle.replaced.pid}), whose process is gone\n`);
	}

	return handle;
}
