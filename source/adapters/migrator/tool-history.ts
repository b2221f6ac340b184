import type {MigrationSource} from './migration-files.js';
import type {FormatName} from './formats/types.js';
import type {Session, Statement} from './session.js';

/** Statements that keep another tool's own history in step, in each migration's transaction: before its SQL, and with its log row. */
export type ToolHistory = {before: Statement[]; after: Statement[]};

/**
 * The folder's tool, where its history must move with cutover's: maragu.dev/migrate is often run
 * by the application itself at start-up (migrate.Up), and it applies every file whose version is
 * above its one-row `migrations` table; left behind, it would apply again what cutover applied.
 * Its migrations may also use that table (ALTER TABLE migrations ADD PRIMARY KEY …), so it is
 * made before the first one, as the tool makes it. Other formats' tools keep no such table that
 * cutover writes to: importing reads them (cutover import).
 */
export function toolHistory(session: Session, format: FormatName, sources: readonly MigrationSource[], name: string, direction: 'up' | 'down'): ToolHistory | null {
	if (format !== 'maragu') {
		return null;
	}

	const p = (n: number) => session.engine === 'postgres' ? `$${n}` : '?';
	// The tool compares versions as byte strings; PostgreSQL compares text by its collation unless told "C".
	const version = session.engine === 'postgres' ? 'version COLLATE "C"' : 'version';
	const before: Statement[] = [
		{sql: 'CREATE TABLE IF NOT EXISTS migrations (version text NOT NULL)'},
		{sql: 'INSERT INTO migrations (version) SELECT \'\' WHERE NOT EXISTS (SELECT 1 FROM migrations)'},
	];
	if (direction === 'up') {
		// Never backwards: a migration applied below the tool's version (a file added in the middle) leaves it where it is.
		return {before, after: [{sql: `UPDATE migrations SET version = ${p(1)} WHERE ${version} < ${p(2)}`, params: [name, name]}]};
	}

	const index = sources.findIndex(s => s.name === name);
	const previous = index > 0 ? sources[index - 1]!.name : '';
	// Down from the tool's version: it goes to the migration before, as the tool's own down does.
	return {before, after: [{sql: `UPDATE migrations SET version = ${p(1)} WHERE version = ${p(2)}`, params: [previous, name]}]};
}
