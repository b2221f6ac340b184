import type {Catalog} from '../engine/catalog.js';
import type {Target} from '../target.js';

/** What the copy starts from: the source's schema and data, its schema only, or nothing. */
export type ScratchMode = 'full' | 'schema-only' | 'empty';

/**
 * A throwaway copy of a database, made so that migrations can be run, reverted and run again on
 * it without touching the source: a database of its own on PostgreSQL, a file in a temporary
 * directory on SQLite.
 */
export type ScratchCopy = {
	/** Where the migrator and the checks connect. */
	target: Target;
	/** For the operator: which database or file, so one left by a killed process can be found. */
	description: string;
	readCatalog(): Promise<Catalog>;
	/** Drops or deletes the copy; safe to call more than once. Null when it is gone, else what to remove by hand. */
	remove(): Promise<string | null>;
};
