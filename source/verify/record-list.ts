import {closeSync, openSync, readdirSync, readSync} from 'node:fs';
import path from 'node:path';
import {isRecordFile} from '../signing/record-files.js';

export type ListedRecord = {path: string; name: string; startedAt: number | null};

/** The `at` of a record's first line (its run.started), read without reading the whole file. */
function startedAt(file: string): number | null {
	const fd = openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(64 * 1024);
		const n = readSync(fd, buffer, 0, buffer.length, 0);
		const end = buffer.subarray(0, n).indexOf(0x0A);
		if (end < 0) {
			return null;
		}

		const first = JSON.parse(buffer.subarray(0, end).toString('utf8')) as {at?: unknown; kind?: unknown};
		return first.kind === 'run.started' && typeof first.at === 'number' ? first.at : null;
	} catch {
		return null;
	} finally {
		closeSync(fd);
	}
}

/**
 * The records in a directory in the order their runs started: by the run.started time
 * (milliseconds; the file name only has seconds), then by name. Records without a readable
 * first line come first, so verification reports them instead of skipping them.
 */
export function listRecords(dir: string): ListedRecord[] {
	return readdirSync(dir, {withFileTypes: true})
		.filter(e => e.isFile() && isRecordFile(e.name))
		.map(e => ({path: path.join(dir, e.name), name: e.name, startedAt: startedAt(path.join(dir, e.name))}))
		.sort((a, b) => (a.startedAt ?? -1) - (b.startedAt ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
