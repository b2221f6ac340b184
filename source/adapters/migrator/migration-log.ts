import type {Row, Session, Statement} from './session.js';

/** cutover's log of applied migrations, kept in the target itself so it travels with backups. */
export const MIGRATIONS_TABLE = 'cutover_migrations';

export type LogRow = {
	name: string;
	checksum: string;
	appliedAt: string;
	appliedBy: string;
	runId: string;
};

/**
 * What one migrator's session knows of the log table: once a transaction that created it (or
 * found it) has committed, it is there, and neither CREATE TABLE IF NOT EXISTS nor the look in
 * the catalogue is repeated before every migration. A transaction that rolls back proves nothing.
 */
export type LogTable = {
	known: boolean;
	/**
	 * SQLite: whether the database has any foreign key, as last seen by this migrator (undefined:
	 * not looked yet, or a migration ran that the orphan check does not read). None, and a
	 * migration that declares none, and there is nothing to check: 700 migrations cost no 1,400 catalog scans.
	 */
	foreignKeys?: boolean;
	/**
	 * Whether cutover_backfill is there, as last looked (undefined: not looked yet). Only a
	 * backfill makes it, and only a migration outside a transaction or a module runs one: after
	 * those it is looked at again, not before each of 700 downs.
	 */
	positions?: boolean;
};

export async function logTableExists(session: Session): Promise<boolean> {
	const rows = session.engine === 'postgres'
		? await session.run(`SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS present`)
		: await session.run(`SELECT count(*) > 0 AS present FROM sqlite_master WHERE type = 'table' AND name = '${MIGRATIONS_TABLE}'`);
	return Boolean(rows[0]?.['present']);
}

/** Applied migrations in name order; none when the table is not there (reading never creates it). */
export async function readLog(session: Session): Promise<LogRow[]> {
	if (!await logTableExists(session)) {
		return [];
	}

	const rows = await session.run(`SELECT name, checksum, applied_at, applied_by, run_id FROM ${MIGRATIONS_TABLE} ORDER BY name`);
	return rows.map(toLogRow);
}

/** SQLite: WITHOUT ROWID, the rows kept in the name's own b-tree, so each log row writes one b-tree, not a table and its key's index, in every migration's commit. */
export async function createLogTable(session: Session): Promise<void> {
	const timestamp = session.engine === 'postgres' ? 'timestamptz' : 'text';
	await session.run(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
	name text PRIMARY KEY,
	checksum text NOT NULL,
	applied_at ${timestamp} NOT NULL,
	applied_by text NOT NULL,
	run_id text NOT NULL
)${session.engine === 'sqlite' ? ' WITHOUT ROWID' : ''}`);
}

export async function findLogRow(session: Session, name: string): Promise<LogRow | null> {
	const {sql, params} = findLogRowStatement(session, name);
	return firstLogRow(await session.run(sql, params));
}

/** The look for one migration's row, as a statement that can travel with BEGIN. */
export function findLogRowStatement(session: Session, name: string): Statement {
	return {sql: `SELECT name, checksum, applied_at, applied_by, run_id FROM ${MIGRATIONS_TABLE} WHERE name = ${placeholder(session, 1)}`, params: [name]};
}

export function firstLogRow(rows: readonly Row[]): LogRow | null {
	return rows[0] ? toLogRow(rows[0]) : null;
}

export async function insertLogRow(session: Session, row: LogRow): Promise<void> {
	const {sql, params} = insertLogRowStatement(session, row);
	await session.run(sql, params);
}

/** The new row, as a statement that can travel with COMMIT. */
export function insertLogRowStatement(session: Session, row: LogRow): Statement {
	const p = (n: number) => placeholder(session, n);
	return {
		sql: `INSERT INTO ${MIGRATIONS_TABLE} (name, checksum, applied_at, applied_by, run_id) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`,
		params: [row.name, row.checksum, row.appliedAt, row.appliedBy, row.runId],
	};
}

export async function deleteLogRow(session: Session, name: string): Promise<void> {
	const {sql, params} = deleteLogRowStatement(session, name);
	await session.run(sql, params);
}

export function deleteLogRowStatement(session: Session, name: string): Statement {
	return {sql: `DELETE FROM ${MIGRATIONS_TABLE} WHERE name = ${placeholder(session, 1)}`, params: [name]};
}

function placeholder(session: Session, n: number): string {
	return session.engine === 'postgres' ? `$${n}` : '?';
}

function toLogRow(row: Row): LogRow {
	const appliedAt = row['applied_at'];
	return {
		name: String(row['name']),
		checksum: String(row['checksum']),
		appliedAt: appliedAt instanceof Date ? appliedAt.toISOString() : String(appliedAt),
		appliedBy: String(row['applied_by']),
		runId: String(row['run_id']),
	};
}
