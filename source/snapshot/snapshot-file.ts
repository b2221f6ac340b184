import {readFileSync} from 'node:fs';
import type {DatabaseSnapshot} from '../engine/snapshot.js';
import {SnapshotFileError} from '../errors/index.js';

export const SNAPSHOT_FORMAT = 'cutover snapshot';
export const SNAPSHOT_VERSION = 1;

/** What `cutover snapshot --out` writes: the snapshot, when and of what it was taken. */
export type SnapshotFile = {
	format: typeof SNAPSHOT_FORMAT;
	version: typeof SNAPSHOT_VERSION;
	/** ISO 8601. */
	takenAt: string;
	/** The target as records show it, without a password. */
	target: string;
	snapshot: DatabaseSnapshot;
};

export function snapshotFile(snapshot: DatabaseSnapshot, target: string, takenAt: number): SnapshotFile {
	return {format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, takenAt: new Date(takenAt).toISOString(), target, snapshot};
}

const make = 'make one with cutover snapshot --db <target> --out <file.json>';

/** Reads a snapshot file, or says what the file is instead and what to pass. */
export function readSnapshotFile(file: string): SnapshotFile {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new SnapshotFileError(file, code === 'ENOENT' ? 'no such file' : (code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`), {hint: `check the path; ${make}`, cause: error});
	}

	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		if (text.startsWith('SQLite format 3\u0000')) {
			throw new SnapshotFileError(file, 'is a SQLite database, not a snapshot of one', {hint: `cutover snapshot --db sqlite:${file} --out <file.json> takes its snapshot`});
		}

		// A change record is JSON lines: the first parses alone.
		const first = text.split('\n', 1)[0] ?? '';
		if (looksLikeRecord(first)) {
			throw new SnapshotFileError(file, 'is a change record, not a snapshot', {hint: `a run's record holds its snapshots (snapshot.taken); cutover replay --plain shows them, and ${make}`});
		}

		throw new SnapshotFileError(file, `is not JSON (${error instanceof Error ? error.message : String(error)})`, {hint: `pass a file written by cutover snapshot --out; ${make}`, cause: error});
	}

	if (!isObject(value) || value['format'] !== SNAPSHOT_FORMAT) {
		throw new SnapshotFileError(file, 'is JSON but not a cutover snapshot (no "format": "cutover snapshot")', {hint: `pass a file written by cutover snapshot --out; ${make}`});
	}

	if (value['version'] !== SNAPSHOT_VERSION) {
		const newer = typeof value['version'] === 'number' && value['version'] > SNAPSHOT_VERSION;
		throw new SnapshotFileError(file, `is a snapshot of format version ${JSON.stringify(value['version'])}; this cutover reads version ${SNAPSHOT_VERSION}`, {
			hint: newer ? 'diff it with the cutover that made it, or take both snapshots again with this one' : `take the snapshot again; ${make}`,
		});
	}

	const problem = shapeProblem(value);
	if (problem !== null) {
		throw new SnapshotFileError(file, `is a damaged snapshot: ${problem}`, {hint: `take the snapshot again; ${make}`});
	}

	return value as SnapshotFile;
}

function looksLikeRecord(line: string): boolean {
	try {
		const parsed: unknown = JSON.parse(line);
		return isObject(parsed) && 'seq' in parsed && 'kind' in parsed && 'event' in parsed;
	} catch {
		return false;
	}
}

type Check = (value: unknown) => boolean;
const string: Check = v => typeof v === 'string';
const nullableString: Check = v => v === null || typeof v === 'string';
const count: Check = v => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const nullableCount: Check = v => v === null || count(v);
const boolean: Check = v => typeof v === 'boolean';
const oneOf = (...values: string[]): Check => v => typeof v === 'string' && values.includes(v);

const shapes: Record<string, Record<string, Check>> = {
	table: {name: string, rows: count, bytes: nullableCount},
	column: {name: string, type: string, nullable: boolean, default: nullableString},
	index: {name: string, table: string, unique: boolean, definition: string},
	constraint: {name: string, table: string, kind: oneOf('primary-key', 'unique', 'foreign-key', 'check', 'exclusion'), definition: string},
	view: {name: string, definition: string},
	other: {kind: oneOf('schema', 'extension', 'type', 'function', 'sequence', 'trigger', 'rule'), name: string, table: nullableString, definition: string},
};

/** The first field that is not what a snapshot holds, named by its path; null when none. */
function shapeProblem(file: Record<string, unknown>): string | null {
	const fields = (value: unknown, where: string, shape: Record<string, Check>): string | null => {
		if (!isObject(value)) {
			return `${where} is not an object`;
		}

		for (const [key, check] of Object.entries(shape)) {
			if (!check(value[key])) {
				return `${where}.${key} is ${value[key] === undefined ? 'missing' : `not what it should be (${JSON.stringify(value[key])?.slice(0, 40)})`}`;
			}
		}

		return null;
	};

	const list = (value: unknown, where: string, shape: Record<string, Check>, each?: (item: Record<string, unknown>, at: string) => string | null): string | null => {
		if (!Array.isArray(value)) {
			return `${where} is ${value === undefined ? 'missing' : 'not a list'}`;
		}

		for (const [i, item] of value.entries()) {
			const problem = fields(item, `${where}[${i}]`, shape) ?? each?.(item as Record<string, unknown>, `${where}[${i}]`) ?? null;
			if (problem !== null) {
				return problem;
			}
		}

		return null;
	};

	const top = fields(file, 'the file', {takenAt: string, target: string});
	if (top !== null) {
		return top;
	}

	const snapshot = file['snapshot'];
	return fields(snapshot, 'snapshot', {engine: oneOf('postgres', 'sqlite'), database: string, migration: nullableString, bytes: count})
		?? list((snapshot as Record<string, unknown>)['tables'], 'snapshot.tables', shapes['table']!, (table, at) => list(table['columns'], `${at}.columns`, shapes['column']!))
		?? list((snapshot as Record<string, unknown>)['indexes'], 'snapshot.indexes', shapes['index']!)
		?? list((snapshot as Record<string, unknown>)['constraints'], 'snapshot.constraints', shapes['constraint']!)
		?? list((snapshot as Record<string, unknown>)['views'], 'snapshot.views', shapes['view']!)
		// Absent from snapshots taken before they were read.
		?? ((snapshot as Record<string, unknown>)['others'] === undefined ? null : list((snapshot as Record<string, unknown>)['others'], 'snapshot.others', shapes['other']!));
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
