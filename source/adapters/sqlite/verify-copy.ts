import {existsSync, statSync} from 'node:fs';
import {rm, stat} from 'node:fs/promises';
import type {BackupArtifact, BackupVerification, RowCounts, VerificationItem} from '../../engine/model.js';
import {sha256OfFile} from './file-hash.js';
import {messageOf, openSqliteFile} from './open-file.js';
import {countRows} from './user-tables.js';

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

	const sha256 = await sha256OfFile(file).catch((error: unknown) => `unreadable (${messageOf(error)})`);
	items.push(sha256 === artifact.sha256
		? {name: 'sha256', ok: true, detail: `matches ${short(sha256)}`}
		: {name: 'sha256', ok: false, detail: `file is ${short(sha256)}, the backup recorded ${short(artifact.sha256)}`});

	items.push(...await inspectCopy(file, artifact.sourceCounts));
	return {ok: items.every(item => item.ok), items};
}

/** Opens the copy read-only for PRAGMA integrity_check and exact row counts. */
async function inspectCopy(file: string, sourceCounts: RowCounts): Promise<VerificationItem[]> {
	// A WAL-mode copy opened read-only makes SQLite create -wal/-shm beside it; remove them afterwards if they are ours.
	const created = ['-wal', '-shm'].map(suffix => `${file}${suffix}`).filter(side => !existsSync(side));
	let db;
	try {
		db = openSqliteFile(file, {readonly: true});
	} catch (error) {
		const detail = `cannot open the copy: ${messageOf(error)}`;
		return [{name: 'integrity check', ok: false, detail}, {name: 'row counts', ok: false, detail}];
	}

	try {
		return [integrity(db), counts(db, sourceCounts)];
	} finally {
		db.close();
		for (const side of created) {
			if (existsSync(side) && (side.endsWith('-shm') || statSync(side).size === 0)) {
				await rm(side, {force: true});
			}
		}
	}
}

function integrity(db: ReturnType<typeof openSqliteFile>): VerificationItem {
	try {
		const lines = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
		if (lines.length === 1 && lines[0] === 'ok') {
			return {name: 'integrity check', ok: true, detail: 'PRAGMA integrity_check: ok'};
		}

		const shown = lines.slice(0, 3).join('; ');
		return {name: 'integrity check', ok: false, detail: `PRAGMA integrity_check: ${shown}${lines.length > 3 ? ` (and ${lines.length - 3} more)` : ''}`};
	} catch (error) {
		return {name: 'integrity check', ok: false, detail: `PRAGMA integrity_check failed: ${messageOf(error)}`};
	}
}

function counts(db: ReturnType<typeof openSqliteFile>, expected: RowCounts): VerificationItem {
	let actual: RowCounts;
	try {
		actual = countRows(db);
	} catch (error) {
		return {name: 'row counts', ok: false, detail: `cannot count rows in the copy: ${messageOf(error)}`};
	}

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
