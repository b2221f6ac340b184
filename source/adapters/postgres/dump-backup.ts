import {randomBytes} from 'node:crypto';
import {existsSync} from 'node:fs';
import {mkdir, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {BackupArtifact, BackupProgress, RowCounts} from '../../engine/model.js';
import {BackupError} from '../../errors/index.js';
import {DEFAULT_BACKUP_POLICY, type BackupPolicy} from '../../ports/backup-tool.js';
import type {BackupRequest} from '../../ports/index.js';
import {connectForBackup, connectPostgres} from './connect.js';
import {sha256File} from './file-digest.js';
import {dbnameArgument, describeFailure, runPgTool, type PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {DEFAULT_LOCK_WAIT_MS, describeLockWait, isLockTimeout, seconds, watchLockWaits, type LockWait} from './lock-waits.js';
import {countDumpedTables, countRows, dumpedTableSizes} from './user-tables.js';
import {DirectoryHasher, manifestDigest} from './dump-manifest.js';
import {chooseDump, machineCores, readServerRoom, type DumpPlan, type ServerRoom} from './dump-plan.js';
import {createDumpTracker} from './dump-progress.js';
import {DumpWork} from './dump-work.js';
import {startProgressHeartbeat, type ProgressHeartbeat} from './progress-heartbeat.js';

const progressEveryMs = 250;
/** pg_dump's --lock-wait-timeout gives up as a statement timeout on its LOCK TABLE. */
const lockQuery = /Query was: LOCK TABLE (.+) IN ACCESS SHARE MODE/;
/** Counting rows reads every row: bounded, but generously. */
const countTimeoutMs = 15 * 60_000;

export type DumpOptions = {
	/** How long the row counts and pg_dump wait for a table lock before the backup fails; 5 s unless given. */
	lockWaitMs?: number;
	/** Format, jobs and compression; DEFAULT_BACKUP_POLICY unless given. */
	policy?: BackupPolicy;
	/** This machine's cores, where pg_dump's jobs compress; os.availableParallelism() unless given. */
	cores?: number;
};

type Preflight = {tablesTotal: number; estimatedBytes: number; sourceCounts: RowCounts; sizes: Map<string, number>; room: ServerRoom};

export async function dumpDatabase(target: PostgresTarget, binaries: PgBinaries, request: BackupRequest, options: DumpOptions = {}): Promise<BackupArtifact> {
	const lockWaitMs = options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
	// Every session of this backup goes by this name, so a watch can see whom it waits for.
	const applicationName = `cutover backup ${randomBytes(4).toString('hex')}`;
	const watch = async () => watchLockWaits(async () => connectPostgres(target, {application_name: 'cutover backup lock watch', statement_timeout: 2000}), applicationName);
	const file = path.resolve(request.directory, request.fileName);
	throwIfCanceled(request.signal, file);
	if (existsSync(file)) {
		throw new BackupError(`${file} already exists`, {path: file, hint: 'choose another file name or move the old backup away; cutover never overwrites a backup'});
	}

	// From the first catalog read to the end of the checksum, whatever the step, the operator hears from the backup.
	let before: BackupProgress = {bytes: 0};
	const heartbeat = startProgressHeartbeat(request.onProgress, progressEveryMs, () => before);
	try {
		return await dump(target, binaries, request, {...options, lockWaitMs, applicationName, watch, file, heartbeat, shown(progress) {
			before = progress;
		}});
	} finally {
		await heartbeat.stop();
	}
}

type DumpSetup = DumpOptions & {
	lockWaitMs: number;
	applicationName: string;
	watch: () => Promise<{stop(): Promise<LockWait | null>}>;
	file: string;
	heartbeat: ProgressHeartbeat;
	/** What the catalog reads before pg_dump have found so far. */
	shown(progress: BackupProgress): void;
};

async function dump(target: PostgresTarget, binaries: PgBinaries, request: BackupRequest, setup: DumpSetup): Promise<BackupArtifact> {
	const {file, heartbeat, lockWaitMs, applicationName, watch} = setup;
	const preflight = await readPreflight(target, file, {applicationName, lockWaitMs, watch, signal: request.signal, shown: setup.shown});
	throwIfCanceled(request.signal, file);
	const plan = chooseDump({policy: setup.policy ?? DEFAULT_BACKUP_POLICY, databaseBytes: preflight.estimatedBytes, cores: setup.cores ?? machineCores(), room: preflight.room});
	await mkdir(request.directory, {recursive: true});
	// Claims the name exclusively, so a backup started meanwhile cannot be overwritten either (pg_dump -Fd fills an empty directory).
	await (plan.format === 'directory' ? mkdir(file, {mode: 0o700}) : writeFile(file, '', {flag: 'wx'})).catch((error: unknown) => {
		throw new BackupError(`cannot create ${file}: ${error instanceof Error ? error.message : String(error)}`, {path: file, hint: 'check the backup directory exists, is writable and has no file of that name', cause: error});
	});

	const hasher = plan.format === 'directory' ? new DirectoryHasher(file) : null;
	const tracker = createDumpTracker({
		format: plan.format,
		jobs: plan.jobs,
		path: file,
		sizes: preflight.sizes,
		estimatedBytes: preflight.estimatedBytes,
		tablesTotal: preflight.tablesTotal,
		dataSuffix: plan.compression === 0 ? '.dat' : '.dat.gz',
		...(hasher === null ? {} : {onFileDone: (name: string) => hasher.early(name)}),
	});
	heartbeat.follow(async () => {
		await tracker.sample();
		return tracker.progress();
	});
	let run;
	const waits = await watch();
	let wait: LockWait | null = null;
	try {
		await heartbeat.now();
		run = await runPgTool(binaries, binaries.pgDump, [...formatArguments(plan), '--verbose', '--no-password', `--lock-wait-timeout=${lockWaitMs}`, `--file=${file}`, dbnameArgument(target, applicationName)], target, {
			path: file,
			...(request.signal === undefined ? {} : {signal: request.signal}),
			onStderrLine(line) {
				// Each table is a step worth showing at once, the last one above all (it comes just before pg_dump ends).
				if (tracker.line(line)) {
					request.onProgress(tracker.progress());
				}
			},
		});
	} catch (error) {
		await heartbeat.stop();
		await rm(file, {recursive: true, force: true});
		throw error;
	} finally {
		// A cancelled or failed pg_dump: no report of its partial file while the lock watch ends (its poll may take seconds).
		if (run === undefined || run.canceled || run.exitCode !== 0) {
			await heartbeat.stop();
		}

		wait = await waits.stop();
	}

	if (run.canceled || run.exitCode !== 0) {
		await heartbeat.stop();
		await rm(file, {recursive: true, force: true});
		if (run.canceled) {
			throw new BackupError(`backup of ${target.display} was cancelled; the partial ${plan.format === 'directory' ? 'directory' : 'file'} was removed`, {path: file, hint: 'start the backup again when ready'});
		}

		const locked = run.stderrTail.some(line => /canceling statement due to (statement|lock) timeout/.test(line))
			? run.stderrTail.map(line => lockQuery.exec(line)?.[1]).find(table => table !== undefined)
			: undefined;
		if (locked !== undefined) {
			throw lockWaitError(target, file, lockWaitMs, wait, locked);
		}

		const failure = describeFailure('pg_dump', run);
		throw new BackupError(`backup of ${target.display} failed: ${failure}`, {
			path: file,
			hint: /version mismatch/i.test(failure)
				? 'pg_dump must be the server\'s major version or newer: install the matching postgresql-client'
				: 'read pg_dump\'s message; the partial file was removed, nothing on the server changed',
		});
	}

	// pg_dump is done: every table is, and while the checksum reads the dump back the reports say so.
	const done = (bytes: number): BackupProgress => ({...tracker.progress(), bytes, tablesDone: preflight.tablesTotal, dataDone: tracker.progress().dataTotal ?? 0});
	const compression = {method: plan.compression === 0 ? 'none' as const : 'gzip' as const, level: plan.compression};
	const common = {path: file, sourceCounts: preflight.sourceCounts, compression, chosen: plan.chosen};
	if (hasher !== null) {
		heartbeat.follow(async () => {
			await tracker.sample();
			return done(tracker.progress().bytes);
		});
		await heartbeat.now();
		const files = await hasher.manifest(plan.jobs);
		const bytes = files.reduce((sum, entry) => sum + entry.bytes, 0);
		await heartbeat.stop();
		request.onProgress(done(bytes));
		return {...common, format: 'pg-directory', bytes, sha256: manifestDigest(files), files, jobs: plan.jobs};
	}

	const {size} = await stat(file);
	heartbeat.follow(() => done(size));
	await heartbeat.now();
	const sha256 = await sha256File(file);
	await heartbeat.stop();
	return {...common, format: 'pg-custom', bytes: size, sha256};
}

/** pg_dump's format, jobs and compression, always given: its defaults (gzip 6, one job) are slow on few cores. */
function formatArguments(plan: DumpPlan): string[] {
	return plan.format === 'directory'
		? ['--format=directory', ...(plan.jobs > 1 ? [`--jobs=${plan.jobs}`] : []), `--compress=${plan.compression}`]
		: ['--format=custom', `--compress=${plan.compression}`];
}

type PreflightOptions = {
	applicationName: string;
	lockWaitMs: number;
	watch: () => Promise<{stop(): Promise<LockWait | null>}>;
	signal: AbortSignal | undefined;
	/** Told of what is known so far, for the reports before pg_dump starts. */
	shown: (progress: BackupProgress) => void;
};

/**
 * What the progress bar and the later comparison need, read just before pg_dump starts. Bounded: a lock it cannot get
 * fails it in lockWaitMs. The sizes come before the counts (their wait is short), so the reports while rows are counted
 * already have the totals.
 */
async function readPreflight(target: PostgresTarget, file: string, options: PreflightOptions): Promise<Preflight> {
	const client = await connectForBackup(target, file, {application_name: options.applicationName, lock_timeout: options.lockWaitMs, statement_timeout: countTimeoutMs});
	// Leaving must not wait for a count: ending the connection ends the statement.
	const onAbort = () => void client.end().catch(() => undefined);
	options.signal?.addEventListener('abort', onAbort, {once: true});
	const waits = await options.watch();
	let counting: string | null = null;
	try {
		const size = await client.query<[string]>({text: 'SELECT pg_database_size(current_database())::text', rowMode: 'array'});
		const estimatedBytes = Number(size.rows[0]?.[0] ?? 0);
		const tablesTotal = await countDumpedTables(client);
		options.shown({bytes: 0, estimatedBytes, tablesDone: 0, tablesTotal});
		const sizes = await dumpedTableSizes(client);
		const known: BackupProgress = {bytes: 0, estimatedBytes, tablesDone: 0, tablesTotal, dataDone: 0, dataTotal: new DumpWork(sizes).total};
		options.shown(known);
		const sourceCounts = await countRows(client, table => {
			counting = table;
			options.shown({...known, countingTable: table});
		});
		options.shown(known);
		return {tablesTotal, estimatedBytes, sourceCounts, sizes, room: await readServerRoom(client)};
	} catch (error) {
		throwIfCanceled(options.signal, file);
		if (isLockTimeout(error)) {
			throw lockWaitError(target, file, options.lockWaitMs, await waits.stop(), counting);
		}

		throw error;
	} finally {
		options.signal?.removeEventListener('abort', onAbort);
		await waits.stop();
		await client.end().catch(() => undefined);
	}
}

function lockWaitError(target: PostgresTarget, file: string, lockWaitMs: number, wait: LockWait | null, table: string | null): BackupError {
	return new BackupError(`the backup of ${target.display} could not take its locks within ${seconds(lockWaitMs)}: ${describeLockWait(wait, table)}; try again when it is done`, {
		path: file,
		hint: 'a session holds a table lock or an ALTER waits in the lock queue: let it finish, or end it (cutover watch shows it; c cancels, k terminates), then start again; nothing was written and nothing on the server changed',
	});
}

function throwIfCanceled(signal: AbortSignal | undefined, file: string): void {
	if (signal?.aborted === true) {
		throw new BackupError('backup was cancelled before it started', {path: file, hint: 'start the backup again when ready'});
	}
}
