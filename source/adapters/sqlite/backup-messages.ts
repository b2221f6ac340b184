import type {RowCounts} from '../../engine/model.js';

/** What the backup worker is given when it starts. */
export type BackupJob = {
	source: string;
	destination: string;
};

/** Main thread → worker. */
export type ToWorker = {type: 'abort'};

/** Worker → main thread. */
export type FromWorker =
	| {type: 'progress'; pagesDone: number; pagesTotal: number; pageSize: number}
	/** The copy is complete on disk: the main thread hashes it while the worker counts the source's rows. */
	| {type: 'copied'; bytes: number}
	| {type: 'done'; bytes: number; sourceCounts: RowCounts; pagesTotal: number; pageSize: number}
	| {type: 'failed'; message: string; code: string | null; hint: string | null; aborted: boolean};
