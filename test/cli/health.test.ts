import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type {Engine} from '../../source/engine/model.js';
import {packageRoot} from '../../source/package-root.js';
import {cli, cliEnv, cutover, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';

const shipped = path.join(packageRoot, 'checklists', 'health.yaml');

type HealthJson = {
	target: string;
	engine: Engine;
	status: 'healthy' | 'warn' | 'alert';
	exitCode: number;
	checks: Array<{id: string; severity: string; verdict: string; level: string; detail: string; sql: string; evidence: {columns: string[]; rows: unknown[][]; total: number}}>;
	thresholds: Array<{name: string; level: string; value: number | null; warn: number | null; alert: number | null; unit: string; detail: string}>;
};

/** Writes to the demo database with the driver itself (DemoTarget.rows opens SQLite read-only). */
async function change(target: DemoTarget, sql: string): Promise<void> {
	if (target.engine === 'sqlite') {
		const db = new BetterSqlite3(target.db.slice('sqlite:'.length));
		try {
			db.exec(sql);
		} finally {
			db.close();
		}
	} else {
		await target.rows(sql);
	}
}

const now = (engine: Engine) => engine === 'sqlite' ? 'datetime(\'now\')' : 'now()';

function health(target: DemoTarget, ...args: string[]) {
	return cutover(target, ['health', '--db', target.db, ...args], 60_000);
}

function healthJson(target: DemoTarget, ...args: string[]): {code: number | null; report: HealthJson; stderr: string} {
	const result = health(target, ...args, '--json');
	assert.equal(result.stdout.trim().split('\n').length, 1, `one JSON object on one line: ${result.stdout}`);
	return {code: result.code, report: JSON.parse(result.stdout) as HealthJson, stderr: result.stderr};
}

const byId = <T extends {id?: string; name?: string}>(items: T[]) => Object.fromEntries(items.map(item => [item.id ?? item.name, item]));

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`cutover health on ${engine}`, () => {
		let target: DemoTarget;
		before(async () => {
			target = await prepareDemoTarget(engine);
		});
		after(async () => {
			await target?.cleanup();
		});

		it('warns (exit 1) on the demo as seeded: its accounts are from 2024, and a warn check of freshness fails', () => {
			const {code, report} = healthJson(target, '--checklist', shipped);
			assert.equal(code, 1);
			assert.equal(report.status, 'warn');
			assert.equal(report.exitCode, 1);
			assert.equal(report.engine, engine);
			const checks = byId(report.checks);
			assert.deepEqual(report.checks.map(c => [c.id, c.verdict, c.level]), [['users-fresh', 'failed', 'warn'], ['users-present', 'passed', 'ok'], ['meters-present', 'passed', 'ok'], ['admin-exists', 'passed', 'ok']]);
			assert.match(checks['users-fresh']!.detail, /^newest 2024-04-18[ T]15:10:00 is \d+(\.\d)? d old, older than 30d$/);
			assert.deepEqual(checks['users-present']!.evidence.rows, [[8]]);
			assert.equal(checks['admin-exists']!.evidence.total, 2);
			assert.match(checks['users-fresh']!.sql, /max\("created_at"\)/);
			assert.deepEqual(report.thresholds.map(t => t.name), ['connections', 'cache-hit', 'lock-wait', 'replication-lag']);
			if (engine === 'sqlite') {
				assert.deepEqual(report.thresholds.map(t => t.level), ['not-applicable', 'not-applicable', 'not-applicable', 'not-applicable']);
				assert.ok(report.thresholds.every(t => t.value === null && t.detail.startsWith('SQLite has no')));
			} else {
				const connections = byId(report.thresholds)['connections']!;
				assert.equal(connections.level, 'ok');
				assert.ok(connections.value !== null && connections.value > 0 && connections.value < 0.8, String(connections.value));
				assert.match(connections.detail, /^\d+ of \d+ usable connections/);
				assert.equal(byId(report.thresholds)['lock-wait']!.level, 'ok');
			}
		});

		it('is healthy (exit 0) with fresh data, and prints a short table; it takes no run lock and writes no record', async () => {
			await change(target, `INSERT INTO users (id, email, role, created_at) VALUES (100, 'new@example.com', 'member', ${now(engine)})`);
			const result = health(target, '--checklist', shipped, '--sample', '0s');
			assert.equal(result.code, 0, result.stdout + result.stderr);
			const lines = result.stdout.trimEnd().split('\n');
			assert.match(lines[0]!, /^health of .* by .*health\.yaml \(4 checks, 4 thresholds\)$/);
			assert.match(result.stdout, /^ {2}users-fresh +warn +passed +newest .* old, within 30d$/m);
			assert.match(result.stdout, /^ {2}connections +warn 80% alert 90% +(ok|not-applicable) /m);
			assert.equal(lines.at(-1), 'status: healthy (exit 0)');
			assert.ok(lines.length <= 12, result.stdout);
			assert.equal(result.stderr, '');
			assert.ok(!existsSync(path.join(target.dir, 'config', 'records')) || readdirSync(path.join(target.dir, 'config', 'records')).length === 0);
			if (engine === 'sqlite') {
				assert.ok(!existsSync(`${target.db.slice('sqlite:'.length)}.cutover-lock`), 'no run lock file');
			} else {
				assert.deepEqual(await target.rows('SELECT to_regclass(\'public.cutover_run_lock\') AS t'), [{t: null}]);
			}
		});

		it('alerts (exit 2) when a key table is empty: a block check fails, with its evidence', async () => {
			await change(target, 'CREATE TABLE meters_saved AS SELECT * FROM meters; DELETE FROM meters');
			try {
				const {code, report} = healthJson(target, '--checklist', shipped);
				assert.equal(code, 2);
				assert.equal(report.status, 'alert');
				const meters = byId(report.checks)['meters-present']!;
				assert.deepEqual([meters.verdict, meters.level, meters.severity, meters.evidence.rows], ['failed', 'alert', 'block', [[0]]]);
				assert.equal(meters.detail, 'rows in meters: 0, expected at least 1');
			} finally {
				await change(target, 'INSERT INTO meters SELECT * FROM meters_saved; DROP TABLE meters_saved');
			}
		});

		it('judges thresholds from the watch\'s figures on PostgreSQL, and calls them not applicable on SQLite', () => {
			const file = path.join(target.dir, 'thresholds.yaml');
			const write = (thresholds: string) => writeFileSync(file, `name: forced\nthresholds:\n${thresholds}`);
			// Every session counts, this one's too: past 0% is always crossed.
			write('  connections: {alert: 0%}\n');
			const forced = healthJson(target, '--checklist', file);
			const connections = forced.report.thresholds[0]!;
			if (engine === 'sqlite') {
				assert.equal(forced.code, 0);
				assert.equal(connections.level, 'not-applicable');
				return;
			}

			assert.equal(forced.code, 2);
			assert.deepEqual([connections.name, connections.level, connections.alert, connections.warn, connections.unit], ['connections', 'alert', 0, null, 'ratio']);
			assert.ok(connections.value !== null && connections.value > 0);
			write('  connections: {warn: 0%, alert: 100%}\n');
			assert.equal(healthJson(target, '--checklist', file).code, 1);
			// The ratio since the counters were reset is below 100%: the server read some block from disk once.
			write('  cache-hit: {alert: 100%}\n');
			const cache = healthJson(target, '--checklist', file, '--sample', '0s');
			assert.equal(cache.code, 2, JSON.stringify(cache.report));
			assert.match(cache.report.thresholds[0]!.detail, /% of blocks found in shared buffers since the statistics were last reset/);
			write('  replication-lag: {warn: 0s, alert: 0s}\n');
			const lag = healthJson(target, '--checklist', file);
			assert.deepEqual([lag.code, lag.report.thresholds[0]!.level, lag.report.thresholds[0]!.detail], [0, 'not-applicable', 'no replica is attached']);
		});

		if (engine === 'postgres') {
			it('sees a session waiting for a lock, as the watch does, and warns past its level', async () => {
				const holder = new pg.Client({connectionString: target.db});
				const waiter = new pg.Client({connectionString: target.db});
				await holder.connect();
				await waiter.connect();
				try {
					await holder.query('BEGIN');
					await holder.query('LOCK TABLE meters IN ACCESS EXCLUSIVE MODE');
					const waiting = waiter.query('SELECT count(*) FROM meters').catch((error: unknown) => error);
					await new Promise(resolve => setTimeout(resolve, 500));
					const file = path.join(target.dir, 'locks.yaml');
					writeFileSync(file, 'name: locks\nthresholds:\n  lock-wait: {warn: 100ms, alert: 1m}\n');
					const {code, report} = healthJson(target, '--checklist', file);
					assert.equal(code, 1, JSON.stringify(report));
					const lock = report.thresholds[0]!;
					assert.equal(lock.level, 'warn', JSON.stringify(lock));
					assert.ok(lock.value !== null && lock.value >= 100, String(lock.value));
					// Server-wide, as the watch: another database's waiter on a shared server may be counted too.
					assert.match(lock.detail, /^\d+ sessions? waits? for a lock, the longest for \d/);
					await holder.query('ROLLBACK');
					await waiting;
				} finally {
					await holder.end();
					await waiter.end();
				}
			});
		}

		it('could not check (exit 3) with a bad checklist, naming its file and line', () => {
			const file = path.join(target.dir, 'bad.yaml');
			writeFileSync(file, 'name: bad\nchecks:\n  health:\n    - {id: users, title: Users, row_count: {table: users, min: 1}}\nthresholds:\n  connections: {warn: 80, alert: 90%}\n');
			const result = health(target, '--checklist', file, '--json');
			assert.equal(result.code, 3);
			// --json: a monitor parsing stdout gets an answer for "could not check" too.
			assert.equal((JSON.parse(result.stdout) as {status: string}).status, 'could-not-check');
			assert.match(result.stderr, /^cutover: .*bad\.yaml: thresholds\.connections\.warn: expected a percentage with its sign, such as 90%, found 80 \(line 6\)\n {2}→ fix .*bad\.yaml and run again\n$/);
			const empty = path.join(target.dir, 'empty.yaml');
			writeFileSync(empty, 'name: empty\nchecks:\n  health: []\n');
			const nothing = health(target, '--checklist', empty);
			assert.equal(nothing.code, 3);
			assert.match(nothing.stderr, /no health checks and no thresholds: there is nothing to check; add checks: \{health/);
		});
	});
}

describe('cutover health when it cannot check', () => {
	let target: DemoTarget;
	before(async () => {
		target = await prepareDemoTarget('sqlite');
	});
	after(async () => {
		await target?.cleanup();
	});

	it('exits 3, never 1 or 2, when it cannot connect or is used wrongly, and says what to do', () => {
		const gone = cutover(target, ['health', '--db', 'postgres://postgres@127.0.0.1:5432/cutover_no_such_database', '--checklist', shipped]);
		assert.equal(gone.code, 3);
		assert.match(gone.stderr, /cannot connect to PostgreSQL at .*cutover_no_such_database.*\n {2}→ /);
		const missing = cutover(target, ['health', '--db', `sqlite:${path.join(target.dir, 'absent.db')}`, '--checklist', shipped]);
		assert.equal(missing.code, 3);
		assert.match(missing.stderr, /absent\.db/);
		const usage = cutover(target, ['health', '--checklist', shipped]);
		assert.equal(usage.code, 3);
		assert.match(usage.stderr, /--db is required\n {2}→ pass --db/);
		// From a directory without checklists/health.yaml: the demo's own is never taken for the operator's.
		const run = spawnSync(process.execPath, [cli, 'health', '--db', target.db], {cwd: target.dir, env: {...process.env, ...cliEnv(target)}, encoding: 'utf8'});
		const noChecklist = {code: run.status, stderr: run.stderr};
		assert.equal(noChecklist.code, 3);
		assert.match(noChecklist.stderr, /no health checklist: .*\n {2}→ pass --checklist/);
		assert.doesNotMatch(gone.stderr + missing.stderr + usage.stderr + noChecklist.stderr, /\n\s+at /);
	});

	it('runs probes among the health checks: the application, not only the database', () => {
		const file = path.join(target.dir, 'probes.yaml');
		const probe = (exit: number) => `name: app\nchecks:\n  health:\n    - {id: app, title: The application answers, severity: warn, command: {run: [node, -e, 'process.exit(${exit})'], exit: 0}}\n`;
		writeFileSync(file, probe(0));
		const up = healthJson(target, '--checklist', file);
		assert.deepEqual([up.code, up.report.checks[0]!.verdict], [0, 'passed']);
		writeFileSync(file, probe(3));
		const down = healthJson(target, '--checklist', file);
		assert.deepEqual([down.code, down.report.checks[0]!.verdict, down.report.checks[0]!.level], [1, 'failed', 'warn']);
	});

	it('answers --help with exit 0', () => {
		const help = cutover(target, ['health', '--help']);
		assert.equal(help.code, 0);
		assert.match(help.stdout, /^cutover health --db <target>/);
		assert.match(help.stdout, /0 healthy, 1 warn .*2 alert/s);
	});
});
