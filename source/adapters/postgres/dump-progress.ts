import {statSync} from 'node:fs';
import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';
import type {BackupProgress} from '../../engine/model.js';
import {DumpWork} from './dump-work.js';
import {ParallelDumpWork} from './parallel-dump-work.js';

const dumpingTable = /^pg_dump: dumping contents of table "(.*)"$/;
/** pg_dump -j's leader, in verbose mode, once a job has written a table's file and closed it. */
const finishedItem = /^pg_dump: finished item (\d+) TABLE DATA (.*)$/;

/** Follows one pg_dump run: its verbose lines, and the bytes written so far. */
export type DumpTracker = {
	/** A stderr line of pg_dump; true when it moved the progress (worth reporting at once). */
	line(line: string): boolean;
	/** Reads the bytes written now. */
	sample(): Promise<void>;
	progress(): BackupProgress;
};

export type TrackerSetup = {
	format: 'custom' | 'directory';
	jobs: number;
	/** The file, or the directory. */
	path: string;
	sizes: ReadonlyMap<string, number>;
	estimatedBytes: number;
	tablesTotal: number;
	/** Parallel directory dumps: told of each table's file as soon as it is complete. */
	onFileDone?: (name: string) => void;
	/** The data file's suffix in a directory dump: `.dat.gz` when compressed, `.dat` when not. */
	dataSuffix?: string;
};

const unqualified = (table: string) => table.startsWith('public.') ? table.slice('public.'.length) : table;

export function createDumpTracker(setup: TrackerSetup): DumpTracker {
	return setup.format === 'directory' && setup.jobs > 1 ? parallelTracker(setup) : serialTracker(setup);
}

/** One table at a time, into one file (custom format) or one file per table (directory format, one job). */
function serialTracker(setup: TrackerSetup): DumpTracker {
	const work = new DumpWork(setup.sizes);
	const progress: BackupProgress = {bytes: 0, estimatedBytes: setup.estimatedBytes, tablesDone: 0, tablesTotal: setup.tablesTotal, dataDone: 0, dataTotal: work.total};
	const bytesNow = setup.format === 'custom' ? async () => stat(setup.path).then(info => info.size) : async () => directoryBytes(setup.path);
	return {
		line(line) {
			const table = dumpingTable.exec(line)?.[1];
			if (table === undefined) {
				return false;
			}

			progress.currentTable = unqualified(table);
			progress.tablesDone = Math.min((progress.tablesDone ?? 0) + 1, setup.tablesTotal);
			// The bytes at this very line: where the finished table's data ends (a directory's are read at the last sample).
			if (setup.format === 'custom') {
				progress.bytes = sizeNow(setup.path, progress.bytes);
			}

			work.started(table, progress.bytes);
			progress.dataDone = work.done(progress.bytes);
			return true;
		},
		async sample() {
			progress.bytes = await bytesNow().catch(() => progress.bytes);
			progress.dataDone = work.done(progress.bytes);
		},
		progress: () => ({...progress}),
	};
}

/** Several tables at once, each into a file of its own; the leader says when each is done. */
function parallelTracker(setup: TrackerSetup): DumpTracker {
	const work = new ParallelDumpWork(setup.sizes);
	const suffix = setup.dataSuffix ?? '.dat.gz';
	const finishedBytes = new Map<string, number>();
	let unfinished = 0;
	const progress: BackupProgress = {bytes: 0, estimatedBytes: setup.estimatedBytes, tablesDone: 0, tablesTotal: setup.tablesTotal, dataDone: 0, dataTotal: work.total};
	const settled = () => {
		let sum = 0;
		for (const bytes of finishedBytes.values()) {
			sum += bytes;
		}

		return sum;
	};

	const show = () => {
		const current = work.current.map(unqualified);
		if (current.length > 0) {
			progress.currentTable = current.join(', ');
		}

		progress.tablesDone = Math.min(work.tablesDone, setup.tablesTotal);
		progress.dataDone = work.done(unfinished);
	};

	return {
		line(line) {
			const table = dumpingTable.exec(line)?.[1];
			if (table !== undefined) {
				work.started(table);
				show();
				return true;
			}

			const finished = finishedItem.exec(line);
			if (finished === null) {
				return false;
			}

			const [, id = '', name = ''] = finished;
			const file = `${id}${suffix}`;
			const bytes = sizeNow(path.join(setup.path, file), 0);
			finishedBytes.set(file, bytes);
			work.finished(id, name, bytes);
			setup.onFileDone?.(file);
			unfinished = Math.max(0, unfinished - bytes);
			progress.bytes = Math.max(progress.bytes, settled() + unfinished);
			show();
			return true;
		},
		async sample() {
			const names = await readdir(setup.path).catch(() => [] as string[]);
			const sizes = await Promise.all(names.filter(name => !finishedBytes.has(name)).map(async name => stat(path.join(setup.path, name)).then(info => info.size, () => 0)));
			unfinished = sizes.reduce((sum, bytes) => sum + bytes, 0);
			progress.bytes = Math.max(progress.bytes, settled() + unfinished);
			show();
		},
		progress: () => ({...progress}),
	};
}

export async function directoryBytes(directory: string): Promise<number> {
	const names = await readdir(directory);
	const sizes = await Promise.all(names.map(async name => stat(path.join(directory, name)).then(info => info.size, () => 0)));
	return sizes.reduce((sum, bytes) => sum + bytes, 0);
}

function sizeNow(file: string, fallback: number): number {
	try {
		return statSync(file).size;
	} catch {
		return fallback;
	}
}
