import {randomBytes} from 'node:crypto';
import type pg from 'pg';
import type {BackupArtifact} from '../../engine/model.js';
import {BackupError} from '../../errors/index.js';
import type {BackupPolicy} from '../../ports/backup-tool.js';
import type {RestoreOutcome, RestorePlan} from '../../ports/index.js';
import {connectForBackup} from './connect.js';
import {createDatabaseSql, readDatabaseProperties} from './database-properties.js';
import {copyDatabaseSettings} from './database-settings.js';
import {swapDatabases} from './database-swap.js';
import {ownersOf, parseDumpList, tablesOfKind} from './dump-list.js';
import {checkManifest, describeManifestCheck, manifestDigest} from './dump-manifest.js';
import {readServerRoom, restoreJobs} from './dump-plan.js';
import {sha256File} from './file-digest.js';
import {describeSessions, waitForOtherSessions} from './other-sessions.js';
import {dbnameArgument, describeFailure, runPgTool, type PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {freshName, replacedName} from './restore-names.js';
import {ownersOutOfReach, restoreRefusal} from './restore-rights.js';
import {quoteIdentifier, tableName} from './user-tables.js';
import {withDatabase} from './with-database.js';

/** How long a restore waits for other sessions to leave the target before it refuses. */
export const defaultLockTimeoutMs = 10_000;

export type RestoreSettings = {
	/** Where CREATE DATABASE and the renames are issued from: never the target itself. */
	maintenanceDatabase: string;
	lockTimeoutMs: number;
	now: () => number;
	/** The name the cost line announced for the replaced database, when it is still free. */
	plannedName?: string | undefined;
	/** Caps pg_restore's jobs for a directory backup (its `jobs`). */
	policy: BackupPolicy;
	cores: number;
};

/** The target's name and the connection the restore works from. */
type Place = {name: string; maintenance: PostgresTarget};

export async function describeDumpRestore(target: PostgresTarget, artifact: BackupArtifact, settings: RestoreSettings): Promise<RestorePlan & {keptAs?: string}> {
	let place: Place;
	let client: pg.Client;
	try {
		place = await locate(target, settings, artifact.path);
		client = await connectForBackup(place.maintenance, artifact.path);
	} catch (error) {
		return {available: false, note: `restore needs a connection to the target and to a maintenance database: ${error instanceof Error ? error.message : String(error)}`};
	}

	try {
		const refusal = await restoreRefusal(client, place.name);
		if (refusal !== null) {
			return {available: false, note: refusal};
		}

		const size = await client.query<[string]>({text: 'SELECT pg_catalog.pg_size_pretty(pg_catalog.pg_database_size($1::text))', values: [place.name], rowMode: 'array'});
		const keptAs = replacedName(place.name, settings.now());
		const how = artifact.format === 'pg-directory' ? `pg_restore with up to ${restoreJobs(settings.policy, settings.cores, await readServerRoom(client))} parallel jobs` : 'pg_restore in one transaction';
		const note = `restores into a new database (${how}, checked), then renames it to "${place.name}" and keeps the replaced database as "${keptAs}", with its data as it is now (drop it once you are sure: DROP DATABASE ${quoteIdentifier(keptAs)}); needs room for a second copy (the database is ${size.rows[0]?.[0] ?? 'of unknown size'} now), and no other session connected to "${place.name}" (other sessions are refused, never ended)`;
		return {available: true, note, keptAs};
	} catch (error) {
		return {available: false, note: `cannot tell whether this role may restore: ${error instanceof Error ? error.message : String(error)}`};
	} finally {
		await client.end().catch(() => {});
	}
}

/**
 * Restores into a fresh database made like the target (template0, its encoding, locale and
 * owner, its database-level settings), checks it holds every table of the dump, then swaps
 * the names in one transaction. Until that commit the target is untouched and the fresh
 * database is dropped on any failure; after it, the replaced database is kept aside.
 */
export async function restoreDump(target: PostgresTarget, binaries: PgBinaries, artifact: BackupArtifact, settings: RestoreSettings): Promise<RestoreOutcome> {
	const file = artifact.path;
	// Two reads of the backup that change nothing, overlapped with making the fresh database (a
	// rollback is waiting on them): pg_restore runs nothing of the backup before both have passed,
	// and nothing is done to the target before the swap. Their failures are reported first, in
	// this order, whatever else failed: a changed backup, then an unreadable one.
	const checks = Promise.allSettled([
		checkIntact(artifact, Math.max(2, Math.min(settings.cores, 4))),
		runPgTool(binaries, binaries.pgRestore, ['--list', file], target, {path: file, keepStdout: true}),
	]);
	const listing = async (): Promise<string> => {
		const [intact, listed] = await checks;
		if (intact.status === 'rejected') {
			throw intact.reason;
		}

		if (listed.status === 'rejected') {
			throw listed.reason;
		}

		if (listed.value.exitCode !== 0) {
			throw new BackupError(`cannot read the backup ${file}: ${describeFailure('pg_restore', listed.value)}`, {path: file, hint: 'verify the backup; a restore needs a readable dump; nothing was changed'});
		}

		return listed.value.stdout;
	};

	const checked = listing();
	// Once a check has failed the fresh database is not made (nor waited for): the restore cannot go on.
	let failed = false;
	checked.catch(() => {
		failed = true;
	});
	// The maintenance database's connection opens while the target is asked its name: only when the target is that
	// database does the restore work from template1 instead (and that first connection is not used).
	const speculative = connectForBackup(withDatabase(target, settings.maintenanceDatabase), file);
	speculative.catch(() => {});
	let place: Place;
	let client: pg.Client;
	try {
		place = await locate(target, settings, file);
		if (place.name !== settings.maintenanceDatabase) {
			client = await speculative;
		} else {
			void speculative.then(async unused => unused.end(), () => {}).catch(() => {});
			client = await connectForBackup(place.maintenance, file);
		}
	} catch (error) {
		void speculative.then(async unused => unused.end(), () => {}).catch(() => {});
		await checked;
		throw error;
	}

	try {
		const job = {target, binaries, artifact, settings, place};
		const [made, listed] = await Promise.allSettled([makeFresh(client, job, () => failed), checked]);
		if (listed.status === 'rejected') {
			throw made.status === 'fulfilled' ? await dropFresh(client, made.value.fresh, file, listed.reason) : listed.reason;
		}

		if (made.status === 'rejected') {
			throw made.reason;
		}

		return await restoreFrom(client, {...job, listing: listed.value}, made.value);
	} finally {
		await client.end().catch(() => {});
	}
}

type Job = {target: PostgresTarget; binaries: PgBinaries; artifact: BackupArtifact; settings: RestoreSettings; place: Place; listing: string};

/** The fresh database, made like the target, and what the swap needs to know of the target. */
type Fresh = {fresh: string; original: NonNullable<Awaited<ReturnType<typeof readDatabaseProperties>>>; keptAs: string; superuser: boolean; notes: string[]};

/** `checksFailed`: the backup failed a check meanwhile; then nothing is made (that failure is what gets reported). */
async function makeFresh(client: pg.Client, job: Omit<Job, 'listing'>, checksFailed: () => boolean): Promise<Fresh> {
	const {artifact, settings, place} = job;
	const file = artifact.path;
	const unchanged = (message: string, hint: string, cause?: unknown) =>
		new BackupError(`${message}; nothing was changed`, cause === undefined ? {path: file, hint} : {path: file, hint, cause});

	const refusal = await restoreRefusal(client, place.name);
	if (refusal !== null) {
		throw unchanged(`cannot restore "${place.name}": ${refusal}`, 'a restore creates the restored copy as a new database and renames the current one aside, which needs both rights');
	}

	const original = await readDatabaseProperties(client, place.name);
	if (original === null) {
		throw unchanged(`there is no database "${place.name}" to restore into`, 'check the target');
	}

	const sessions = await waitForOtherSessions(client, original.oid, settings.lockTimeoutMs, checksFailed);
	if (sessions.length > 0) {
		throw unchanged(`cannot restore "${place.name}": ${sessions.length} other session${sessions.length === 1 ? ' is' : 's are'} connected to it: ${describeSessions(sessions)}`, sessionsHint(place.name));
	}

	const keptAs = await freeName(client, file, settings.plannedName, () => replacedName(place.name, settings.now()));
	const fresh = freshName(place.name, randomBytes(4).toString('hex'));
	const superuser = (await client.query<[boolean]>({text: 'SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user', rowMode: 'array'})).rows[0]?.[0] === true;
	if (checksFailed()) {
		throw unchanged('the backup failed its checks', 'see the check\'s own message');
	}

	try {
		await client.query(createDatabaseSql(client, fresh, original));
	} catch (error) {
		throw unchanged(`cannot create the database "${fresh}" to restore into: ${messageOf(error)}`, 'a restore needs the right to create databases and room for a second copy', error);
	}

	try {
		return {fresh, original, keptAs, superuser, notes: await copyDatabaseSettings(client, original, fresh)};
	} catch (error) {
		throw await dropFresh(client, fresh, file, error);
	}
}

async function restoreFrom(client: pg.Client, job: Job, made: Fresh): Promise<RestoreOutcome> {
	const {artifact, settings, place} = job;
	const {fresh, original, keptAs, notes} = made;
	const file = artifact.path;
	let strangers: string[];
	try {
		strangers = made.superuser ? [] : await ownersOutOfReach(client, ownersOf(job.listing));
		// The fresh database has the target's CONNECTION LIMIT, which pg_restore's N + 1 sessions must fit too.
		const jobs = job.artifact.format === 'pg-directory' ? restoreJobs(settings.policy, settings.cores, await readServerRoom(client)) : 1;
		await restoreInto(job, fresh, strangers, original.connectionLimit >= 0 ? Math.max(1, Math.min(jobs, original.connectionLimit - 1)) : jobs);
		await checkTables(job, fresh);
		// pg_restore takes a while: someone may have connected meanwhile, and the rename would fail on them.
		const late = await waitForOtherSessions(client, original.oid, settings.lockTimeoutMs);
		if (late.length > 0) {
			throw new BackupError(`cannot swap "${place.name}" for its restored copy: ${late.length} other session${late.length === 1 ? '' : 's'} connected to it while it was restored: ${describeSessions(late)}`, {path: file, hint: sessionsHint(place.name)});
		}
	} catch (error) {
		throw await dropFresh(client, fresh, file, error);
	}

	// Outside the drop above: a swap whose outcome could not be read back (the connection lost at COMMIT) says so as it is.
	const swap = await swapDatabases(client, {original, fresh, keptAs, file}, async () => connectForBackup(place.maintenance, file));
	if (!swap.ok) {
		throw await dropFresh(client, fresh, file, swap.error);
	}

	const ownership = strangers.length === 0 ? 'owners kept' : `objects owned by ${strangers.join(', ')} are owned by the restoring role instead (pg_restore --no-owner: it may not act as them)`;
	const extra = notes.length === 0 ? '' : `, except: ${notes.join('; ')}`;
	return {
		detail: `restored ${file} into a new database, now "${place.name}" (OID ${swap.oid}, was ${original.oid}); the replaced database is kept as "${keptAs}" (drop it once you are sure: DROP DATABASE ${quoteIdentifier(keptAs)}); ${ownership}; database settings, comment and grants copied${extra}`,
		replaced: {database: place.name, keptAs, previousOid: original.oid, oid: swap.oid},
	};
}

/** The target's name as the server knows it, and the maintenance database to work from. */
async function locate(target: PostgresTarget, settings: RestoreSettings, file: string): Promise<Place> {
	const client = await connectForBackup(target, file);
	let name: string;
	try {
		name = (await client.query<[string]>({text: 'SELECT current_database()', rowMode: 'array'})).rows[0]?.[0] ?? '';
	} finally {
		await client.end().catch(() => {});
	}

	// A database cannot be renamed from a session connected to it.
	const maintenance = settings.maintenanceDatabase === name ? 'template1' : settings.maintenanceDatabase;
	return {name, maintenance: withDatabase(target, maintenance)};
}

async function freeName(client: pg.Client, file: string, planned: string | undefined, next: () => string): Promise<string> {
	const taken = async (name: string) => (await client.query({text: 'SELECT FROM pg_catalog.pg_database WHERE datname = $1', values: [name]})).rowCount !== 0;
	if (planned !== undefined && !await taken(planned)) {
		return planned;
	}

	// Two restores of one database within a second would pick one name: the second gets `_2`, `_3`…
	const name = next();
	for (const candidate of [name, ...[2, 3, 4, 5, 6, 7, 8, 9].map(n => `${name}_${n}`)]) {
		// eslint-disable-next-line no-await-in-loop -- one name at a time, in order
		if (Buffer.byteLength(candidate) <= 63 && !await taken(candidate)) {
			return candidate;
		}
	}

	throw new BackupError(`a database named "${name}" exists already; nothing was changed`, {path: file, hint: 'wait a second and restore again, or rename that database'});
}

/** The backup is as it was written: the file's sha256, or every file of the directory against the record's manifest. */
async function checkIntact(artifact: BackupArtifact, concurrency: number): Promise<void> {
	const file = artifact.path;
	const unreadable = (error: unknown) => new BackupError(`cannot read the backup ${file}`, {path: file, hint: 'check the backup is still there and readable', cause: error});
	const changed = (detail: string) => new BackupError(`the backup ${file} changed since it was written (${detail})`, {
		path: file,
		hint: 'nothing was restored; find an intact copy of the backup before restoring',
	});
	if (artifact.format === 'pg-directory') {
		const recorded = artifact.files ?? [];
		if (recorded.length === 0 || manifestDigest(recorded) !== artifact.sha256) {
			throw changed(`the record's manifest does not hash to ${artifact.sha256}`);
		}

		const problem = describeManifestCheck(await checkManifest(file, recorded, concurrency).catch((error: unknown) => {
			throw unreadable(error);
		}));
		if (problem !== null) {
			throw changed(problem);
		}

		return;
	}

	const actual = await sha256File(file).catch((error: unknown) => {
		throw unreadable(error);
	});
	if (actual !== artifact.sha256) {
		throw changed(`sha256 ${actual}, expected ${artifact.sha256}`);
	}
}

/**
 * A custom-format dump restores in one transaction; a directory backup with parallel jobs, which
 * pg_restore cannot run in one transaction. Either way it goes into a fresh database that is
 * dropped on failure, so the target never sees a half restore.
 */
async function restoreInto(job: Job, fresh: string, strangers: string[], jobs: number): Promise<void> {
	const destination = withDatabase(job.target, fresh);
	const mode = job.artifact.format === 'pg-directory' && jobs > 1 ? [`--jobs=${jobs}`] : ['--single-transaction'];
	const args = [...mode, '--exit-on-error', '--no-password', ...(strangers.length === 0 ? [] : ['--no-owner']), dbnameArgument(destination, 'cutover restore'), job.artifact.path];
	const run = await runPgTool(job.binaries, job.binaries.pgRestore, args, destination, {path: job.artifact.path});
	if (run.exitCode !== 0) {
		throw new Error(describeFailure('pg_restore', run));
	}
}

/** Every table the dump defines is in the restored copy. */
async function checkTables(job: Job, fresh: string): Promise<void> {
	const expected = tablesOfKind(parseDumpList(job.listing), 'TABLE');
	const client = await connectForBackup(withDatabase(job.target, fresh), job.artifact.path);
	try {
		const result = await client.query<[string, string]>({
			text: `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')`,
			rowMode: 'array',
		});
		const present = new Set(result.rows.map(([schema, table]) => tableName(schema, table)));
		const missing = [...expected].filter(name => !present.has(name)).sort();
		if (missing.length > 0) {
			throw new Error(`the restored copy lacks tables of the dump: ${missing.join(', ')}`);
		}
	} finally {
		await client.end().catch(() => {});
	}
}

/** After a failure before the swap: the target was never touched; the half-made copy goes. */
async function dropFresh(client: pg.Client, fresh: string, file: string, error: unknown): Promise<BackupError> {
	// The fresh database is ours, yet a monitoring agent may have connected to it: forced where the server can (PostgreSQL 13).
	const drop = `DROP DATABASE IF EXISTS ${quoteIdentifier(fresh)}`;
	const dropped = await client.query(`${drop} WITH (FORCE)`).then(() => true, async (error: unknown) => (error as {code?: unknown}).code === '42601' && client.query(drop).then(() => true, () => false));
	const left = dropped ? 'the new database was dropped' : `the new database "${fresh}" could not be dropped: drop it with DROP DATABASE ${quoteIdentifier(fresh)}`;
	const reason = messageOf(error);
	if (error instanceof BackupError) {
		return new BackupError(`${error.message}; the database was not touched and ${left}`, {path: file, hint: error.hint, cause: error});
	}

	return new BackupError(`restore failed before the swap: ${reason}; the database was not touched and ${left}`, {
		path: file,
		hint: 'read the message, fix the cause and restore again; the backup is unchanged',
		cause: error,
	});
}

function sessionsHint(name: string): string {
	return `a restore renames the database, which no other session may be connected to: stop those clients (the application, psql, a pool) or end them with SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name.replaceAll('\'', '\'\'')}' AND pid <> pg_backend_pid(); then restore again`;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
