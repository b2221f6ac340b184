import {stat} from 'node:fs/promises';
import type {BackupArtifact, BackupVerification, VerificationItem} from '../../engine/model.js';
import {parseDumpList, tablesOfKind, type DumpList} from './dump-list.js';
import {checkManifest, describeManifestCheck, manifestDigest, type ManifestCheck} from './dump-manifest.js';
import {sha256File} from './file-digest.js';
import {describeFailure, runPgTool, type PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {tableName} from './user-tables.js';

export type VerifyOptions = {
	/** How many files of a directory backup are hashed at once. */
	concurrency?: number;
};

/** Checks a dump without touching any database. A bad backup is a result, never an exception. */
export async function verifyDump(target: PostgresTarget, binaries: PgBinaries, artifact: BackupArtifact, options: VerifyOptions = {}): Promise<BackupVerification> {
	const items: VerificationItem[] = [];
	const info = await stat(artifact.path).catch(() => undefined);
	const directory = artifact.format === 'pg-directory';
	if (info === undefined || info.isDirectory() !== directory) {
		items.push({name: directory ? 'directory' : 'file', ok: false, detail: info === undefined ? `${artifact.path} is missing` : `${artifact.path} is ${directory ? 'not a directory' : 'a directory'}, the backup wrote ${directory ? 'a directory' : 'a file'}`});
		return {ok: false, items};
	}

	// The contents and the full read need pg_restore, the checksum needs the disk: on two cores they overlap.
	const integrity = directory ? checkDirectory(artifact, options.concurrency ?? 2) : checkFile(artifact, info.size);
	let list: DumpList | undefined;
	const contents = attempt('archive contents', async () => {
		const run = await runPgTool(binaries, binaries.pgRestore, ['--list', artifact.path], target, {path: artifact.path, keepStdout: true});
		if (run.exitCode !== 0) {
			return {ok: false, detail: `pg_restore cannot read the table of contents: ${describeFailure('pg_restore', run)}`};
		}

		list = parseDumpList(run.stdout);
		return {ok: true, detail: `pg_restore --list reads ${list.entries.length} entries`};
	});
	const readable = attempt('archive readable to the end', async () => {
		// Decompresses every entry without a database: a damaged data block fails here, not during a restore.
		const run = await runPgTool(binaries, binaries.pgRestore, ['--file=-', artifact.path], target, {path: artifact.path});
		return run.exitCode === 0
			? {ok: true, detail: 'pg_restore read every entry'}
			: {ok: false, detail: describeFailure('pg_restore', run)};
	});
	items.push(...await integrity, await contents, await readable);
	items.push(await attempt('table data', async () => checkTableData(target, binaries, artifact, list)));
	return {ok: items.every(item => item.ok), items};
}

async function checkFile(artifact: BackupArtifact, size: number): Promise<VerificationItem[]> {
	return [
		size === artifact.bytes
			? {name: 'file', ok: true, detail: `${artifact.path}, ${size} bytes`}
			: {name: 'file', ok: false, detail: `${artifact.path} is ${size} bytes, the backup wrote ${artifact.bytes}`},
		await attempt('checksum', async () => {
			const actual = await sha256File(artifact.path);
			return actual === artifact.sha256
				? {ok: true, detail: `sha256 ${actual}`}
				: {ok: false, detail: `sha256 is ${actual}, the backup recorded ${artifact.sha256}: the file changed since it was written`};
		}),
	];
}

/** Every file the backup wrote is there, unchanged, and nothing else; and the record's manifest is the one its sha256 names. */
async function checkDirectory(artifact: BackupArtifact, concurrency: number): Promise<VerificationItem[]> {
	const recorded = artifact.files ?? [];
	let check: ManifestCheck;
	try {
		check = await checkManifest(artifact.path, recorded, concurrency);
	} catch (error) {
		return [{name: 'directory', ok: false, detail: `${artifact.path} cannot be read: ${error instanceof Error ? error.message : String(error)}`}];
	}

	const bytes = check.actual.reduce((sum, file) => sum + file.bytes, 0);
	const listed = check.missing.length === 0 && check.extra.length === 0;
	const problem = describeManifestCheck(check);
	const recordIntact = manifestDigest(recorded) === artifact.sha256;
	return [
		listed && bytes === artifact.bytes
			? {name: 'directory', ok: true, detail: `${artifact.path}, ${check.actual.length} files, ${bytes} bytes`}
			: {name: 'directory', ok: false, detail: `${artifact.path} holds ${check.actual.length} files, ${bytes} bytes; the backup wrote ${recorded.length} files, ${artifact.bytes} bytes${problem === null ? '' : `: ${problem}`}`},
		recorded.length === 0 || !recordIntact
			? {name: 'checksum', ok: false, detail: recorded.length === 0 ? 'the record lists no files to check the directory against' : `the manifest in the record does not hash to its sha256 ${artifact.sha256}: the record was altered`}
			: problem === null
				? {name: 'checksum', ok: true, detail: `sha256 of all ${recorded.length} files as recorded; manifest sha256 ${artifact.sha256}`}
				: {name: 'checksum', ok: false, detail: problem},
	];
}

async function checkTableData(target: PostgresTarget, binaries: PgBinaries, artifact: BackupArtifact, list: DumpList | undefined): Promise<{ok: boolean; detail: string}> {
	if (list === undefined) {
		return {ok: false, detail: 'cannot tell without a readable table of contents'};
	}

	const withData = tablesOfKind(list, 'TABLE DATA');
	const defined = tablesOfKind(list, 'TABLE');
	const expected = Object.keys(artifact.sourceCounts);
	const missing: string[] = [];
	for (const name of expected) {
		// A partitioned table keeps its rows in its partitions, which have the TABLE DATA entries.
		// eslint-disable-next-line no-await-in-loop -- rare, and pg_restore runs are best kept one at a time
		if (!withData.has(name) && !(defined.has(name) && await isPartitioned(target, binaries, artifact.path, list, name))) {
			missing.push(name);
		}
	}

	return missing.length === 0
		? {ok: true, detail: `all ${expected.length} tables have their data in the dump`}
		: {ok: false, detail: `no data in the dump for ${missing.join(', ')}`};
}

async function isPartitioned(target: PostgresTarget, binaries: PgBinaries, file: string, list: DumpList, name: string): Promise<boolean> {
	const entry = list.entries.find(candidate => candidate.kind === 'TABLE' && tableName(candidate.schema, candidate.name) === name);
	if (entry === undefined) {
		return false;
	}

	const run = await runPgTool(binaries, binaries.pgRestore, ['--schema-only', '--file=-', `--schema=${entry.schema}`, `--table=${entry.name}`, file], target, {path: file, keepStdout: true});
	return run.exitCode === 0 && /\)\s*PARTITION BY /.test(run.stdout);
}

async function attempt(name: string, check: () => Promise<{ok: boolean; detail: string}>): Promise<VerificationItem> {
	try {
		return {name, ...await check()};
	} catch (error) {
		return {name, ok: false, detail: error instanceof Error ? error.message : String(error)};
	}
}
