// cutover watch against pg_activity's blocking query, on a server with many idle sessions and a
// queue of sessions waiting on one held lock. Not a test: figures, printed as a table.
// Run: npx tsc -p . && NODE_ENV=production node --expose-gc dist/bench/watch.js
// Needs pg_activity installed (apt install pg-activity) for its query, and max_connections ≥ 250
// for the full 200 idle sessions; with fewer it runs with what fits and says so.
import {Writable} from 'node:stream';
import {performance} from 'node:perf_hooks';
import {render} from 'ink';
import pg from 'pg';
import {WatchScreen} from '../screens/watch/watch-screen.js';
import {createPostgresActivityMonitor} from '../source/adapters/postgres/activity-monitor.js';
import {activitySql, statsSql} from '../source/adapters/postgres/activity-sql.js';
import {parseTarget} from '../source/target.js';
import {startWatch} from '../source/watch/watch-controller.js';
import {initialWatchState, reduceWatch} from '../source/watch/watch-state.js';
import {createThrowawayDatabase} from '../test/support/postgres.js';
import {cleanUp, onCleanup} from './cleanup.js';
import {median} from './measure.js';
import {loadPgActivityBlockingQuery} from './pg-activity-query.js';

const wantIdle = 200;
const waiters = 20;
const rounds = Number(process.env['CUTOVER_BENCH_ROUNDS'] ?? 50);
const cpuSeconds = Number(process.env['CUTOVER_BENCH_WATCH_SECONDS'] ?? 60);
const refreshes = 3600;

class NullOut extends Writable {
	columns = 80;
	rows = 24;
	isTTY = false;
	override _write(_chunk: unknown, _encoding: string, done: () => void) {
		done();
	}
}

async function serverMs(client: pg.Client, sql: string): Promise<number> {
	const result = await client.query(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`);
	const plan = (result.rows[0] as {'QUERY PLAN': Array<{'Planning Time': number; 'Execution Time': number}>})['QUERY PLAN'][0]!;
	return plan['Planning Time'] + plan['Execution Time'];
}

const table: string[][] = [['figure', 'value', 'goal']];
try {
	const db = await createThrowawayDatabase('cutover_bench_watch');
	onCleanup(`database ${db.name}`, async () => db.drop());
	await db.sql('CREATE TABLE meters (id int PRIMARY KEY, reading int); INSERT INTO meters SELECT g, 0 FROM generate_series(1, 100) g');
	const target = parseTarget(db.url);
	if (target.engine !== 'postgres') {
		throw new Error('not a PostgreSQL URL');
	}

	const open = async (name: string) => {
		const client = new pg.Client({connectionString: db.url, application_name: name});
		client.on('error', () => {});
		await client.connect();
		onCleanup(name, async () => client.end().catch(() => {}));
		return client;
	};

	const admin = await open('bench admin');
	const capacity = (await admin.query(`SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS free`)).rows[0].free as number;
	// Holder, waiters, the watch, the reference connection and a little slack.
	const idle = Math.min(wantIdle, capacity - waiters - 6);
	if (idle < wantIdle) {
		console.error(`the server has room for ${capacity} more sessions: running with ${idle} idle sessions instead of ${wantIdle} (raise max_connections, or point CUTOVER_TEST_PG at a bigger server, for the stated setup)`);
	}

	for (let i = 0; i < idle; i++) {
		// eslint-disable-next-line no-await-in-loop -- connections one by one, not a storm
		await open(`idle ${i}`);
	}

	const holder = await open('holder');
	await holder.query('BEGIN');
	await holder.query('LOCK TABLE meters IN ACCESS EXCLUSIVE MODE');
	for (let i = 0; i < waiters; i++) {
		// eslint-disable-next-line no-await-in-loop
		const waiter = await open(`waiter ${i}`);
		void waiter.query('SELECT count(*) FROM meters').catch(() => {});
	}

	for (let waited = 0; ; waited++) {
		// eslint-disable-next-line no-await-in-loop
		const {rows} = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
		if (rows[0].n >= waiters) {
			break;
		}

		if (waited > 500) {
			throw new Error(`only ${rows[0].n} of ${waiters} sessions are waiting`);
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise(resolve => setTimeout(resolve, 20));
	}

	const versionNum = Number((await admin.query('SHOW server_version_num')).rows[0].server_version_num);
	const reference = loadPgActivityBlockingQuery(versionNum);
	console.error(`reference: pg_activity ${reference.version}, ${reference.file}`);
	const probe = await open('bench probe');

	// Server time, interleaved: one refresh (both statements) against pg_activity's blocking query.
	const ours: number[] = [];
	const activityOnly: number[] = [];
	const theirs: number[] = [];
	await serverMs(probe, activitySql);
	await serverMs(probe, reference.sql);
	for (let round = 0; round < rounds; round++) {
		// eslint-disable-next-line no-await-in-loop
		const activity = await serverMs(probe, activitySql);
		activityOnly.push(activity);
		// eslint-disable-next-line no-await-in-loop
		ours.push(activity + await serverMs(probe, statsSql));
		// eslint-disable-next-line no-await-in-loop
		theirs.push(await serverMs(probe, reference.sql));
	}

	const monitor = createPostgresActivityMonitor(target);
	onCleanup('monitor', async () => monitor.close());
	const sample = await monitor.refresh();
	const seen = sample.rows.filter(row => row.database === db.name);
	table.push(
		['sessions on the server (idle / waiting)', `${seen.filter(row => row.state === 'idle').length} / ${seen.filter(row => row.waitEventType === 'Lock').length}`, `${wantIdle} / ${waiters}`],
		['server ms, one watch refresh (median)', median(ours).toFixed(2), ''],
		['  of which the session list with pg_blocking_pids', median(activityOnly).toFixed(2), ''],
		['server ms, pg_activity blocking query (median)', median(theirs).toFixed(2), ''],
		['ratio refresh ÷ pg_activity blocking', (median(ours) / median(theirs)).toFixed(2), '≤ 0.5'],
	);

	// Client CPU at 1 Hz: the whole watch (controller, reducer, Ink rendering to a null terminal).
	const out = new NullOut();
	let controller: ReturnType<typeof startWatch> | undefined;
	const instance = render(<></>, {stdout: out as unknown as NodeJS.WriteStream, patchConsole: false, exitOnCtrlC: false});
	controller = startWatch({
		target: target.display,
		monitor,
		clock: {now: Date.now},
		intervalMs: 1000,
		onState: state => instance.rerender(<WatchScreen state={state} now={Date.now()} width={80} height={24} interactive={false} onIntent={() => {}}/>),
		onCopy() {},
	});
	await new Promise(resolve => setTimeout(resolve, 1500));
	const cpuStart = process.cpuUsage();
	const wallStart = performance.now();
	await new Promise(resolve => setTimeout(resolve, cpuSeconds * 1000));
	const cpu = process.cpuUsage(cpuStart);
	const wall = performance.now() - wallStart;
	await controller.stop();
	controller = undefined;
	table.push([`client CPU at 1 Hz over ${cpuSeconds} s, % of a core`, ((cpu.user + cpu.system) / 1000 / wall * 100).toFixed(2), '< 2']);

	// Memory over 3,600 refreshes back to back, each reduced and rendered as the watch does.
	const gc = (globalThis as {gc?: () => void}).gc;
	let state = initialWatchState(target.display);
	const step = async () => {
		state = reduceWatch(state, {type: 'refreshed', snapshot: await monitor.refresh()});
		instance.rerender(<WatchScreen state={state} now={Date.now()} width={80} height={24} interactive={false} onIntent={() => {}}/>);
	};

	for (let i = 0; i < 100; i++) {
		// eslint-disable-next-line no-await-in-loop
		await step();
	}

	gc?.();
	const rssBefore = process.memoryUsage().rss;
	const heapBefore = process.memoryUsage().heapUsed;
	const started = performance.now();
	for (let i = 0; i < refreshes; i++) {
		// eslint-disable-next-line no-await-in-loop
		await step();
	}

	const loopMs = performance.now() - started;
	gc?.();
	const rssAfter = process.memoryUsage().rss;
	const heapAfter = process.memoryUsage().heapUsed;
	instance.unmount();
	table.push(
		[`RSS growth over ${refreshes} refreshes, MB${gc === undefined ? ' (run with --expose-gc)' : ''}`, ((rssAfter - rssBefore) / 1e6).toFixed(1), '≤ 5'],
		[`JS heap growth over ${refreshes} refreshes, MB`, ((heapAfter - heapBefore) / 1e6).toFixed(1), ''],
		['client round trip + render per refresh, ms (mean)', (loopMs / refreshes).toFixed(2), ''],
	);
	table.push(['React build', process.env['NODE_ENV'] === 'production' ? 'production' : 'development (set NODE_ENV=production)', '']);
	table.push(['reference query', `${reference.file.split('/').slice(-1)[0]} (pg_activity ${reference.version})`, '']);
	console.log(format(table));
} catch (error) {
	process.exitCode = 1;
	if (table.length > 1) {
		console.log(format(table));
	}

	console.error(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
	await cleanUp();
}

function format(rows: string[][]): string {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => row[column]!.length)));
	const line = (row: string[]) => row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join('  ');
	return [line(rows[0]!), widths.map(width => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
