import type {Engine} from '../../engine/model.js';

export type Row = Record<string, unknown>;

/**
 * One connection to the target, as the migrator needs it: one statement at a time, and a
 * transaction that rolls itself back when the work throws. Placeholders are the engine's own
 * ($1 for PostgreSQL, ? for SQLite).
 */
export type Session = {
	readonly engine: Engine;
	run(sql: string, params?: readonly unknown[]): Promise<Row[]>;
	transaction<T>(work: () => Promise<T>): Promise<T>;
	close(): Promise<void>;
};

export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
