import {closeSync, openSync, readdirSync, readSync} from 'node:fs';
import path from 'node:path';
import {isRecordFile} from '../signing/record-files.js';

export type ListedRecord = {path: string; name: string; startedAt: number | null};

/** A `.jsonl` in a records directory that is not a change record (say, an older cutover's watch log), and why. */
export type SkippedFile = {name: string; reason: string};

/** How cutover names a record: `<UTC time>-<database>-<run id prefix>.jsonl`. */
const recordName = /^\d{8}T\d{6}Z-.+-[0-9a-f]{8}\.jsonl$/;

/** A record's first line, read without reading the whole file: its kind and time, or why it has none. */
function firstLine(file: string): {kind: unknown; at: unknown} | null {
	const fd = openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(64 * 1024);
		const n = readSync(fd, buffer, 0, buffer.length, 0);
		const end = buffer.subarray(0, n).indexOf(0x0A);
		if (end < 0) {
			return null;
		}

		const first = JSON.parse(buffer.subarray(0, end).toString('utf8')) as {at?: unknown; kind?: unknown} | null;
		return typeof first === 'object' && first !== null ? {kind: first.kind, at: first.at} : null;
	} catch {
		return null;
	} finally {
		closeSync(fd);
	}
}

/**
 * The records of a directory in the order their runs started: by the run.started time
 * (milliseconds; the file name only has seconds), then by name. A file is a record when cutover
 * named it as one or its first line is a run.started; a record without a readable first line
 * comes first, so verification reports it instead of skipping it. Other `.jsonl` files are
 * returned as skipped.
 */
export function listRecordFiles(dir: string): {records: ListedRecord[]; skipped: SkippedFile[]} {
	const records: ListedRecord[] = [];
	const skipped: SkippedFile[] = [];
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		if (!entry.isFile() || !isRecordFile(entry.name)) {
			continue;
		}

		const file = path.join(dir, entry.name);
		const first = firstLine(file);
		const started = first?.kind === 'run.started';
		if (!started && !recordName.test(entry.name)) {
			skipped.push({name: entry.name, reason: 'not a change record (its first line is not a run.started, and cutover did not name it)'});
			continue;
		}

		records.push({path: file, name: entry.name, startedAt: started && typeof first.at === 'number' ? first.at : null});
	}

	records.sort((a, b) => (a.startedAt ?? -1) - (b.startedAt ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	skipped.sort((a, b) => (a.name < b.name ? -1 : 1));
	return {records, skipped};
}

export const listRecords = (dir: string): ListedRecord[] => listRecordFiles(dir).records;
