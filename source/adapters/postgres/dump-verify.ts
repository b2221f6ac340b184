import {stat} from 'node:fs/promises';
import type {BackupArtifact, BackupVerification, VerificationItem} from '../../engine/model.js';
import {parseDumpList, tablesOfKind, type DumpList} from './dump-list.js';
import {sha256File} from './file-digest.js';
import {describeFailure, runPgTool, type PgBinaries} from './pg-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {tableName} from './user-tables.js';

/** Checks a dump without touching any database. A bad backup is a result, never an exception. */
export async function verifyDump(target: PostgresTarget, binaries: PgBinaries, artifact: BackupArtifact): Promise<BackupVerification> {
	const items: VerificationItem[] = [];
	const size = await stat(artifact.path).then(info => info.size, () => undefined);
	if (size === undefined) {
		items.push({name: 'file', ok: false, detail: `${artifact.path} is missing`});
		return {ok: false, items};
	}

	items.push(size === artifact.bytes
		? {name: 'file', ok: true, detail: `${artifact.path}, ${size} bytes`}
		: {name: 'file', ok: false, detail: `${artifact.path} is ${size} bytes, the backup wrote ${artifact.bytes}`});
	items.push(await attempt('checksum', async () => {
		const actual = await sha256File(artifact.path);
		return actual === artifact.sha256
			? {ok: true, detail: `sha256 ${actual}`}
			: {ok: false, detail: `sha256 is ${actual}, the backup recorded ${artifact.sha256}: the file changed since it was written`};
	}));

	let list: DumpList | undefined;
	items.push(await attempt('archive contents', async () => {
		const run = await runPgTool(binaries, binaries.pgRestore, ['--list', artifact.path], target, {path: artifact.path, keepStdout: true});
		if (run.exitCode !== 0) {
			return {ok: false, detail: `pg_restore cannot read the table of contents: ${describeFailure('pg_restore', run)}`};
		}

		list = parseDumpList(run.stdout);
		return {ok: true, detail: `pg_restore --list reads ${list.entries.length} entries`};
	}));
	items.push(await attempt('archive readable to the end', async () => {
		// Decompresses every entry without a database: a damaged data block fails here, not during a restore.
		const run = await runPgTool(binaries, binaries.pgRestore, ['--file=-', artifact.path], target, {path: artifact.path});
		return run.exitCode === 0
			? {ok: true, detail: 'pg_restore read every entry'}
			: {ok: false, detail: describeFailure('pg_restore', run)};
	}));
	items.push(await attempt('table data', async () => checkTableData(target, binaries, artifact, list)));
	return {ok: items.every(item => item.ok), items};
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
