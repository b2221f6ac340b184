import {mkdtempSync, rmSync, statSync} from 'node:fs';
import {execa} from 'execa';
import {tmpdir} from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {createSqliteBackupTool} from '../source/adapters/sqlite/backup-tool.js';
import {sha256OfFile} from '../source/adapters/sqlite/file-hash.js';
import {countRows} from '../source/adapters/sqlite/user-tables.js';
import type {BackupArtifact} from '../source/engine/model.js';
import {onCleanup} from './cleanup.js';
import {interleave, sample, type Comparison, type Part} from './measure.js';
import {createProgressMeter, watchStall, type ProgressSummary} from './progress-meter.js';

export type SectionResult = {
	engine: string;
	/** One line on what was measured against. */
	subject: string;
	comparisons: Comparison[];
	/** Steps of cutover's backup that the bare tool does not do, each timed alone. */
	parts: Part[];
	progress: ProgressSummary;
	/** The bare tool's longest main-thread stall, for comparison with cutover's. */
	bareStallMs: number;
	/** SQLite: the longest stall over cutover's whole backup-and-verify step, against the 100 ms goal. */
	wholeStepStallMs?: number;
};

/** Rows at scale 1 (about 90 MB); the full size, about 1 GB, is scale 11. */
const customersAt = 200_000;
const ordersAt = 600_000;
const eventsAt = 100_000;
/** backup and verify ÷ sqlite3 .backup and PRAGMA integrity_check: the goal. */
const combinedGoal = 1.15;
/** The longest the console's thread may be held during a backup: a redraw waits no longer. */
export const stallGoalMs = 100;

/** cutover's SQLite online backup (worker thread, progress) against better-sqlite3's own db.backup in this thread, and against the sqlite3 shell. */
export async function benchSqlite(rounds: number, scale = 1): Promise<SectionResult> {
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-bench-sqlite-'));
	onCleanup(directory, () => rmSync(directory, {recursive: true, force: true}));
	const source = path.join(directory, 'source.db');
	const [customers, orders, events] = [customersAt, ordersAt, eventsAt].map(rows => Math.max(10, Math.round(rows * scale))) as [number, number, number];
	seed(source, customers, orders, events);

	const tool = createSqliteBackupTool({path: source});
	const meter = createProgressMeter();
	const bare = {longestStallMs: 0};
	let copies = 0;
	const nextName = (side: string): string => `${side}-${++copies}.db`;

	const backup = await interleave({
		what: 'sqlite backup',
		rounds,
		async cutover() {
			const artifact = await meter.watch(async onProgress => tool.backup({directory, fileName: nextName('cutover'), onProgress}));
			rmSync(artifact.path);
		},
		async bare() {
			const file = path.join(directory, nextName('bare'));
			await watchStall(async () => {
				const db = new BetterSqlite3(source, {readonly: true, fileMustExist: true});
				try {
					await db.backup(file);
				} finally {
					db.close();
				}
			}, bare);
			rmSync(file);
		},
	});

	// What an operator would type instead: the shell's .backup, then integrity_check of the copy,
	// each a process of its own as cutover's verify is. cutover's side is the whole backup step of
	// a run: the copy with its counts and checksum, then the verification of the copy.
	const whole = createProgressMeter();
	const combined = await interleave({
		what: 'sqlite backup + verify / sqlite3 .backup + PRAGMA integrity_check',
		goal: combinedGoal,
		rounds,
		async cutover() {
			const made = await whole.watch(async onProgress => {
				const copy = await tool.backup({directory, fileName: nextName('whole'), onProgress});
				const result = await tool.verify(copy);
				if (!result.ok) {
					throw new Error(`cutover's verify rejected a good copy: ${JSON.stringify(result.items)}`);
				}

				return copy;
			});
			rmSync(made.path);
		},
		async bare() {
			const file = path.join(directory, nextName('shell'));
			await execa('sqlite3', ['-readonly', source, `.backup '${file}'`], {stdin: 'ignore'});
			const {stdout} = await execa('sqlite3', ['-readonly', file, 'PRAGMA integrity_check'], {stdin: 'ignore'});
			if (stdout.trim() !== 'ok') {
				throw new Error(`integrity_check on the shell's copy said ${stdout}`);
			}

			rmSync(file);
		},
	});

	// One copy made by cutover serves every verify round: verify only reads it.
	const artifact: BackupArtifact = await tool.backup({directory, fileName: 'verified.db', onProgress() {}});
	const verify = await interleave({
		what: 'sqlite verify / integrity_check',
		rounds,
		async cutover() {
			const result = await tool.verify(artifact);
			if (!result.ok) {
				throw new Error(`cutover's verify rejected a good copy: ${JSON.stringify(result.items)}`);
			}
		},
		async bare() {
			const db = new BetterSqlite3(artifact.path, {readonly: true, fileMustExist: true});
			try {
				const lines = db.prepare('PRAGMA integrity_check').pluck().all();
				if (lines.length !== 1 || lines[0] !== 'ok') {
					throw new Error(`integrity_check on a good copy said ${lines.join('; ')}`);
				}
			} finally {
				db.close();
			}
		},
	});

	const parts = [
		await sample('sqlite: sha256 of the copy', rounds, async () => sha256OfFile(artifact.path)),
		await sample('sqlite: exact row counts of the source', rounds, async () => {
			const db = new BetterSqlite3(source, {readonly: true, fileMustExist: true});
			try {
				db.transaction(() => countRows(db))();
			} finally {
				db.close();
			}
		}),
	];

	const megabytes = (statSync(source).size / 1024 / 1024).toFixed(0);
	return {
		engine: 'SQLite',
		subject: `${megabytes} MB file (scale ${scale}), 3 tables, ${(customers + orders + events).toLocaleString('en')} rows; bare = the sqlite3 shell, or better-sqlite3 db.backup() in this thread and PRAGMA integrity_check`,
		comparisons: [combined, backup, verify],
		parts,
		progress: meter.summary(),
		wholeStepStallMs: whole.summary().longestStallMs,
		bareStallMs: bare.longestStallMs,
	};
}

/** About 90 MB at scale 1: text, numbers, blobs and secondary indexes, so integrity_check has b-trees to walk. */
function seed(file: string, customers: number, orders: number, events: number): void {
	const db = new BetterSqlite3(file);
	try {
		db.pragma('journal_mode = WAL');
		db.pragma('synchronous = OFF');
		db.exec(`
			CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, created_at TEXT NOT NULL);
			CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), total REAL NOT NULL, status TEXT NOT NULL, note TEXT);
			CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload BLOB NOT NULL);
			BEGIN;
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${customers})
			INSERT INTO customers SELECT i, 'customer ' || i, 'c' || i || '@' || lower(hex(randomblob(6))) || '.example', datetime(1600000000 + i * 60, 'unixepoch') FROM n;
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${orders})
			INSERT INTO orders SELECT i, 1 + (i * 7919) % ${customers}, (i % 10000) / 100.0, CASE i % 4 WHEN 0 THEN 'open' WHEN 1 THEN 'paid' WHEN 2 THEN 'shipped' ELSE 'closed' END, lower(hex(randomblob(20))) FROM n;
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${events})
			INSERT INTO events SELECT i, 'kind-' || (i % 17), randomblob(200) FROM n;
			COMMIT;
			CREATE UNIQUE INDEX customers_email ON customers(email);
			CREATE INDEX orders_customer ON orders(customer_id, status);
		`);
		db.pragma('wal_checkpoint(TRUNCATE)');
	} finally {
		db.close();
	}
}
