import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {cpSync, existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {GENESIS, sha256, type JournalLine} from '../../source/journal/line.js';
import {cli, cliEnv, cutover, demoMigrations, productionChecklist, type DemoTarget} from '../support/demo-targets.js';
import {openTerminal, type Terminal} from '../support/tmux.js';

/** A migration slow enough to be caught in the middle, and one after it that must wait for the resume. */
export const SLOW = '0005_slow_table';
export const AFTER = '0006_after_slow';

/** The demo's migrations plus the slow one, in a directory of the target's own. */
export function slowMigrations(target: DemoTarget): string {
	const dir = path.join(target.dir, 'migrations');
	cpSync(demoMigrations, dir, {recursive: true});
	writeFileSync(path.join(dir, `${SLOW}.up.sql`), 'CREATE TABLE slow_table (id integer);\nSELECT pg_sleep(3);\nINSERT INTO slow_table SELECT generate_series(1, 1000);\n');
	// SQLite has no sleep: a few million generated rows keep the one statement busy for seconds.
	writeFileSync(path.join(dir, `${SLOW}.up.sqlite.sql`), 'CREATE TABLE slow_table (id integer);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 8000000) INSERT INTO slow_table SELECT x FROM c;\n');
	writeFileSync(path.join(dir, `${SLOW}.down.sql`), 'DROP TABLE slow_table;\n');
	writeFileSync(path.join(dir, `${AFTER}.up.sql`), 'CREATE TABLE after_slow (id integer);\n');
	writeFileSync(path.join(dir, `${AFTER}.down.sql`), 'DROP TABLE after_slow;\n');
	return dir;
}

export const records = (target: DemoTarget) => path.join(target.dir, 'records');
const dirs = (target: DemoTarget) => ['--records', records(target), '--backups', path.join(target.dir, 'backups')];
const env = cliEnv;

export type LiveRun = {terminal: Terminal; pid: number; journal: string};

/** Starts `cutover run` in a real terminal and finds its process and journal. */
export async function startRun(target: DemoTarget, migrations: string, plain: boolean, checklist = productionChecklist, extra: string[] = []): Promise<LiveRun> {
	const args = ['run', '--db', target.db, '--migrations', migrations, '--checklist', checklist, ...dirs(target), ...(plain ? ['--plain', '--yes', '--confirm-db', target.name] : []), ...extra];
	const terminal = openTerminal([process.execPath, cli, ...args], {env: env(target), cwd: target.dir});
	try {
		const pid = await until(() => findPid(records(target)), 'the cutover process');
		const journal = await until(() => {
			const files = existsSync(records(target)) ? readdirSync(records(target)).filter(f => f.endsWith('.jsonl')) : [];
			return files[0] === undefined ? undefined : path.join(records(target), files[0]);
		}, 'the journal');
		return {terminal, pid, journal};
	} catch (error) {
		terminal.close();
		throw error;
	}
}

function findPid(marker: string): number | undefined {
	const ps = execFileSync('ps', ['-eo', 'pid=,comm=,args='], {encoding: 'utf8'});
	for (const row of ps.split('\n')) {
		const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(row);
		if (match?.[2] === 'node' && match[3]?.includes(cli) && match[3].includes(marker)) {
			return Number(match[1]);
		}
	}

	return undefined;
}

/** Complete lines of a journal so far (a line being written is not one yet). */
export function lines(journal: string): JournalLine[] {
	const text = readFileSync(journal, 'utf8');
	return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map(line => JSON.parse(line) as JournalLine);
}

export async function waitForLine(run: LiveRun, match: (line: JournalLine) => boolean, what: string): Promise<void> {
	await until(() => lines(run.journal).some(match) || undefined, what, 60_000);
}

export async function waitForExit(pid: number): Promise<void> {
	await until(() => {
		try {
			process.kill(pid, 0);
			return undefined;
		} catch {
			return true;
		}
	}, `process ${pid} to end`, 60_000);
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
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

/**
 * The journal as a chain: every complete line names the sha256 of the line before, seq counts
 * up from 0 and the runId never changes. Returns the lines and a torn tail, if any.
 */
export function assertChain(journal: string): {lines: JournalLine[]; torn: string} {
	const text = readFileSync(journal, 'utf8');
	const parts = text.split('\n');
	const torn = parts.pop() ?? '';
	let prev = GENESIS;
	const parsed: JournalLine[] = [];
	for (const [i, raw] of parts.entries()) {
		const line = JSON.parse(raw) as JournalLine;
		assert.equal(line.prev, prev, `line ${i + 1} chains to the line before`);
		assert.equal(line.seq, i, `line ${i + 1} has seq ${i}`);
		assert.equal(line.runId, parsed[0]?.runId ?? line.runId, `line ${i + 1} belongs to the same run`);
		prev = sha256(raw);
		parsed.push(line);
	}

	return {lines: parsed, torn};
}

/** Every migration whole or absent: the slow one's table exists exactly when its log row does. */
export async function assertConsistent(target: DemoTarget): Promise<boolean> {
	const logged = (await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${SLOW}'`)).length === 1;
	const table = target.engine === 'sqlite'
		? (await target.rows('SELECT name FROM sqlite_master WHERE name = \'slow_table\'')).length === 1
		: (await target.rows('SELECT to_regclass(\'public.slow_table\') IS NOT NULL AS present'))[0]?.['present'] === true;
	assert.equal(table, logged, `slow_table ${table ? 'exists' : 'is absent'} but its log row ${logged ? 'exists' : 'is absent'}`);
	if (table) {
		const rows = await target.rows('SELECT count(*) AS n FROM slow_table');
		assert.ok(Number(rows[0]?.['n']) > 0, 'a committed slow_table holds its rows');
	}

	return logged;
}

/** `cutover <args>` to its end, off a terminal. */
export {cutover};

export function resume(target: DemoTarget, journal: string, extra: string[] = []) {
	return cutover(target, ['resume', journal, '--plain', '--yes', '--confirm-db', target.name, ...dirs(target), ...extra]);
}
