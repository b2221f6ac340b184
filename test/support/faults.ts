// What every fault test asserts: a clear message, nothing lost, and a record `cutover verify` accepts.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {demoSeedSql} from '../../source/demo/seed.js';
import {parseTarget} from '../../source/target.js';
import {cli, cliEnv, cutover, demoMigrations, readJournal, type DemoTarget, type JournalLine} from './demo-targets.js';
import type {Cluster} from './pg-cluster.js';

/** A stack frame, as node prints them; a message carrying one was not written for an operator. */
const stackFrame = /^\s+at .+(?:\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/**
 * (a) A clear message: everything the operator saw names what happened (each pattern matches),
 * and carries no stack trace, no node internals and no "this is a bug" banner.
 */
export function assertClearMessage(output: string, ...names: RegExp[]): void {
	assert.doesNotMatch(output, stackFrame, `a stack trace reached the operator:\n${output}`);
	assert.ok(!output.includes('node:internal'), `node internals reached the operator:\n${output}`);
	assert.doesNotMatch(output, /unexpected error \(a bug/, `an unexpected error reached the operator:\n${output}`);
	for (const name of names) {
		assert.match(output, name, `the operator is not told ${String(name)}:\n${output}`);
	}
}

export type TableState = {rows: number; checksum: string};
/** Every user table by name: its row count and a checksum of its content, in a stable order. */
export type TableSnapshot = Record<string, TableState>;

export type SnapshotOptions = {
	/** Tables a test made only to slow a step down (ballast), left out of the comparison. */
	skip?: string[];
};

/** cutover's lock bookkeeping changes with every run and holds no user data. */
const bookkeeping = new Set(['cutover_run_lock']);

/**
 * (b) Every user table's row count and content checksum, read with the driver directly.
 * PostgreSQL: md5 over each row's text form in order; SQLite: sha256 over each row's quoted
 * columns in order (blobs included, as quote() writes them).
 */
export async function snapshotTables(target: Pick<DemoTarget, 'engine' | 'db'>, options: SnapshotOptions = {}): Promise<TableSnapshot> {
	const skipped = (table: string) => bookkeeping.has(table) || (options.skip ?? []).includes(table);
	if (target.engine === 'sqlite') {
		const db = new BetterSqlite3(target.db.replace(/^sqlite:/, ''), {readonly: true, fileMustExist: true});
		try {
			const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
			const snapshot: TableSnapshot = {};
			for (const table of tables.filter(t => !skipped(t))) {
				const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map(c => `quote("${c}")`);
				const rows = db.prepare(`SELECT ${columns.join(` || ',' || `)} AS r FROM "${table}" ORDER BY r`).pluck().all() as string[];
				snapshot[table] = {rows: rows.length, checksum: createHash('sha256').update(rows.join('\n')).digest('hex')};
			}

			return snapshot;
		} finally {
			db.close();
		}
	}

	const client = new pg.Client({connectionString: target.db});
	await client.connect();
	try {
		const tables = await client.query<{schema: string; name: string}>("SELECT schemaname AS schema, tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2");
		const snapshot: TableSnapshot = {};
		for (const {schema, name} of tables.rows.filter(t => !skipped(t.name))) {
			const qualified = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
			// eslint-disable-next-line no-await-in-loop -- one connection, one statement at a time
			const result = await client.query<{rows: string; checksum: string | null}>(`SELECT count(*)::text AS rows, md5(string_agg(t::text, ',' ORDER BY t::text)) AS checksum FROM ${qualified} t`);
			const row = result.rows[0]!;
			snapshot[schema === 'public' ? name : `${schema}.${name}`] = {rows: Number(row.rows), checksum: row.checksum ?? 'empty'};
		}

		return snapshot;
	} finally {
		await client.end();
	}
}

/** (b) Nothing lost: the same tables, each with the same rows, as in the snapshot taken before the fault. */
export async function assertNothingLost(target: Pick<DemoTarget, 'engine' | 'db'>, before: TableSnapshot, what = 'the fault', options: SnapshotOptions = {}): Promise<void> {
	const after = await snapshotTables(target, options);
	assert.deepEqual(after, before, `the tables differ after ${what}`);
}

/** One migration's schema change, as a yes/no question to the database. */
export type MigrationProbe = {name: string; present: () => Promise<boolean>};

/**
 * (b) Each migration wholly applied or not: its log row in cutover_migrations exactly when its
 * schema change is there. Returns which were applied.
 */
export async function assertMigrationsWhole(target: DemoTarget, probes: MigrationProbe[]): Promise<Record<string, boolean>> {
	const logged = new Set((await target.rows('SELECT name FROM cutover_migrations')).map(r => String(r['name'])));
	const applied: Record<string, boolean> = {};
	for (const probe of probes) {
		// eslint-disable-next-line no-await-in-loop -- one after the other
		const present = await probe.present();
		assert.equal(present, logged.has(probe.name), `${probe.name}: its change is ${present ? 'there' : 'absent'} but its log row is ${logged.has(probe.name) ? 'there' : 'absent'}`);
		applied[probe.name] = present;
	}

	return applied;
}

export async function tableExists(target: DemoTarget, table: string): Promise<boolean> {
	const rows = target.engine === 'sqlite'
		? await target.rows(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '${table}'`)
		: await target.rows(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = '${table}'`);
	return rows.length === 1;
}

export async function columnExists(target: DemoTarget, table: string, column: string): Promise<boolean> {
	const rows = target.engine === 'sqlite'
		? await target.rows(`SELECT name FROM pragma_table_info('${table}') WHERE name = '${column}'`)
		: await target.rows(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' AND column_name = '${column}'`);
	return rows.length === 1;
}

export async function indexExists(target: DemoTarget, index: string): Promise<boolean> {
	const rows = target.engine === 'sqlite'
		? await target.rows(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = '${index}'`)
		: await target.rows(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname = '${index}'`);
	return rows.length === 1;
}

/** The demo's migrations 0002–0004, each by the change it makes. */
export const demoProbes = (target: DemoTarget): MigrationProbe[] => [
	{name: '0002_users_status', present: async () => columnExists(target, 'users', 'status')},
	{name: '0003_archive_duplicate_meters', present: async () => tableExists(target, 'meters_archive')},
	{name: '0004_meters_unique_slot', present: async () => indexExists(target, 'meters_unit_kind_slot_key')},
];

export type VerifyOptions = {
	/**
	 * Pass --allow-unsigned. By default it is passed only when the record says it is unsigned
	 * (its first line has `signer: null`), so a signed record must verify as signed.
	 */
	allowUnsigned?: boolean;
};

/** (c) `cutover verify` accepts the record (or the records directory); returns what it printed. */
export function assertVerifies(target: DemoTarget, record: string, options: VerifyOptions = {}): string {
	const allow = options.allowUnsigned ?? !recordIsSigned(record);
	const verified = cutover(target, ['verify', ...(allow ? ['--allow-unsigned'] : []), record]);
	assert.equal(verified.code, 0, `cutover verify ${record}:\n${verified.stdout}${verified.stderr}`);
	assertClearMessage(verified.stdout + verified.stderr);
	return verified.stdout;
}

/** Whether the first record of a file or directory names a signer. */
function recordIsSigned(record: string): boolean {
	const file = record.endsWith('.jsonl') ? record : firstRecord(record);
	if (file === undefined) {
		return false;
	}

	const first = readFileSync(file, 'utf8').split('\n')[0] ?? '{}';
	return (JSON.parse(first) as {event?: {signer?: unknown}}).event?.signer != null;
}

function firstRecord(dir: string): string | undefined {
	const files = readdirSync(dir).filter(f => f.endsWith('.jsonl')).sort();
	return files[0] === undefined ? undefined : path.join(dir, files[0]);
}

/** A demo target (0001 applied, seeded) on a throwaway cluster of the test's own, which it may restart. */
export async function prepareClusterTarget(cluster: Cluster): Promise<DemoTarget> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-faults-'));
	const name = 'shop';
	const admin = new pg.Client({connectionString: cluster.url});
	await admin.connect();
	await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
	await admin.query(`CREATE DATABASE ${name}`);
	await admin.end();
	const url = new URL(cluster.url);
	url.pathname = `/${name}`;
	const db = url.toString();
	const migrator = await openMigrator({target: parseTarget(db), directory: demoMigrations});
	try {
		await migrator.up('0001_create_users_and_meters', {runId: 'demo-setup', appliedBy: 'test setup'});
	} finally {
		await migrator.close();
	}

	const rows = async (sql: string) => {
		const client = new pg.Client({connectionString: db});
		await client.connect();
		try {
			return (await client.query(sql)).rows as Array<Record<string, unknown>>;
		} finally {
			await client.end();
		}
	};

	await rows(demoSeedSql);
	return {
		engine: 'postgres',
		db,
		name,
		dir,
		rows,
		async cleanup() {
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** `pg_ctl restart -m fast` on a throwaway cluster: every session is ended, the server is back when this returns. */
export function restartCluster(cluster: Cluster): void {
	const pgCtl = path.join(cluster.binDir, 'pg_ctl');
	const args = ['-D', path.join(cluster.directory, 'data'), '-m', 'fast', '-w', '-t', '60', 'restart'];
	const asRoot = process.getuid?.() === 0;
	execFileSync(asRoot ? 'runuser' : pgCtl, asRoot ? ['-u', 'nobody', '--', pgCtl, ...args] : args, {cwd: cluster.directory, stdio: 'ignore'});
}

/** A small tmpfs mounted at a fresh directory, to fill; undefined where mounting is not allowed. */
export function smallDisk(bytes: number): {dir: string; unmount(): void} | undefined {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-full-'));
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], {stdio: 'ignore'});
	} catch {
		rmSync(dir, {recursive: true, force: true});
		return undefined;
	}

	let mounted = true;
	const unmount = () => {
		if (mounted) {
			mounted = false;
			try {
				execFileSync('umount', [dir], {stdio: 'ignore'});
			} catch {}

			rmSync(dir, {recursive: true, force: true});
		}
	};

	process.once('exit', unmount);
	return {dir, unmount};
}

/** Files left in a directory (none when it does not exist). */
export function filesIn(dir: string): string[] {
	return existsSync(dir) ? readdirSync(dir) : [];
}

/** A cutover process running in the background, off a terminal, its output collected. */
export type Background = {
	pid: number;
	/** stdout and stderr so far, interleaved as they came. */
	output(): string;
	/** Resolves with the exit code (or the signal's name) and everything printed. */
	exited: Promise<{code: number | null; signal: NodeJS.Signals | null; output: string}>;
	/** The first .jsonl in the records directory, once there. */
	journal(): Promise<string>;
	kill(signal?: NodeJS.Signals): void;
};

export function startCutover(target: DemoTarget, args: string[], records: string): Background {
	const child = spawn(process.execPath, [cli, ...args], {env: {...process.env, ...cliEnv(target)}, stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString('utf8');
	});
	child.stderr.on('data', (chunk: Buffer) => {
		output += chunk.toString('utf8');
	});
	const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null; output: string}>(resolve => {
		child.once('close', (code, signal) => resolve({code, signal, output}));
	});
	return {
		pid: child.pid!,
		output: () => output,
		exited,
		journal: async () => until(() => {
			const file = filesIn(records).find(f => f.endsWith('.jsonl'));
			return file === undefined ? undefined : path.join(records, file);
		}, `a record in ${records}`),
		kill(signal = 'SIGKILL') {
			try {
				child.kill(signal);
			} catch {}
		},
	};
}

/** Complete lines of a journal so far. */
export function journalLines(journal: string): JournalLine[] {
	const text = existsSync(journal) ? readFileSync(journal, 'utf8') : '';
	return readJournal(text.slice(0, text.lastIndexOf('\n') + 1));
}

export async function waitForKind(journal: string, kind: string | ((line: JournalLine) => boolean), timeoutMs = 60_000): Promise<JournalLine> {
	const match = typeof kind === 'string' ? (l: JournalLine) => l.kind === kind : kind;
	return until(() => journalLines(journal).find(match), `${String(kind)} in ${journal}`, timeoutMs);
}

export async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const value = probe();
		if (value !== undefined) {
			return value;
		}

		// eslint-disable-next-line no-await-in-loop -- polling
		await sleep(50);
	}

	throw new Error(`waited ${timeoutMs} ms for ${what}`);
}
