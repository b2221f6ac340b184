/** Rows of the issue's meters table at full size. */
export const fullMeterRows = 5_000_000;
/** One row in this many repeats the (unit_id, kind, slot) of the row before it: about 0.1 %. */
const repeatEvery = 1000;

/**
 * A meters(unit_id, kind, slot, serial) table of `rows` rows in which every 1000th row repeats the
 * key of the row before it, so the duplicate check has rows / 1000 groups of two to find among
 * keys that are otherwise unique. No index on the key: the check reads the whole table, as it
 * would before the unique index that it guards is built. Returns the number of duplicate groups.
 */
export async function seedMeters(sql: (text: string) => Promise<unknown>, rows: number): Promise<number> {
	// Row i's own key: unit i / 40, kind i % 4, slot (i / 4) % 10, unique for every i.
	const key = (i: string) => `(${i}) / 40, 'kind-' || ((${i}) % 4), ((${i}) / 4) % 10`;
	await sql(`
		CREATE TABLE meters (id bigint PRIMARY KEY, unit_id int NOT NULL, kind text NOT NULL, slot int NOT NULL, serial text NOT NULL);
		INSERT INTO meters (id, unit_id, kind, slot, serial)
		SELECT i, k.unit_id, k.kind, k.slot, md5(i::text)
		FROM generate_series(1, ${rows}) i,
			LATERAL (SELECT ${key(`CASE WHEN i % ${repeatEvery} = 0 THEN i - 1 ELSE i END`)}) AS k(unit_id, kind, slot);
		ANALYZE meters;
	`);
	return Math.floor(rows / repeatEvery);
}
