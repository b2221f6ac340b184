import type {AdoptFile, HistoryRead} from '../adopt/map-history.js';
import type {HistoryTool, LiveSchema} from '../engine/model.js';

/** A row to put into cutover_migrations for a migration that is applied already and is not run. */
export type AdoptedRow = {name: string; checksum: string};

/**
 * What `cutover import`, `cutover baseline` and `cutover status` need of a target to adopt it:
 * reading another tool's history and the objects there, and writing cutover_migrations rows
 * without running anything. Adapters own the driver.
 */
export type Adopter = {
	/** The folder's migrations for this engine, in order, with what adoption compares. */
	files(): Promise<AdoptFile[]>;
	/** Names cutover_migrations holds already (none when the table is absent). */
	logged(): Promise<string[]>;
	/** The database's own tables and history tables, when it has no cutover_migrations; null otherwise or when it is empty. */
	liveSchema(): Promise<LiveSchema | null>;
	/** History tables found, by tool. */
	histories(): Promise<HistoryTool[]>;
	readHistory(tool: HistoryTool): Promise<HistoryRead>;
	/** Which of these tables and indexes exist, as `kind:name` keys (see objectKey). */
	present(objects: ReadonlyArray<{kind: 'table' | 'index'; name: string}>): Promise<Set<string>>;
	/** Creates cutover_migrations when absent and inserts the rows, in one transaction; runs no migration. */
	write(rows: readonly AdoptedRow[], by: {appliedBy: string; runId: string; appliedAt: string}): Promise<void>;
	close(): Promise<void>;
};
