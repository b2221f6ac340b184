import type {Session, Statement} from './session.js';

/** Where each backfill stands, in the target itself: it commits with each batch, so it survives the process. */
export const BACKFILL_TABLE = 'cutover_backfill';

/** The key of the last committed batch (null before the first), rows updated so far, and whether it ran to the end. */
export type Position = {lastKey: unknown; rows: number; done: boolean};

export async function createPositionTable(session: Session): Promise<void> {
	// SQLite: last_key has no type, so an integer key is kept (and compared) as an integer.
	const [keyType, timestamp, now] = session.engine === 'postgres' ? ['text', 'timestamptz', 'now()'] : ['', 'text', 'CURRENT_TIMESTAMP'];
	await session.run(`CREATE TABLE IF NOT EXISTS ${BACKFILL_TABLE} (
	migration text NOT NULL,
	direction text NOT NULL,
	table_name text NOT NULL,
	last_key ${keyType},
	rows bigint NOT NULL,
	done boolean NOT NULL,
	updated_at ${timestamp} NOT NULL DEFAULT ${now},
	PRIMARY KEY (migration, direction, table_name)
)`);
}

export async function positionOf(session: Session, migration: string, direction: 'up' | 'down', table: string): Promise<Position | null> {
	const sql = session.engine === 'postgres'
		? `SELECT last_key, rows, done FROM ${BACKFILL_TABLE} WHERE migration = $1 AND direction = $2 AND table_name = $3`
		: `SELECT last_key, rows, done FROM ${BACKFILL_TABLE} WHERE migration = ? AND direction = ? AND table_name = ?`;
	const row = (await session.run(sql, [migration, direction, table]))[0];
	return row === undefined ? null : {lastKey: row['last_key'] ?? null, rows: Number(row['rows']), done: row['done'] === true || row['done'] === 1};
}

/** Run inside the batch's transaction: the position moves if and only if the batch commits. */
export function savePositionStatement(session: Session, migration: string, direction: 'up' | 'down', table: string, position: Position): Statement {
	const postgres = session.engine === 'postgres';
	const marks = postgres ? '$1, $2, $3, $4, $5, $6' : '?, ?, ?, ?, ?, ?';
	return {
		sql: `INSERT INTO ${BACKFILL_TABLE} (migration, direction, table_name, last_key, rows, done) VALUES (${marks})
ON CONFLICT (migration, direction, table_name) DO UPDATE SET last_key = excluded.last_key, rows = excluded.rows, done = excluded.done, updated_at = ${postgres ? 'now()' : 'CURRENT_TIMESTAMP'}`,
		params: [migration, direction, table, position.lastKey, position.rows, postgres ? position.done : (position.done ? 1 : 0)],
	};
}

export async function positionTableExists(session: Session): Promise<boolean> {
	const rows = session.engine === 'postgres'
		? await session.run(`SELECT to_regclass('${BACKFILL_TABLE}') IS NOT NULL AS present`)
		: await session.run(`SELECT count(*) > 0 AS present FROM sqlite_master WHERE type = 'table' AND name = '${BACKFILL_TABLE}'`);
	return Boolean(rows[0]?.['present']);
}

/**
 * With the log row written or removed, the migration's positions are of no more use, and kept
 * they would make a later run of it (after a revert) skip its backfill: they go in the same transaction.
 */
export function forgetStatement(session: Session, migration: string): Statement {
	return {sql: `DELETE FROM ${BACKFILL_TABLE} WHERE migration = ${session.engine === 'postgres' ? '$1' : '?'}`, params: [migration]};
}
