import type {HistoryTool} from '../../engine/model.js';
import type {MigrationSource} from './migration-files.js';
import type {FormatName} from './formats/types.js';
import type {Session, Statement} from './session.js';

/** Statements that keep another tool's own history in step, in each migration's transaction: before its SQL, and with its log row. */
export type ToolHistory = {before: Statement[]; after: Statement[]};

/**
 * Another tool's history table beside cutover_migrations, as the plan found it: `kept` when each
 * migration cutover runs moves it too (so that tool, run by the application at start-up, does not
 * apply the same files again), else left as it is, which the window says.
 */
export type HistoryInStep = {
	tool: HistoryTool;
	table: string;
	kept: boolean;
	/** Applied migrations (cutover's log) the table does not have yet: they are added with the next migration cutover runs. */
	behind?: number;
	/** The folder's tool keeps a table this database does not have (a first deployment): nothing to keep, and the window says what that means. */
	absent?: boolean;
};

/** Folders only their tool's layout (not cutover's own, golang-migrate's) whose tool an application may run at start-up. */
const runAtStartUp = new Set<FormatName>(['dbmate', 'goose', 'flyway', 'prisma']);

export const historyTables: Record<HistoryTool, string> = {
	'golang-migrate': 'schema_migrations',
	dbmate: 'schema_migrations',
	goose: 'goose_db_version',
	flyway: 'flyway_schema_history',
	alembic: 'alembic_version',
	maragu: 'migrations',
	prisma: '_prisma_migrations',
};

/** Tools whose table cutover writes as the tool would; Flyway's and Prisma's rows carry checksums, ranks and timings of their own. */
const writable = new Set<HistoryTool>(['maragu', 'goose', 'golang-migrate', 'dbmate']);

/**
 * The history that moves with this folder's migrations: the folder's own tool's table, where the
 * database has it (maragu's is made, as the tool makes it on first use). A table of another tool
 * than the folder's is not cutover's to write. A goose folder with Go migrations gets goose's
 * table made, as goose makes it: goose runs those, and must find what cutover applied before them.
 */
export function historyInStep(format: FormatName, found: readonly HistoryTool[], goCode = false): HistoryInStep | null {
	if (format === 'maragu' || (format === 'goose' && goCode)) {
		return {tool: format, table: historyTables[format], kept: true};
	}

	const tool = found.find(t => t === format);
	if (tool === undefined) {
		return runAtStartUp.has(format) ? {tool: format as HistoryTool, table: historyTables[format as HistoryTool], kept: false, absent: true} : null;
	}

	return {tool, table: historyTables[tool], kept: writable.has(tool)};
}

/**
 * The statements that move the folder's tool's history with one migration, or null when there is
 * none to keep. maragu.dev/migrate is often run by the application itself at start-up (migrate.Up),
 * and it applies every file whose version is above its one-row `migrations` table; left behind, it
 * would apply again what cutover applied. goose, golang-migrate and dbmate are run the same way.
 * maragu's migrations may also use that table (ALTER TABLE migrations ADD PRIMARY KEY …), so it is
 * made before the first one, as the tool makes it.
 */
export function toolHistory(session: Pick<Session, 'engine'>, history: HistoryInStep | null, sources: readonly MigrationSource[], name: string, direction: 'up' | 'down'): ToolHistory | null {
	if (history === null || !history.kept) {
		return null;
	}

	const p = (n: number) => session.engine === 'postgres' ? `$${n}` : '?';
	const index = sources.findIndex(s => s.name === name);
	const previous = index > 0 ? sources[index - 1]!.name : null;
	switch (history.tool) {
		case 'maragu': {
			return maragu(session, name, previous, direction);
		}

		case 'goose': {
			// goose appends a row per up, and deletes the version's rows on a down (its reader takes the latest row).
			const version = versionOf(name);
			// Made as goose makes it on first use, with its starting row (version 0); nothing where it is there.
			const before: Statement[] = [
				{sql: session.engine === 'postgres'
					? 'CREATE TABLE IF NOT EXISTS goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now())'
					: 'CREATE TABLE IF NOT EXISTS goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime(\'now\')))'},
				{sql: 'INSERT INTO goose_db_version (version_id, is_applied) SELECT 0, true WHERE NOT EXISTS (SELECT 1 FROM goose_db_version)'},
			];
			return direction === 'up'
				? {before, after: [{sql: `INSERT INTO goose_db_version (version_id, is_applied) VALUES (${p(1)}, true)`, params: [version]}]}
				: {before, after: [{sql: `DELETE FROM goose_db_version WHERE version_id = ${p(1)}`, params: [version]}]};
		}

		case 'golang-migrate': {
			// One row, the version the schema is at. Never backwards on an up: a migration applied below
			// the tool's version (a file added in the middle) leaves it where it is. Dirty at this very
			// version (the tool stopped half-way through it): now applied whole, in this transaction.
			const version = versionOf(name);
			const cast = session.engine === 'postgres' ? `${p(1)}::bigint` : `CAST(${p(1)} AS INTEGER)`;
			if (direction === 'up') {
				return {before: [], after: [
					{sql: `UPDATE schema_migrations SET version = ${p(1)}, dirty = false WHERE version <= ${p(2)}`, params: [version, version]},
					{sql: `INSERT INTO schema_migrations (version, dirty) SELECT ${cast}, false WHERE NOT EXISTS (SELECT 1 FROM schema_migrations)`, params: [version]},
				]};
			}

			// Down from the tool's version: to the migration before, or no row at all (the tool's own "nil version").
			return previous === null
				? {before: [], after: [{sql: `DELETE FROM schema_migrations WHERE version = ${p(1)}`, params: [version]}]}
				: {before: [], after: [{sql: `UPDATE schema_migrations SET version = ${p(1)}, dirty = false WHERE version = ${p(2)}`, params: [versionOf(previous), version]}]};
		}

		case 'dbmate': {
			// A row per applied version, as dbmate writes it: the digits before the first underscore.
			const version = digitsOf(name);
			const cast = session.engine === 'postgres' ? `${p(1)}::varchar` : `CAST(${p(1)} AS TEXT)`;
			return direction === 'up'
				? {before: [], after: [{sql: `INSERT INTO schema_migrations (version) SELECT ${cast} WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ${p(2)})`, params: [version, version]}]}
				: {before: [], after: [{sql: `DELETE FROM schema_migrations WHERE version = ${p(1)}`, params: [version]}]};
		}

		default: {
			return null;
		}
	}
}

function maragu(session: Pick<Session, 'engine'>, name: string, previous: string | null, direction: 'up' | 'down'): ToolHistory {
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

	// Down from the tool's version: it goes to the migration before, as the tool's own down does.
	return {before, after: [{sql: `UPDATE migrations SET version = ${p(1)} WHERE version = ${p(2)}`, params: [previous ?? '', name]}]};
}

/** The version goose and golang-migrate read from a file name: its leading digits as a number, sent as text so no digit is lost. */
function versionOf(name: string): string {
	return BigInt(digitsOf(name)).toString();
}

/** The leading digits as written (dbmate keeps them as text, leading zeros and all). */
function digitsOf(name: string): string {
	const digits = /^\d+/.exec(name)?.[0];
	if (digits === undefined) {
		throw new Error(`${name} has no leading version number`);
	}

	return digits;
}

/**
 * What the kept table lacks of what cutover's log holds (migrations cutover applied before it kept
 * the table, or before goose's table was made for a Go migration): the statements that add them,
 * as the tool would have written them, run with the next migration in its transaction. `toolHas`
 * is the tool's history as its reader maps it (versions), null when the table is not there yet.
 */
export function catchUpStatements(session: Session, history: HistoryInStep | null, logged: readonly string[], toolHas: ReadonlySet<string> | null): Statement[] {
	if (history === null || !history.kept) {
		return [];
	}

	const p = (n: number) => session.engine === 'postgres' ? `$${n}` : '?';
	const has = toolHas ?? new Set<string>();
	const numbered = logged.filter(name => /^\d+/.test(name));
	switch (history.tool) {
		case 'goose': {
			return numbered.filter(name => !has.has(versionOf(name))).map(name => ({sql: `INSERT INTO goose_db_version (version_id, is_applied) VALUES (${p(1)}, true)`, params: [versionOf(name)]}));
		}

		case 'dbmate': {
			return numbered.filter(name => !has.has(digitsOf(name))).map(name => ({sql: `INSERT INTO schema_migrations (version) VALUES (${p(1)})`, params: [digitsOf(name)]}));
		}

		case 'golang-migrate': {
			// One row: at least the highest version cutover applied.
			const top = numbered.map(name => BigInt(versionOf(name))).reduce<bigint | null>((max, v) => max === null || v > max ? v : max, null);
			const at = [...has].map(v => BigInt(v)).reduce<bigint | null>((max, v) => max === null || v > max ? v : max, null);
			if (top === null || (at !== null && at >= top)) {
				return [];
			}

			const version = top.toString();
			const cast = session.engine === 'postgres' ? `${p(1)}::bigint` : `CAST(${p(1)} AS INTEGER)`;
			return [
				{sql: `UPDATE schema_migrations SET version = ${p(1)}, dirty = false WHERE version < ${p(2)}`, params: [version, version]},
				{sql: `INSERT INTO schema_migrations (version, dirty) SELECT ${cast}, false WHERE NOT EXISTS (SELECT 1 FROM schema_migrations)`, params: [version]},
			];
		}

		default: {
			return [];
		}
	}
}
