// Expand: a new column beside the old one, filled while the application keeps reading and writing
// the old one. Nothing here breaks the running code; the reads switch to the new column after it.
//
// It runs outside a transaction: each statement commits on its own, and the backfill commits batch
// by batch. Run again after an interruption (cutover resume), every statement is safe to repeat and
// the backfill goes on after its last committed batch.
export const transaction = false;

export async function up({engine, query, backfill}) {
	if (engine !== 'postgres') {
		throw new Error('this example is written for PostgreSQL (a plpgsql trigger keeps the new column in step)');
	}

	await query('ALTER TABLE customers ADD COLUMN IF NOT EXISTS email_normalized text');
	// Rows written from here on get the new column from the trigger; the backfill does the rows already there.
	await query(`CREATE OR REPLACE FUNCTION customers_email_normalized() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.email_normalized := lower(trim(NEW.email));
	RETURN NEW;
END
$$`);
	await query('CREATE OR REPLACE TRIGGER customers_email_normalized BEFORE INSERT OR UPDATE OF email ON customers FOR EACH ROW EXECUTE FUNCTION customers_email_normalized()');
	// Short batches on the primary key, each under 100 ms of row locks. `where` skips rows the
	// trigger already filled; the durable position alone would keep it exactly once too.
	await backfill({
		table: 'customers',
		key: 'id',
		set: 'email_normalized = lower(trim(email))',
		where: 'email_normalized IS NULL',
		maxLockMs: 100,
	});
	await query('CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_email_normalized_idx ON customers (email_normalized)');
}

export async function down({query}) {
	await query('DROP INDEX CONCURRENTLY IF EXISTS customers_email_normalized_idx');
	await query('DROP TRIGGER IF EXISTS customers_email_normalized ON customers');
	await query('DROP FUNCTION IF EXISTS customers_email_normalized()');
	await query('ALTER TABLE customers DROP COLUMN IF EXISTS email_normalized');
}
