import type pg from 'pg';

/**
 * Sizes read with pg_table_size or pg_total_relation_size lock each table: behind a lock held by
 * another session (a VACUUM FULL, an ALTER, one queued for it) they wait, and what waits on them
 * (a backup's first report, a run's end) waits too. `exact` runs in a read-only transaction whose
 * lock wait and statement are bounded; past either bound `estimate` (the catalog's page counts: no
 * lock, as of the last VACUUM or ANALYZE) stands in. The session's own settings are left as they were.
 */
export async function boundedSizeRead<T>(client: pg.Client, bounds: {lockMs: number; statementMs: number}, exact: () => Promise<T>, estimate: () => Promise<T>): Promise<T> {
	await client.query('BEGIN READ ONLY');
	try {
		await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(bounds.lockMs))}; SET LOCAL statement_timeout = ${Math.max(1, Math.round(bounds.statementMs))}`);
		const result = await exact();
		await client.query('COMMIT');
		return result;
	} catch (error) {
		await client.query('ROLLBACK').catch(() => undefined);
		// 55P03: the lock timeout; 57014: the statement timeout.
		const code = (error as {code?: unknown}).code;
		if (code !== '55P03' && code !== '57014') {
			throw error;
		}

		return estimate();
	}
}
