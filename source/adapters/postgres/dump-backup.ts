import {existsSync} from 'node:fs';
import {mkdir, rm, stat, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {BackupArtifact, BackupProgress, RowCounts} from '../../engine/model.js';
import {BackupError} from '../../errors/index.js';
import type {BackupRequest} from '../../ports/index.js';
import {connectForBackup} from './connect.js';
import {sha256File} from './file-digest.js';
import {dbnameArgument, describeFailure, runPgTool, type PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {countDumpedTables, countRows} from './user-tables.js';

const progressEveryMs = 250;
const dumpingTable = /^pg_dump: dumping contents of table "(.*)"$/;

type Preflight = {tablesTotal: number; estimatedBytes: number; sourceCounts: RowCounts};

export async function dumpDatabase(target: PostgresTarget, binaries: PgBinaries, request: BackupRequest): Promise<BackupArtifact> {
	const file = path.resolve(request.directory, request.fileName);
	throwIfCanceled(request.signal, file);
	if (existsSync(file)) {
		throw new BackupError(`${file} already exists`, {path: file, hint: 'choose another file name or move the old backup away; cutover never overwrites a backup'});
	}

	const preflight = await readPreflight(target, file);
	throwIfCanceled(request.signal, file);
	await mkdir(request.directory, {recursive: true});
	// Claims the name exclusively, so a backup started meanwhile cannot be overwritten either.
	await writeFile(file, '', {flag: 'wx'}).catch((error: unknown) => {
		throw new BackupError(`cannot create ${file}: ${error instanceof Error ? error.message : String(error)}`, {path: file, hint: 'check the backup directory exists, is writable and has no file of that name', cause: error});
	});

	const progress: BackupProgress = {bytes: 0, estimatedBytes: preflight.estimatedBytes, tablesDone: 0, tablesTotal: preflight.tablesTotal};
	let live = true;
	const report = async () => {
		const bytes = await stat(file).then(info => info.size, () => progress.bytes);
		// A size read still in flight when pg_dump ends must not report after the final figures.
		if (live) {
			progress.bytes = bytes;
			request.onProgress({...progress});
		}
	};

	const timer = setInterval(() => void report(), progressEveryMs);
	let run;
	try {
		await report();
		run = await runPgTool(binaries, binaries.pgDump, ['--format=custom', '--verbose', '--no-password', `--file=${file}`, dbnameArgument(target)], target, {
			path: file,
			...(request.signal === undefined ? {} : {signal: request.signal}),
			onStderrLine(line) {
				const table = dumpingTable.exec(line)?.[1];
				if (table !== undefined) {
					progress.currentTable = table.startsWith('public.') ? table.slice('public.'.length) : table;
					progress.tablesDone = Math.min((progress.tablesDone ?? 0) + 1, preflight.tablesTotal);
				}
			},
		});
	} catch (error) {
		await rm(file, {force: true});
		throw error;
	} finally {
		live = false;
		clearInterval(timer);
	}

	if (run.canceled || run.exitCode !== 0) {
		await rm(file, {force: true});
		if (run.canceled) {
			throw new BackupError(`backup of ${target.display} was cancelled; the partial file was removed`, {path: file, hint: 'start the backup again when ready'});
		}

		const failure = describeFailure('pg_dump', run);
		throw new BackupError(`backup of ${target.display} failed: ${failure}`, {
			path: file,
			hint: /version mismatch/i.test(failure)
				? 'pg_dump must be the server\'s major version or newer: install the matching postgresql-client'
				: 'read pg_dump\'s message; the partial file was removed, nothing on the server changed',
		});
	}

	const {size} = await stat(file);
	request.onProgress({...progress, bytes: size, tablesDone: preflight.tablesTotal});
	return {path: file, format: 'pg-custom', bytes: size, sha256: await sha256File(file), sourceCounts: preflight.sourceCounts};
}

/** What the progress bar and the later comparison need, read just before pg_dump starts. */
async function readPreflight(target: PostgresTarget, file: string): Promise<Preflight> {
	const client = await connectForBackup(target, file);
	try {
		const size = await client.query<[string]>({text: 'SELECT pg_database_size(current_database())::text', rowMode: 'array'});
		return {
			tablesTotal: await countDumpedTables(client),
			estimatedBytes: Number(size.rows[0]?.[0] ?? 0),
			sourceCounts: await countRows(client),
		};
	} finally {
		await client.end();
	}
}

function throwIfCanceled(signal: AbortSignal | undefined, file: string): void {
	if (signal?.aborted === true) {
		throw new BackupError('backup was cancelled before it started', {path: file, hint: 'start the backup again when ready'});
	}
}
