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
	| {type: 'counted'; sourceCounts: RowCounts}
	| {type: 'progress'; pagesDone: number; pagesTotal: number; pageSize: number}
	| {type: 'done'; bytes: number; sha256: string; sourceCounts: RowCounts; pagesTotal: number; pageSize: number}
	| {type: 'failed'; message: string; code: string | null; hint: string | null; aborted: boolean};
