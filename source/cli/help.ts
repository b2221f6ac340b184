export const mainHelp = `cutover — guided, recorded database migrations

Usage
  cutover run --db <target> [options]   walk through a migration, screen by screen
  cutover status --db <target> [--json] fingerprint and applied/pending migrations
  cutover watch --db <target>           live sessions, locks and who blocks whom
  cutover health --db <target> [--json] health checks and thresholds, exit 0-3 for cron
  cutover import --db <target>          adopt a database: its history from another tool
  cutover baseline --db <t> --to <m>    adopt a database: mark migrations up to <m> applied
  cutover resume [<journal>]            list unfinished runs, or continue one
  cutover demo [--dir <path>] [--plain] a guided run on a SQLite database it creates
  cutover config [<key> [<value>]]      show or set operator settings
  cutover replay <record> [--plain]     replay a change record on the same screens
  cutover verify <record | records-dir> check a record's chain, signatures and the chain of runs
  cutover keygen [--out <path>]         make the Ed25519 key that signs change records
  cutover key export [--format <f>]     print its public key (PEM, ssh-ed25519, allowed_signers)
  cutover checklist lint <file>…        validate runbooks without a database
  cutover lint [<migrations-dir>]       migrations that lock, rewrite or lose data
  cutover snapshot --db <t> [--out <f>] row counts, sizes, schema and version, as JSON
  cutover snapshot diff <a> <b>         what changed between two snapshots
  cutover test-migrations --db <source> up, down and up again on a throwaway copy

Targets
  postgres://user@host:5432/dbname      libpq URL; PG* variables and ~/.pgpass are honoured
  sqlite:path/to/file.db                or any path ending .db, .sqlite or .sqlite3

Options
  -h, --help      help (also after a command: cutover run --help)
  -v, --version   print the version
  --config-dir <dir>  where the settings live (any command; also CUTOVER_CONFIG_DIR;
                  default ~/.config/cutover): for an unwritable HOME or a shared host

Keys in the console: ? shows the keys of the current screen (F1 while typing in a field,
or ? when the field is empty); q or Ctrl-C asks before leaving.
`;

export const runHelp = `cutover run --db <target> [options]

Walks through: maintenance window → backup → backup verification → pre-validation →
upgrade → post-verification → rollback prompt → summary. Every event goes to a journal in
the records directory as it happens; that journal is the run's change record.

Options
  --db <target>          the database (postgres://… or a SQLite file); required
  --migrations <dir>     migrations directory (default: ./migrations of the working directory)
  --format <name>        the folder's layout when its files leave it open: golang-migrate,
                         pop, dbmate, goose, flyway, maragu or prisma (default: told from the files)
  --checklist <file>     runbook (default: the one runbook in ./checklists/, or
                         production.yaml of several)
  --to <migration>       stop after this migration
  --window-start <time>  planned start (ISO 8601; default now)
  --window-minutes <n>   planned length (default from the checklist)
  --records <dir>        where the change record goes (default from cutover config)
  --backups <dir>        where the backup goes (default from cutover config)
  --unsigned             do not sign the change record (by default it is signed with
                         cutover config signingKey, which is made first if it does not exist)
  --no-trace             PostgreSQL: do not measure the pending migrations' locks on a
                         throwaway copy of the schema before the window (as lint --trace;
                         over several databases, each PostgreSQL one on its own copy)

Several databases (a runbook with databases:, as checklists/dual-db-split.yaml)
  --db <name>=<target>   one per database the runbook names (--db users=… --db pool=…);
                         each one's migrations folder comes from the runbook
  --confirm-db <name>    in plain mode, once per database (each window types its own name)

Without a terminal (CI, pipes, nohup)
  --plain                no console: one line per event on stdout, same journal and record
  --json                 as --plain, with one JSON object per event on stdout ({seq, at,
                         event}, as in the record) and every other message on stderr
  --yes                  tick every preparation item
  --confirm-db <name>    the database name, as you would type it in the console
  --override <id>=<why>  accept a failing blocking check, with the reason recorded (repeatable)
  --ack-lint <rule|file:line>  accept a destructive or blocking lint finding of the pending
                         migrations as written, on the record (repeatable; see cutover lint)
  --on-failure <choice>  keep | downgrade | restore when something fails after the backup
                         (default keep: nothing is undone and the run exits non-zero)
  --at-end <choice>      keep | downgrade | restore after a successful upgrade (default keep)
  --drop-invalid-index   drop the INVALID index an earlier CREATE INDEX CONCURRENTLY of a
                         no-transaction migration left, before it runs again (recorded)
  --observe <wait|skip>  the runbook's observation period (observe:): wait it out, printing
                         each threshold breach (default), or skip it, recorded as this flag

  Every human gate that no flag opens stops the run (fails closed).

Exit status: 0 upgraded (or nothing to do), 1 anything else, 2 bad usage.
`;

export const resumeHelp = `cutover resume [<journal>] [options]

A run stopped by a hang-up (SSH drop) or a terminate finishes its current unit of work (a
migration commits or rolls back as a whole; a backup is cancelled and recorded incomplete),
records where it stopped and leaves maintenance mode on. Without arguments, resume lists the
unfinished runs in the records directory. With a journal, it re-reads the database (applied
migrations, the backup file and its sha256), shows how that compares with the journal, asks
for the database name again, and continues the same run and record from the next gate.

Options
  --records <dir>        where to look for unfinished runs (default from cutover config)
  --db <target>          the database, when the journal's (password removed) is not enough
  --migrations <dir>     migrations directory (default: the run's own)
  --format <name>        the folder's layout, as for run (default: told from the files)
  --checklist <file>     the run's checklist (default: the run's own; it must not have changed)
  --backups <dir>        where a new backup goes if one is needed
  --rollback             after an interrupted upgrade, go to the rollback prompt instead of continuing
  --no-trace             PostgreSQL: a run stopped before its upgrade does not measure its
                         pending migrations' locks on a copy (it does when no trace on the
                         record covers them)
  --plain, --json, --yes, --confirm-db, --override, --on-failure, --at-end,
  --drop-invalid-index, --observe
                         as for cutover run;
                         --plain and --json need --confirm-db; --json prints the events
                         this resume adds

A run over several databases: --db <name>=<target> gives one database's target again, and
--confirm-db is given once per database, in the run's order.

Exit status: 0 upgraded (or nothing to do), 1 anything else, 2 bad usage.
`;

export const checklistHelp = `cutover checklist lint <file.yaml>…

Validates each runbook as a run would on load (YAML, keys, types, ids, durations, check
SQL present for an engine, references between checks), without opening a database. Prints
ok or FAIL per file, with the file, the step and the line of the first problem.

Exit status: 0 every file valid, 1 some file did not validate, 2 bad usage.
`;

export const snapshotHelp = `cutover snapshot --db <target> [--out <file.json>]
cutover snapshot diff <before.json> <after.json> [--allow <name>]… [--json]

snapshot records the database at one moment: every table's row count and (PostgreSQL) its
pg_total_relation_size, the database's size, the tables' columns with their types, the
indexes, the constraints (primary key, unique, foreign key; on PostgreSQL check and exclusion
too), the views, and the migration version (the latest row of cutover_migrations). cutover's
own tables are left out. The counts are exact (count(*)), read in one transaction; each lock
is waited for at most 5 s. Without --out the JSON goes to stdout; --out writes the file and
prints a summary (an existing file is never overwritten).

diff prints the schema objects added, removed or changed, the tables whose rows or size
changed, and the migration version and size before and after. Unexpected, marked !:
  - a table, column, index, constraint or view removed
  - a column's type, nullability or default changed; an index, constraint or view redefined
  - a table whose row count dropped
  - a migration version that vanished
Added objects, more rows and size changes are expected. --allow <name> (repeatable) accepts
the changes of that object (a table, view, index or constraint name, or table.column) this
time; a table's name accepts everything on that table. Marked ~, still listed.
--json prints the diff as JSON instead.

A run takes a snapshot before the upgrade and one after; its record keeps both, and the
post-verification screen shows their diff.

Exit status: 0 no unexpected change (or a snapshot taken), 1 unexpected changes (or the
database could not be read), 2 bad usage or a file that is no snapshot.
`;

export const testMigrationsHelp = `cutover test-migrations --db <source> [--migrations <dir>] [--schema-only | --empty]
                        [--checklist <file>] [--format <name>] [--plain | --json]

The round trip, on a throwaway copy of the source (the source is only read): every pending
migration up; the runbook's post checks (with --checklist); each migration down in reverse
order, the schema after it compared with the schema before its up (tables, columns with
types, nullability and defaults, indexes, constraints, functions, views, sequences, triggers,
types); then each up again, compared with the schema after its first up.

The copy
  PostgreSQL   a database cutover_rt_<pid>_<time> on the source's server, restored from
               pg_dump of the source (needs CREATEDB); always dropped, on Ctrl-C too
  SQLite       the file copied with SQLite's online backup into a temporary directory,
               always removed
  --schema-only  the schema without rows (cutover_migrations' rows kept)
  --empty        an empty database: the whole folder from nothing

Options
  --db <source>        the database whose pending migrations to test; required
  --migrations <dir>   the migrations (default ./migrations)
  --checklist <file>   run its post checks on the copy after the upgrade (its pre checks
                       before, for what the post checks compare with); probes are skipped
  --format <name>      the folder's format, when the files leave it open
  --plain              no progress line on stderr
  --json               the whole report as JSON

A migration without a down fails: it cannot be reverted. Exit status: 0 every migration went
up, down to the same schema and up again; 1 a failure (named, with the objects that differ);
3 could not run (bad usage, no copy could be made: the message says what to do).
`;

export const statusHelp = `cutover status --db <target> [--migrations <dir>] [--format <name>] [--json]

Prints the target's fingerprint (engine, version, host, database, size, system identifier),
who holds its run lock (operator, host, pid, since when, run id) if a run is going on, and its
applied and pending migrations with checksums. Read-only.
`;

export const healthHelp = `cutover health --db <target> [--checklist <file>] [--json] [--sample <duration>]

Runs the checklist's health checks (checks: {health: [...]}: data freshness with recency,
key tables not empty with row_count, any check kind) and judges its thresholds (connections
against max_connections, cache hit ratio, lock waits, replication lag: the watch's figures).
Read-only: no run lock, no change record, no console.

Options
  --db <target>          the database; required
  --checklist <file>     the checklist (default: ./checklists/health.yaml)
  --json                 one JSON object: checks with verdicts, details and evidence, thresholds
                         with their values
  --sample <duration>    how long the cache hit ratio is sampled (default 1s; 0s: since the
                         statistics were last reset)

On SQLite the thresholds do not apply and are reported as not applicable.

Exit status: 0 healthy, 1 warn (a warn check failed or a warn level was crossed), 2 alert
(a block check failed or an alert level was crossed), 3 could not check (no connection,
a bad checklist, bad usage: the message says what to do).
`;

export const watchHelp = `cutover watch --db <target> [options]

A live screen of the server's sessions, refreshed every second: connections against
max_connections, active / idle in transaction / waiting, cache hit ratio and transactions
per second over the last interval, oldest transaction, database size, replication lag.
Views: 1 running queries, 2 blocking tree (built from pg_blocking_pids(), so readers queued
behind a waiting ALTER TABLE show under it; parallel workers fold into their leader, pid 0
is a prepared transaction, wait cycles are marked), 3 idle in transaction.

Keys: ↑/↓ select, c cancel (pg_cancel_backend), k terminate (pg_terminate_backend), each
after a confirmation showing the query; y copy the query (OSC 52); / regex filter over
database, user, application and query; m minimum duration; s sort by query, transaction or
connection age; +/- refresh rate; space pause; d read the database size now; q quit.

Cancel and terminate are logged, one JSON line each (who, when, which backend, which
query), to watch/actions.jsonl in the records directory, and listed on exit.
Needs PostgreSQL 13 or later; a role with pg_monitor sees every session, any other role
sees other users' sessions as <insufficient privilege>. Its own session is named
"cutover watch" and left out. A SQLite target shows its file, WAL, journal mode and locks.

Options
  --db <target>              the database; required
  --interval <seconds>       refresh interval (default 1)
  --threshold <name>=<n>     change a colour threshold (repeatable): connections-warn=80,
                             connections-alert=90, cache-hit-warn=99, cache-hit-alert=95 (%),
                             lock-wait-warn=1, lock-wait-alert=5, lag-warn=1, lag-alert=10 (s)
  --records <dir>            where the actions log goes (default from cutover config)
  --once                     print one refresh as text and exit (also what happens off a terminal)
`;

export const demoHelp = `cutover demo [--dir <path>] [--plain]

Creates a SQLite database with a few users and meters (some of them duplicates) in a fresh
directory, applies the first migration as "already deployed", then runs the guided flow
with cutover's own migrations and production checklist. Backups and the change record go
into the same directory. With --plain it runs without the console, answering every gate.
`;

export const replayHelp = `cutover replay <record> [--plain]

Shows a change record (the .jsonl journal of a run) on the same screens the operator saw,
driven by the recorded events through the same reducer. It reads only the record: no
database is opened, so a record replays after its database is gone.

Keys
  space          play or pause at the recorded pace (idle gaps are cut to 2 s, and
                 the bar says so)
  . or →         one event forward        , or ←   one event back
  ]              next step                [        start of this or the previous step
  > <            speed ×1, ×4, ×16, instant (instant goes straight to the end)
  g G            first or last event (also Home, End)
  ? q            help, leave

  The bar under the screens shows event k/N, the event, its original time (UTC), the
  speed, and » DECISION or » OVERRIDE on the operator's decisions.

Options
  --plain        no console: one line per event, decisions marked with a leading »
                 (grep '^»' lists them)

A damaged record (a torn last line, a line that is not JSON) replays up to where it
stops, says where, and exits 1; cutover verify checks a record's integrity.
`;

export const configHelp = `cutover config                show the settings and where they are stored
cutover config <key>          print one setting
cutover config <key> <value>  set it

Keys: operatorName (how you are named in change records), recordsDir, backupsDir,
signingKey (Ed25519 key that signs records; the first run makes it if it does not exist),
trustedKeys (allowed_signers file cutover verify believes; default: the signing key's own).
CUTOVER_CONFIG_DIR=<dir> or --config-dir <dir> moves the settings file;
CUTOVER_CACHE_DIR=<dir> the console's code cache (empty: none; default ~/.cache/cutover).
`;

export const keygenHelp = `cutover keygen [--out <path>]

Makes an Ed25519 key pair for signing change records and writes the private key (PKCS#8 PEM,
mode 0600) to the signingKey of cutover config (by default next to the settings), or to
--out. Never overwrites a file. From then on every run seals its record: a signed checkpoint
at each operator decision and at the end, and an SSH signature when it finishes.
`;

export const keyHelp = `cutover key export [--format both|pem|ssh|allowed-signers] [--principal <name>] [--key <path>]

Prints the public half of the signing key: as an SPKI PEM (for openssl pkeyutl) and as an
OpenSSH ssh-ed25519 line (default: both). --format allowed-signers prints a line for an
allowed_signers file (principal default "cutover", limited to namespace cutover-record),
which ssh-keygen -Y verify and cutover verify --trusted read.
`;

export const verifyHelp = `cutover verify <record.jsonl | records-dir> [--trusted <file>] [--allow-unsigned] [--every-line]

Checks a change record: every line's hash chain, every checkpoint's signature and the bytes
it seals, that the run's end is sealed, the SSH signature of a finished run, and the link to
the record before it. Each line's form (canonical JSON, seq, run id, kind) is checked too,
except where trusted seals vouch for every byte of the record (--every-line checks it there
as well); when anything does not hold, every line is checked and the first bad one named.
Given a directory, it checks every record there and the chain between them (a removed or
replaced record breaks it). A .jsonl there that is not a record (cutover did not name it so
and its first line is not a run.started) is listed as skipped.

Trusted keys: --trusted (an allowed_signers file or a PEM public key), else cutover config
trustedKeys if that file exists, else the configured signing key's own public key. The key
named inside a record is never trusted for its own sake.

  --allow-unsigned   accept records that name no signer (only their hash chain is checked)
  --every-line       check every line's form even in a record sealed whole

Exit status: 0 when every check holds; 1 otherwise, with the first bad line, checkpoint or
record named; 2 bad usage.
`;

export const importHelp = `cutover import --db <target> [--migrations <dir>] [--from <tool>] [options]

Adopts a database whose migrations another tool applied: reads that tool's history table,
maps it to the migrations of the folder by version (0001_x, 20240101120000_x, V1.2__x,
00001_x), shows the mapping (file, history row, status) and every mismatch, then asks for
the database's name and writes the applied ones into cutover_migrations (the file's sha256
as checksum), in one transaction, running nothing. Recorded and signed like a run.

History tables read
  golang-migrate  schema_migrations(version, dirty)   a dirty row blocks
  goose           goose_db_version                    the latest row per version decides
  dbmate          schema_migrations(version)
  flyway          flyway_schema_history               failed rows block; checksums compared
  alembic         alembic_version                     only where file names carry revisions
  maragu          migrations(version)                 its one row covers every name up to it
  prisma          _prisma_migrations                  unfinished rows block; sha256 compared

Refused (nothing written): a history row with no file, a file missing in the middle of the
history (a gap), a dirty or failed row, a Flyway checksum that differs from the file's, a
database that has cutover_migrations rows already, except for goose Go migrations goose ran
after cutover's rows (the hand-off a run asks for): import records those beside them.

Options
  --from <tool>          which history to read (default: the one found)
  --format <name>        how the folder is written, as for cutover run (default: detected)
  --records <dir>        where the record goes (default: the configured records directory)
  --yes --confirm-db <name>  answer the name without a terminal (scripts)
  --unsigned             do not sign the record
`;

export const baselineHelp = `cutover baseline --db <target> --to <migration> [--migrations <dir>] [options]

Adopts a database whose schema is already at <migration>: marks every migration up to it
applied in cutover_migrations without running it. Shows the evidence first: the tables and
indexes each migration's SQL creates (CREATE TABLE / CREATE INDEX names), present or
missing. An object a later migration up to <migration> drops or renames (DROP TABLE,
DROP INDEX, ALTER TABLE|INDEX … RENAME TO) is shown as dropped later, not required; the
renamed-to name is expected instead. Missing objects refuse the baseline unless --force is
given (recorded as an override). Its own typed-name gate and its own signed record.

Options
  --to <migration>       the last migration the schema has; required
  --force                mark migrations applied even when their objects are missing
  --format <name>        how the folder is written, as for cutover run (default: detected)
  --records <dir>        where the record goes
  --yes --confirm-db <name>  answer the name without a terminal (scripts)
  --unsigned             do not sign the record
`;

export const lintHelp = `cutover lint [<migrations-dir>] [--db <target>] [--engine postgres|sqlite]
             [--format <fmt>] [--trace [--empty] [--plain]] [--json]

Reads the migrations folder (default ./migrations, in any layout cutover runs: golang-migrate,
pop, dbmate, goose, Flyway, maragu, prisma; ups and downs are read and checked as a run reads
them) and lints each up, in order, with PostgreSQL's own parser (SQLite: statement patterns).
A table is "existing" when no earlier migration of the folder created it; with --db, the
pending migrations of that database are linted and a table is existing when it is there now.

Rules (error: loses data or blocks the application; warning: a risk to look at)
  index-not-concurrent           error    CREATE INDEX without CONCURRENTLY on an existing table
  unique-constraint-on-existing  error    UNIQUE / PRIMARY KEY built under ACCESS EXCLUSIVE
  set-not-null                   error    SET NOT NULL scans under ACCESS EXCLUSIVE
  column-type-rewrite            error    ALTER COLUMN … TYPE rewrites the table
  volatile-default               error    ADD COLUMN with random(), serial, identity… rewrites
  not-null-without-default       error    ADD COLUMN NOT NULL without DEFAULT fails on rows
  foreign-key-without-not-valid  error    FOREIGN KEY checked under locks on both tables
  check-without-not-valid        error    CHECK scanned under ACCESS EXCLUSIVE
  drop-column, drop-table        error    the data is gone
  truncate                       error    every row is gone
  rename-column, rename-table    warning  running code that uses the old name breaks
  exclusive-lock-then-more       warning  ACCESS EXCLUSIVE held through later statements
  lock-timeout-disabled          error    a blocking lock after SET lock_timeout = 0 / RESET
  concurrently-in-transaction    error    CONCURRENTLY (VACUUM…) in a transactional migration
  enum-value-in-transaction      warning  ALTER TYPE … ADD VALUE unusable until commit
  json-type                      warning  json instead of jsonb
  sqlite-table-rebuild           warning  CREATE new / INSERT SELECT / DROP / RENAME on SQLite
  invalid-allow                  error    an allow comment without a reason or a known rule
cutover sets a lock timeout on every migration it runs (5s, or -- cutover: lock-timeout=…),
so a lock without a guard is only reported where the migration turns the timeout off.
Each finding prints the risk (the lock and what it blocks, or the data lost) and the fix.

Silencing one finding: on the line above the statement,
  -- cutover: allow <rule> because <reason>
The finding is kept, marked allowed, with the reason. An allow without a reason or naming
no rule is an error finding.

Options
  --db <target>        lint the target's pending migrations against its live tables
  --engine <e>         postgres (default) or sqlite; --db decides it when given
  --format <fmt>       the folder's layout, when detection cannot tell
  --json               one JSON object: findings with rule, severity, risk, fix, allowed
                       (with --trace: {"lint": …, "trace": …, "exitCode": …})
  --trace              after the findings, measure the locks (PostgreSQL, needs --db; below)
  --empty              trace on an empty database instead: the whole folder from nothing
  --plain              no progress line on stderr while tracing

JS/TS module migrations are code, not SQL: they are listed as not linted (--trace runs them).
goose Go migrations are listed too; --trace stops at one, since only goose runs it.

The trace (--trace)
  Measures the locks of each pending migration on a throwaway database restored from
  pg_dump --schema-only of the target (cutover_lt_<pid>_<time>, needs CREATEDB; always
  dropped, on Ctrl-C too). The earlier pending migrations are applied first; each migration
  runs one statement at a time in a transaction rolled back at the end, and after each
  statement the locks held (pg_locks) and any rewrite (a new pg_class.relfilenode) are read.
  Then it is applied for real on the copy, for the next one. A no-transaction migration is
  not run to trace it: CONCURRENTLY takes SHARE UPDATE EXCLUSIVE, blocking no reads or writes.
  Sizes come from the target, read only (pg_total_relation_size, pg_class.reltuples).
  Verdicts: ok (blocks nothing, or the table is small: under 10.0 MB and 10,000 rows),
  caution, danger (1.0 GB or 1,000,000 rows and over, blocked or rewritten). Its exit
  status: 0 ok, 1 caution, 2 danger or a migration failed on the copy; the command exits
  with the higher of the lint's and the trace's.

Exit status: 0 clean, 1 warnings only, 2 errors (allowed findings count for neither),
3 could not lint or trace (a folder that cannot be read, a statement that does not parse: the
message names the file and line; bad usage).
`;
