import {existsSync, statSync} from 'node:fs';
import {rm, stat} from 'node:fs/promises';
import type {BackupArtifact, BackupVerification, RowCounts, VerificationItem} from '../../engine/model.js';
import {sha256OfFile} from './file-hash.js';
import {messageOf} from './open-file.js';
import {startQueryProcess} from './query-process.js';

/** Checks a SQLite backup file against what was recorded when it was made. A bad copy is a result, never a throw. */
export async function verifyCopy(artifact: BackupArtifact): Promise<BackupVerification> {
	const file = artifact.path;
	const items: VerificationItem[] = [];
	const size = await stat(file).then(stats => stats.size, () => null);
	if (size === null) {
		items.push({name: 'file', ok: false, detail: `${file} does not exist`});
		for (const name of ['sha256', 'integrity check', 'row counts']) {
			items.push({name, ok: false, detail: 'not checked: the backup file is missing'});
		}

		return {ok: false, items};
	}

	items.push(size === artifact.bytes
		? {name: 'file', ok: true, detail: `${file}, ${size} bytes as recorded`}
		: {name: 'file', ok: false, detail: `${file} is ${size} bytes, the backup recorded ${artifact.bytes}`});

	// The checksum is read on this thread while the integrity check and the counts run in their own
	// process: on two cores the two overlap, and the verification costs about the longer of them.
	const [sha256, inspected] = await Promise.all([
		sha256OfFile(file).catch((error: unknown) => `unreadable (${messageOf(error)})`),
		inspectCopy(file, artifact.sourceCounts),
	]);
	items.push(sha256 === artifact.sha256
		? {name: 'sha256', ok: true, detail: `matches ${short(sha256)}`}
		: {name: 'sha256', ok: false, detail: `file is ${short(sha256)}, the backup recorded ${short(artifact.sha256)}`});

	items.push(...inspected);
	return {ok: items.every(item => item.ok), items};
}

/**
 * Opens the copy read-only for PRAGMA integrity_check and exact row counts, each in a process of
 * its own: on a large file both take a while, and the console must keep answering meanwhile. The
 * counts run beside the integrity check (which takes longest), on the core the checksum leaves free.
 */
async function inspectCopy(file: string, sourceCounts: RowCounts): Promise<VerificationItem[]> {
	// A WAL-mode copy opened read-only makes SQLite create -wal/-shm beside it; remove them afterwards if they are ours.
	const created = ['-wal', '-shm'].map(suffix => `${file}${suffix}`).filter(side => !existsSync(side));
	const checker = startQueryProcess(file, {readonly: true});
	const counter = startQueryProcess(file, {readonly: true});
	try {
		const [integrityItem, countsItem] = await Promise.all([
			checker.integrityCheck().then(integrity, (error: unknown) => failedItem('integrity check', error)),
			counter.rowCounts({}).then(actual => counts(actual, sourceCounts), (error: unknown) => failedItem('row counts', error)),
		]);
		if (integrityItem.detail.startsWith('cannot open')) {
			return [integrityItem, {name: 'row counts', ok: false, detail: integrityItem.detail}];
		}

		return [integrityItem, countsItem];
	} finally {
		await Promise.all([checker.close(), counter.close()]);
		for (const side of created) {
			if (existsSync(side) && (side.endsWith('-shm') || statSync(side).size === 0)) {
				// eslint-disable-next-line no-await-in-loop -- one after the other
				await rm(side, {force: true});
			}
		}
	}
}

function failedItem(name: string, error: unknown): VerificationItem {
	const message = messageOf(error);
	if (/^cannot open /.test(message)) {
		return {name, ok: false, detail: `cannot open the copy: ${message.replace(/^cannot open \S+: /, '')}`};
	}

	return {name, ok: false, detail: name === 'row counts' ? `cannot count rows in the copy: ${message}` : `PRAGMA integrity_check failed: ${message}`};
}

function integrity(lines: string[]): VerificationItem {
	if (lines.length === 1 && lines[0] === 'ok') {
		return {name: 'integrity check', ok: true, detail: 'PRAGMA integrity_check: ok'};
	}

	const shown = lines.slice(0, 3).join('; ');
	return {name: 'integrity check', ok: false, detail: `PRAGMA integrity_check: ${shown}${lines.length > 3 ? ` (and ${lines.length - 3} more)` : ''}`};
}

function counts(actual: RowCounts, expected: RowCounts): VerificationItem {
	const problems: string[] = [];
	for (const [table, count] of Object.entries(expected)) {
		const found = Object.hasOwn(actual, table) ? actual[table] : undefined;
		if (found === undefined) {
			problems.push(`${table} missing from the copy`);
		} else if (found !== count) {
			problems.push(`${table} has ${found} rows, the source had ${count}`);
		}
	}

	for (const table of Object.keys(actual)) {
		if (!Object.hasOwn(expected, table)) {
			problems.push(`${table} is in the copy but was not in the source`);
		}
	}

	const tables = Object.keys(expected).length;
	return problems.length === 0
		? {name: 'row counts', ok: true, detail: `${tables} table${tables === 1 ? '' : 's'}, every count equal to the source`}
		: {name: 'row counts', ok: false, detail: problems.join('; ')};
}

function short(hash: string): string {
	return /^[\da-f]{64}$/.test(hash) ? `${hash.slice(0, 12)}…` : hash;
}
