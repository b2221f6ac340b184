import type {QueryResult} from '../../ports/index.js';

/** Parent → query process. */
export type QueryRequest = QueryWork & {id: number};

export type QueryWork = {kind: 'query'; sql: string} | {kind: 'counts'};

/** Query process → parent. Counts travel as pairs: a table may be called __proto__. */
export type QueryResponse =
	| {id: number; ok: true; result: QueryResult}
	| {id: number; ok: true; counts: Array<[string, number]>}
	| {id: number; ok: false; refused: boolean; message: string};
