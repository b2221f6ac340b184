import type {HistoryTool, LiveSchema} from '../../engine/model.js';
import {MIGRATIONS_TABLE} from './migration-log.js';
import {nameParts} from '../../sql/created-objects.js';
import {objectKey} from '../../adopt/map-history.js';
import {readHistory} from './history-readers.js';
import {historyTables} from './tool-history.js';
import type {Session} from './session.js';

/** Tables cutover itself makes in a target: never evidence that someone else's schema is there. */
const ownTables: readonly string[] = [MIGRATIONS_TABLE, 'cutover_run_lock', 'cutover_backfill'];

const SHOWN = 20;

const pgTables = `SELECT n.nspname AS schema, c.relname AS name
	FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
	ORDER BY 1, 2`;

const sqliteTables = String.raw`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`;

/** The user's tables, named as cutover names them (`table` in public or main, `schema.table` elsewhere), cutover's own left out. */
export async function userTableNames(session: Session): Promise<string[]> {
	if (session.engine === 'sqlite') {
		return (await session.run(sqliteTables)).map(r => String(r['name'])).filter(name => !ownTables.includes(name));
	}

	return (await session.run(pgTables))
		.filter(r => !ownTables.includes(String(r['name'])))
		.map(r => r['schema'] === 'public' ? String(r['name']) : `${String(r['schema'])}.${String(r['name'])}`);
}

/** The columns of a table in the default schema (public / main); none when it is not there. */
export async function columnsOf(session: Session, table: string): Promise<string[]> {
	const rows = session.engine === 'postgres'
		? await session.run('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])
		: await session.run('SELECT name FROM pragma_table_info(?)', [table]);
	return rows.map(r => String(r['name']));
}

/** The history tables of the tools cutover knows, looked up by their columns. */
const historyTableNames = ['schema_migrations', 'goose_db_version', 'flyway_schema_history', 'alembic_version', '_prisma_migrations', 'migrations'];

/** Which tools left a history table, told apart by their columns (golang-migrate's schema_migrations has `dirty`, dbmate's does not). */
export async function historyTools(session: Session): Promise<HistoryTool[]> {
	const columns = await historyColumns(session);
	const of = (table: string) => columns.get(table) ?? [];
	const found: HistoryTool[] = [];
	const schemaMigrations = of('schema_migrations');
	if (schemaMigrations.includes('version')) {
		found.push(schemaMigrations.includes('dirty') ? 'golang-migrate' : 'dbmate');
	}

	if (of('goose_db_version').includes('version_id')) {
		found.push('goose');
	}

	if (of('flyway_schema_history').includes('installed_rank')) {
		found.push('flyway');
	}

	if (of('alembic_version').includes('version_num')) {
		found.push('alembic');
	}

	if (of('_prisma_migrations').includes('migration_name')) {
		found.push('prisma');
	}

	// maragu.dev/migrate's table is `migrations` with one column, `version` (other tools' `migrations` tables have more).
	const migrations = of('migrations');
	if (migrations.length === 1 && migrations[0] === 'version') {
		found.push('maragu');
	}

	return found;
}

/**
 * The columns of each history table there is, by table. PostgreSQL: one look at the catalog for
 * all of them (one round trip, not six, before every plan); SQLite answers in process, table by table.
 */
async function historyColumns(session: Session): Promise<Map<string, string[]>> {
	const columns = new Map<string, string[]>();
	if (session.engine === 'postgres') {
		const rows = await session.run('SELECT table_name, column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])', [historyTableNames]);
		for (const row of rows) {
			const table = String(row['table_name']);
			columns.set(table, [...columns.get(table) ?? [], String(row['name'])]);
		}

		return columns;
	}

	for (const table of historyTableNames) {
		// eslint-disable-next-line no-await-in-loop -- one connection, one table at a time
		columns.set(table, await columnsOf(session, table));
	}

	return columns;
}

/**
 * What a database without cutover_migrations holds: null when it has no table of its own (a
 * first deployment, which goes ahead), else its tables and the history tables found there.
 * The commands are the caller's to fill: only it knows the operator's flags.
 */
export async function readLiveSchema(session: Session): Promise<LiveSchema | null> {
	const tables = await userTableNames(session);
	if (tables.length === 0) {
		return null;
	}

	const histories = await historyTools(session);
	// A tool's history table that records nothing applied (the application ran the tool once, or
	// goose made its table with version 0 only) is no schema: the database is a first deployment.
	const empty = new Set<string>();
	for (const tool of histories) {
		// eslint-disable-next-line no-await-in-loop -- one connection, one table at a time
		if ((await readHistory(session, tool)).rows.length === 0) {
			empty.add(historyTables[tool]);
		}
	}

	if (tables.every(table => empty.has(table))) {
		return null;
	}

	return {tables: tables.slice(0, SHOWN), tableCount: tables.length, histories, commands: []};
}

/** PostgreSQL resolves the name as written (quotes, schema, search_path); SQLite compares names without case. */
export async function objectExists(session: Session, object: {kind: 'table' | 'index'; name: string}): Promise<boolean> {
	if (session.engine === 'postgres') {
		const kinds = object.kind === 'table' ? ['r', 'p'] : ['i', 'I'];
		try {
			const rows = await session.run('SELECT c.relkind::text AS kind FROM pg_catalog.pg_class c WHERE c.oid = to_regclass($1)', [object.name]);
			return rows.some(r => kinds.includes(String(r['kind'])));
		} catch {
			// A name to_regclass cannot parse is not there.
			return false;
		}
	}

	const {schema, name} = nameParts(object.name);
	const master = schema === null || schema === 'main' ? 'sqlite_master' : `"${schema.replaceAll('"', '""')}".sqlite_master`;
	const rows = await session.run(`SELECT 1 AS present FROM ${master} WHERE type = ? AND name = ? COLLATE NOCASE`, [object.kind, name]);
	return rows.length > 0;
}

/**
 * Which of the objects exist, by objectKey. PostgreSQL: one query for them all (a folder of hundreds
 * of migrations is looked at before every plan); a name it cannot parse sends it back to one at a time.
 */
export async function objectsPresent(session: Session, objects: ReadonlyArray<{kind: 'table' | 'index'; name: string}>): Promise<Set<string>> {
	const found = new Set<string>();
	const wanted = [...new Map(objects.map(o => [objectKey(o), {kind: o.kind, name: o.name}])).values()];
	if (session.engine === 'postgres' && wanted.length > 0) {
		try {
			const rows = await session.run(`SELECT o.kind, o.name FROM unnest($1::text[], $2::text[]) AS o(kind, name)
				JOIN pg_catalog.pg_class c ON c.oid = to_regclass(o.name)
				WHERE c.relkind::text = ANY (CASE o.kind WHEN 'table' THEN ARRAY['r', 'p'] ELSE ARRAY['i', 'I'] END)`, [wanted.map(o => o.kind), wanted.map(o => o.name)]);
			for (const row of rows) {
				found.add(objectKey({kind: String(row['kind']) as 'table' | 'index', name: String(row['name'])}));
			}

			return found;
		} catch {
			// One name to_regclass cannot parse fails the whole query: each is asked on its own below.
		}
	}

	for (const object of wanted) {
		// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
		if (await objectExists(session, object)) {
			found.add(objectKey(object));
		}
	}

	return found;
}
