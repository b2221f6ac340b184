import assert from 'node:assert/strict';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import pg from 'pg';
import {packageRoot} from '../../source/package-root.js';
import {cli} from '../support/demo-targets.js';
import {adminUrl, createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';
import {exitPattern, openTerminal, type Terminal} from '../support/tmux.js';

type Session = {client: pg.Client; pid: number; name: string};

async function open(url: string, name: string): Promise<Session> {
	const client = new pg.Client({connectionString: url, application_name: name});
	client.on('error', () => {});
	await client.connect();
	return {client, pid: Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid), name};
}

async function until(what: string, ready: () => Promise<boolean>): Promise<void> {
	const deadline = Date.now() + 15_000;
	// eslint-disable-next-line no-await-in-loop -- one after the other
	while (!await ready()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: adminUrl});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

function watch(db: ThrowawayDatabase, dir: string): Terminal {
	return openTerminal(
		[process.execPath, cli, 'watch', '--db', db.url, '--records', path.join(dir, 'records')],
		{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'}},
	);
}

describe('cutover watch in a real 80x24 terminal', () => {
	let db: ThrowawayDatabase;
	let dir: string;
	const tag = randomBytes(3).toString('hex');
	const sessions: Session[] = [];
	const pending: Array<Promise<unknown>> = [];
	const outcomes = new Map<string, unknown>();
	let holder: Session;
	let waiter: Session;
	let ddl: Session;
	let readers: Session[];

	before(async () => {
		db = await createThrowawayDatabase('cutover_watch_tty');
		dir = mkdtempSync(path.join(tmpdir(), 'cutover-watch-tty-'));
		await db.sql('CREATE TABLE meters (id int PRIMARY KEY, reading int); INSERT INTO meters SELECT g, 0 FROM generate_series(1, 10) g');
		holder = await open(db.url, `holder-${tag}`);
		waiter = await open(db.url, `waiter-${tag}`);
		ddl = await open(db.url, `ddl-${tag}`);
		readers = [await open(db.url, `reader-a-${tag}`), await open(db.url, `reader-b-${tag}`)];
		sessions.push(holder, waiter, ddl, ...readers);
		const waiting = async (pid: number) => (await db.sql(`SELECT 1 FROM pg_stat_activity WHERE pid = ${pid} AND wait_event_type = 'Lock'`)).rowCount === 1;
		const run = (session: Session, sql: string) => {
			pending.push(session.client.query(sql).then(() => outcomes.set(session.name, 'done'), (error: unknown) => outcomes.set(session.name, error)));
		};

		await holder.client.query('BEGIN');
		await holder.client.query('UPDATE meters SET reading = 1 WHERE id = 1');
		run(waiter, 'UPDATE meters SET reading = 2 WHERE id = 1');
		await until('the waiter', async () => waiting(waiter.pid));
		run(ddl, 'ALTER TABLE meters ADD COLUMN note text');
		await until('the ALTER TABLE', async () => waiting(ddl.pid));
		for (const reader of readers) {
			run(reader, 'SELECT count(*) FROM meters');
		}

		await until('the readers', async () => (await Promise.all(readers.map(async reader => waiting(reader.pid)))).every(Boolean));
	});

	after(async () => {
		for (const session of sessions) {
			// eslint-disable-next-line no-await-in-loop
			await session.client.end().catch(() => {});
		}

		await Promise.allSettled(pending);
		await db?.drop();
		rmSync(dir, {recursive: true, force: true});
	});

	it('shows the header and the blocking tree, switches views, pauses, filters, cancels a waiting reader and quits', async () => {
		const terminal = watch(db, dir);
		try {
			const first = await terminal.waitFor(/sessions \d+\/\d+/);
			assert.match(first, /cutover watch · every 1 s · postgres:\/\/.*cutover_watch_tt/);
			assert.match(first, /␣ pause \? keys q$/m);
			assert.match(first, /waiting \d+ \(/);
			assert.match(first, /cache hit .* tps/);
			assert.match(first, /\[1 running\]/);

			// View 2: the holder at the root, the waiter under it, the ALTER TABLE under the waiter, the readers under the ALTER TABLE.
			await terminal.keys('2');
			const tree = await terminal.waitFor(new RegExp(`└ ${readers[1]!.pid} |└ ${readers[0]!.pid} `));
			assert.match(tree, /\[2 blocking\]/);
			const lines = tree.split('\n');
			const at = (pattern: RegExp) => lines.findIndex(line => pattern.test(line));
			const holderAt = at(new RegExp(`^[›\\s]*${holder.pid} postgres idle in tx .*blocks 4`));
			assert.ok(holderAt >= 0, tree);
			assert.equal(at(new RegExp(`^[›\\s]*└ ${waiter.pid} postgres waits`)), holderAt + 1, tree);
			assert.equal(at(new RegExp(`^[›\\s]*└ ${ddl.pid} postgres waits .*also waits for ${holder.pid}.*ALTER TABLE`)), holderAt + 2, tree);
			for (const reader of readers) {
				assert.ok(at(new RegExp(`^[›\\s]{4,}└ ${reader.pid} postgres waits`)) > holderAt + 2, tree);
			}

			// Space pauses the refresh and says so; space again resumes.
			await terminal.keys('Space');
			await terminal.waitFor(/cutover watch · paused · /);
			await terminal.keys('Space');
			await terminal.waitFor(/cutover watch · every 1 s · /);

			// View 1 filtered to one reader: only its row is listed, and it is selected.
			await terminal.keys('1');
			await terminal.waitFor('[1 running]');
			await terminal.type('/');
			await terminal.waitFor('filter (regex over database, user, application, query):');
			await terminal.type(`reader-a-${tag}`);
			await terminal.keys('Enter');
			const filtered = await terminal.waitFor(`filter /reader-a-${tag}/`);
			assert.match(filtered, new RegExp(`› ${readers[0]!.pid} .*postgres .*lock:relati`));
			assert.doesNotMatch(filtered, new RegExp(`\\b${readers[1]!.pid}\\b`));

			// c asks first, showing the query; y sends pg_cancel_backend and the reader's query really ends.
			await terminal.type('c');
			const asked = await terminal.waitFor(`Cancel the query of pid ${readers[0]!.pid}`);
			assert.match(asked, /SELECT count\(\*\) FROM meters/);
			assert.equal(outcomes.has(readers[0]!.name), false);
			await terminal.type('y');
			await terminal.waitFor(`pg_cancel_backend(${readers[0]!.pid}) sent`);
			await until('the cancelled reader to return', async () => outcomes.has(readers[0]!.name));
			assert.equal((outcomes.get(readers[0]!.name) as {code?: string}).code, '57014');
			assert.equal(outcomes.has(readers[1]!.name), false, 'the other reader was cancelled too');

			// q leaves, lists what was done and where it is logged.
			await terminal.type('q');
			const end = await terminal.waitFor(exitPattern);
			assert.equal(exitPattern.exec(end)?.[1], '0', end);
			assert.match(end, new RegExp(`cancel pid ${readers[0]!.pid}: pg_cancel_backend`));
			const logged = readFileSync(path.join(dir, 'records', 'watch', 'actions.jsonl'), 'utf8').trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
			assert.deepEqual(logged.map(entry => [entry['kind'], entry['pid'], entry['ok'], entry['query']]), [['cancel', readers[0]!.pid, true, 'SELECT count(*) FROM meters']]);
		} finally {
			terminal.close();
		}
	});

	it('shows its backoff when its own session is terminated and the database refuses it, and comes back without exiting', async () => {
		const terminal = watch(db, dir);
		const ownPids = async () => (await db.sql(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cutover watch'`)).rows.map(row => Number(row['pid']));
		try {
			await terminal.waitFor(/sessions \d+\/\d+/);
			let before: number[] = [];
			await until('the watch\'s session', async () => (before = await ownPids()).length === 1);
			await withAdmin(async admin => {
				// Refused until allowed again, so the backoff is on screen for as long as the test needs.
				await admin.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
				await admin.query('SELECT pg_terminate_backend($1)', [before[0]]);
			});
			// The rows stay on screen, stale, under the countdown; the process does not end.
			const down = await terminal.waitFor(/cutover watch · reconnecting in \d+ s \(attempt [2-9]\)/, 20_000);
			assert.match(down, new RegExp(`${ddl.pid} .*ALTER TABLE`));
			assert.doesNotMatch(down, exitPattern);
			await withAdmin(async admin => admin.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`));
			await terminal.waitFor(/cutover watch · every 1 s · /, 20_000);
			const again = await ownPids();
			assert.equal(again.length, 1);
			assert.notEqual(again[0], before[0]);
			await terminal.type('q');
			assert.equal(exitPattern.exec(await terminal.waitFor(exitPattern))?.[1], '0');
		} finally {
			terminal.close();
			await withAdmin(async admin => admin.query(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`)).catch(() => {});
		}
	});
});
