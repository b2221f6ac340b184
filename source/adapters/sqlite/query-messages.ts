import type {DatabaseSnapshot} from '../../engine/snapshot.js';
import type {QueryOutcome} from '../../ports/index.js';

/** Parent → query process. */
export type QueryRequest = QueryWork & {id: number};

export type QueryWork = {kind: 'query'; sql: string} | {kind: 'counts'} | {kind: 'integrity'} | {kind: 'snapshot'; database: string};

/** Query process → parent. Counts travel as pairs: a table may be called __proto__. */
export type QueryResponse =
	| {id: number; ok: true; result: QueryOutcome}
	| {id: number; ok: true; counts: Array<[string, number]>}
	| {id: number; ok: true; integrity: string[]}
	| {id: number; ok: true; snapshot: DatabaseSnapshot}
	| {id: number; ok: false; refused: boolean; message: string};

/** The first message of a query process: whether it could open the file. */
export type QueryReady = {ready: true} | {ready: false; message: string};
