/** How much a finding matters: an error destroys data or blocks the application; a warning is a risk to look at. */
export type Severity = 'error' | 'warning';

export type Rule = {
	id: string;
	severity: Severity;
	/** The engines the rule reads. */
	engines: ReadonlyArray<'postgres' | 'sqlite'>;
	/** What the statement risks: the lock it takes and what that blocks, or the data it loses. */
	risk: string;
	/** The safe way to get the same change. */
	fix: string;
};

const both = ['postgres', 'sqlite'] as const;
const postgres = ['postgres'] as const;
const sqlite = ['sqlite'] as const;

/** Every rule the lint knows, by id: the ids are what `-- cutover: allow <rule> because …` names. */
export const rules = {
	'index-not-concurrent': {
		severity: 'error', engines: postgres,
		risk: 'CREATE INDEX takes a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits until the index is built',
		fix: 'CREATE INDEX CONCURRENTLY … in a migration of its own marked "-- cutover: no-transaction" (use IF NOT EXISTS, so a retry is safe)',
	},
	'unique-constraint-on-existing': {
		severity: 'error', engines: postgres,
		risk: 'ADD CONSTRAINT … UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock: reads and writes of the table wait for the whole build',
		fix: 'CREATE UNIQUE INDEX CONCURRENTLY i ON t (…) in a no-transaction migration, then ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX i (or PRIMARY KEY USING INDEX i)',
	},
	'set-not-null': {
		severity: 'error', engines: postgres,
		risk: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock: reads and writes wait for the scan',
		fix: 'ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (a weaker lock); then SET NOT NULL uses the valid check and skips the scan; drop the check after',
	},
	'column-type-rewrite': {
		severity: 'error', engines: postgres,
		risk: 'ALTER COLUMN … TYPE rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock (unless the types are binary-compatible, such as varchar(n) to text): reads and writes wait',
		fix: 'add a new column of the new type, backfill it in batches, switch the application to it, then drop the old column in a later migration',
	},
	'volatile-default': {
		severity: 'error', engines: postgres,
		risk: 'ADD COLUMN with a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval/serial) rewrites every row under an ACCESS EXCLUSIVE lock: reads and writes wait',
		fix: 'add the column without a default (or with a constant one), backfill it in batches, then SET DEFAULT for new rows',
	},
	'not-null-without-default': {
		severity: 'error', engines: both,
		risk: 'ADD COLUMN … NOT NULL without a default fails on a table that has rows (SQLite refuses it on any table): the migration stops in the window',
		fix: 'add the column with a constant DEFAULT, or add it nullable, backfill it, then make it NOT NULL safely',
	},
	'foreign-key-without-not-valid': {
		severity: 'error', engines: postgres,
		risk: 'ADD FOREIGN KEY checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to both wait for the check',
		fix: 'ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT … (it locks only SHARE UPDATE EXCLUSIVE; best in a later migration)',
	},
	'check-without-not-valid': {
		severity: 'error', engines: postgres,
		risk: 'ADD CONSTRAINT … CHECK scans every existing row under an ACCESS EXCLUSIVE lock: reads and writes wait for the scan',
		fix: 'ADD CONSTRAINT … CHECK (…) NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT … (it locks only SHARE UPDATE EXCLUSIVE)',
	},
	'drop-column': {
		severity: 'error', engines: both,
		risk: 'DROP COLUMN deletes the column\'s data for good, and code still reading it fails',
		fix: 'stop reading and writing the column first (expand/contract), take a backup, and drop it in a later migration; allow the finding with the reason once that is done',
	},
	'drop-table': {
		severity: 'error', engines: both,
		risk: 'DROP TABLE deletes the table and all its rows for good, and code still using it fails',
		fix: 'stop using the table first, rename it aside or keep a backup, and drop it in a later migration; allow the finding with the reason once that is done',
	},
	truncate: {
		severity: 'error', engines: postgres,
		risk: 'TRUNCATE deletes every row for good, under an ACCESS EXCLUSIVE lock',
		fix: 'delete the rows you mean with a WHERE, in batches; if the table must be emptied, take a backup first and allow the finding with the reason',
	},
	'rename-column': {
		severity: 'warning', engines: postgres,
		risk: 'renaming a column breaks the running code that still uses the old name, from the moment the migration commits',
		fix: 'add the new column, write both, backfill, switch reads, then drop the old one (or keep the old name through a view)',
	},
	'rename-table': {
		severity: 'warning', engines: postgres,
		risk: 'renaming a table breaks the running code that still uses the old name, from the moment the migration commits',
		fix: 'rename it and create a view under the old name until the code is switched, or create the new table and move the data in steps',
	},
	'exclusive-lock-then-more': {
		severity: 'warning', engines: postgres,
		risk: 'this statement takes an ACCESS EXCLUSIVE lock that is held until the migration commits: every later statement of the transaction keeps reads and writes of the table waiting',
		fix: 'move the statement into a migration of its own, or make it the last statement of this one',
	},
	'lock-timeout-disabled': {
		severity: 'error', engines: postgres,
		risk: 'the migration turns off the lock timeout cutover sets, then takes a lock that blocks: if the lock is not granted at once, every query on the table queues behind the waiting migration, with no bound',
		fix: 'remove the SET/RESET lock_timeout; to wait longer, write "-- cutover: lock-timeout=30s" at the top of the file (at most 10m)',
	},
	'concurrently-in-transaction': {
		severity: 'error', engines: postgres,
		risk: 'this statement cannot run inside a transaction block, and the migration runs in one: it fails in the window with "cannot run inside a transaction block"',
		fix: 'put it in a migration of its own with "-- cutover: no-transaction" above its first statement',
	},
	'enum-value-in-transaction': {
		severity: 'warning', engines: postgres,
		risk: 'ALTER TYPE … ADD VALUE in a transaction: the new value cannot be used until the transaction commits ("unsafe use of new value"), so a later statement of this migration that uses it fails',
		fix: 'add the value in a migration of its own marked "-- cutover: no-transaction" (with IF NOT EXISTS), and use it in a later migration',
	},
	'json-type': {
		severity: 'warning', engines: postgres,
		risk: 'json keeps the text as written: it has no equality operator (DISTINCT, GROUP BY and UNIQUE fail on it) and no GIN index; changing it to jsonb later rewrites the table',
		fix: 'use jsonb',
	},
	'sqlite-table-rebuild': {
		severity: 'warning', engines: sqlite,
		risk: 'the table is rebuilt (CREATE new, copy with INSERT … SELECT, DROP old, RENAME): the copy holds the write lock for the whole table, and the indexes, triggers and views of the old table are gone unless the migration recreates them',
		fix: 'where SQLite can do it in place (ALTER TABLE … RENAME COLUMN, DROP COLUMN since 3.35, ADD COLUMN), do that; otherwise recreate every index and trigger of the old table in the same migration and check with PRAGMA foreign_key_check',
	},
	'invalid-allow': {
		severity: 'error', engines: both,
		risk: 'a "-- cutover: allow" comment that cutover cannot read silences nothing',
		fix: 'write "-- cutover: allow <rule> because <reason>" on the line above the statement, with a rule id from cutover lint --help',
	},
} as const satisfies Record<string, Omit<Rule, 'id'>>;

export type RuleId = keyof typeof rules;

export function isRuleId(id: string): id is RuleId {
	return Object.hasOwn(rules, id);
}

export function ruleOf(id: RuleId): Rule {
	return {id, ...rules[id]};
}
