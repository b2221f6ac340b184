// cutover watch against pg_activity's blocking query, on a server with 200 idle sessions and 20
// sessions waiting on one held lock. Not a test: figures, printed as a table. Stops by itself
// (about a minute and a half).
// Run: npx tsc -p . && NODE_ENV=production node --expose-gc dist/bench/watch.js
// It starts a throwaway cluster (initdb/pg_ctl) with max_connections = 300 and
// pg_stat_statements; CUTOVER_BENCH_PG=<admin url> uses an existing server instead.
// pg_activity's query is read from an installed pg_activity (apt install pg-activity) or
// CUTOVER_PG_ACTIVITY_QUERIES; without it the ratio is left out and the bench says so.
import {randomBytes} from 'node:crypto';
import {cpus} from 'node:os';
import {performance} from 'node:perf_hooks';
import {Writable} from 'node:stream';
import pg from 'pg';
import {mountWatch, type MountedWatch} from '../screens/watch/mount-watch.js';
import {createPostgresActivityMonitor} from '../source/adapters/postgres/activity-monitor.js';
import {refreshSql} from '../source/adapters/postgres/activity-sql.js';
import type {ActivityMonitor} from '../source/ports/activity-monitor.js';
import type {ActivitySnapshot} from '../source/watch/types.js';
import {parseTarget} from '../source/target.js';
import {startWatch} from '../source/watch/watch-controller.js';
import {cleanUp, onCleanup} from './cleanup.js';
import {median} from './measure.js';
import {loadPgActivityBlockingQuery, type ReferenceQuery} from './pg-activity-query.js';
import {startBenchCluster} from './pg-cluster.js';
import {canCollect, growthMb, markMemory, rssTrendMb, type MemoryMark} from './watch-memory.js';
import {measureServerTime} from './watch-server-time.js';
import {openSessions} from './watch-sessions.js';

const want = {idle: 200, waiting: 20};
const rounds = Number(process.env['CUTOVER_BENCH_ROUNDS'] ?? 20);
const cpuSeconds = Number(process.env['CUTOVER_BENCH_WATCH_SECONDS'] ?? 30);
const refreshes = 3600;
const warmUp = 600;
/** Refreshes between two memory marks. */
const markEvery = 100;

/** A terminal that draws nowhere: 80x24, a TTY as far as Ink can tell. */
class NullTerminal extends Writable {
	columns = 80;
	rows = 24;
	isTTY = true;
	override _write(_chunk: unknown, _encoding: string, done: () => void) {
		done();
	}
}

const table: string[][] = [['figure', 'value', 'goal']];
const row = (figure: string, value: string, goal = '') => table.push([figure, value, goal]);
try {
	console.error(`node ${process.version}, ${cpus().length} cores, React ${process.env['NODE_ENV'] === 'production' ? 'production' : 'development (set NODE_ENV=production)'} build`);
	const adminUrl = await server();
	const name = `cutover_bench_watch_${randomBytes(4).toString('hex')}`;
	await withClient(adminUrl, async client => client.query(`CREATE DATABASE ${name}`));
	onCleanup(`database ${name}`, async () => {
		await withClient(adminUrl, async client => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
	});
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	const target = parseTarget(url.toString());
	if (target.engine !== 'postgres') {
		throw new Error('not a PostgreSQL URL');
	}

	const sessions = await openSessions(url.toString(), want);
	const admin = await sessions.open('bench stats');
	const probe = await sessions.open('bench probe');
	const versionNum = Number((await admin.query<{server_version_num: string}>('SHOW server_version_num')).rows[0]!.server_version_num);
	let reference: ReferenceQuery | undefined;
	try {
		reference = loadPgActivityBlockingQuery(versionNum);
		console.error(`reference: pg_activity ${reference.version}, ${reference.file}`);
	} catch (error) {
		console.error(`no reference query, so no ratio: ${error instanceof Error ? error.message : String(error)}`);
	}

	const monitor = createPostgresActivityMonitor(target);
	onCleanup('monitor', async () => monitor.close());
	const sample = await monitor.refresh();
	const mine = sample.rows.filter(session => session.database === name);
	row('sessions on the server (idle / waiting)', `${sample.idleSessions} / ${mine.filter(session => session.waitEventType === 'Lock').length}`, `${want.idle} / ${want.waiting}`);
	row('  rows one refresh sends (listed sessions)', String(sample.rows.length));

	// Server time: one refresh, through the real adapter, against pg_activity's query as pg_activity sends it.
	const times = await measureServerTime({
		admin,
		probe,
		ours: async () => monitor.refresh(),
		theirs: async () => reference === undefined ? undefined : probe.query(reference.sql),
		oursSql: refreshSql,
		theirsSql: reference?.sql ?? 'SELECT 1',
		rounds,
		perRound: 25,
	});
	const total = (side: {planMs: number[]; execMs: number[]}) => median(side.planMs.map((plan, i) => plan + side.execMs[i]!));
	row(`server ms per watch refresh (median of ${rounds} × 25)`, total(times.ours).toFixed(3));
	row('  of which planning', median(times.ours.planMs).toFixed(3));
	if (reference === undefined) {
		row('server ms, pg_activity blocking query', 'n/a: pg_activity not found', '');
	} else {
		row('server ms, pg_activity blocking query (median)', total(times.theirs).toFixed(3));
		row('  of which planning (it is sent unprepared)', median(times.theirs.planMs).toFixed(3));
		row('ratio refresh ÷ pg_activity blocking', (total(times.ours) / total(times.theirs)).toFixed(2), '≤ 0.5');
		row('ratio refresh ÷ its execution alone (as if prepared)', (total(times.ours) / median(times.theirs.execMs)).toFixed(2));
	}

	row('  measured with', times.method);

	// Client CPU at 1 Hz: the whole watch as the command runs it (controller, reducer, Ink drawing 80x24).
	{
		const live = run(monitor, 1000);
		await new Promise(resolve => setTimeout(resolve, 2000));
		const cpuStart = process.cpuUsage();
		const wallStart = performance.now();
		await new Promise(resolve => setTimeout(resolve, cpuSeconds * 1000));
		const cpu = process.cpuUsage(cpuStart);
		const wall = performance.now() - wallStart;
		await live.stop();
		row(`client CPU at 1 Hz over ${cpuSeconds} s, % of a core`, ((cpu.user + cpu.system) / 1000 / wall * 100).toFixed(2), '< 2');
	}

	// Memory over 3,600 refreshes back to back, through the same controller and screen, each one
	// drawn a second later than the one before (ages shifted), as an hour at 1 Hz would draw them.
	{
		const marks = new Map<number, MemoryMark>();
		let count = 0;
		let finished: () => void = () => {};
		const done = new Promise<void>(resolve => {
			finished = resolve;
		});
		const counting: ActivityMonitor = {
			...monitor,
			async refresh() {
				count++;
				const snapshot = lapse(await monitor.refresh(), count * 1000);
				if (count >= warmUp && (count - warmUp) % markEvery === 0) {
					// Synchronous here, between two refreshes: nothing else runs while it is taken.
					marks.set(count, markMemory());
				}

				if (count === warmUp + refreshes) {
					finished();
				}

				return snapshot;
			},
			close: async () => {},
		};
		const live = run(counting, 0);
		await done;
		const loopMs = performance.now() - live.startedAt;
		await live.stop();
		const start = marks.get(warmUp)!;
		const whole = growthMb(start, marks.get(warmUp + refreshes)!);
		const series = [...marks].map(([at, mark]) => ({at, mark}));
		const secondHalf = series.filter(({at}) => at >= warmUp + refreshes / 2);
		const rss = series.map(({mark}) => mark.rss / 1e6);
		const note = canCollect() ? '' : ' (run with --expose-gc)';
		row(`RSS growth over ${refreshes} refreshes (1 s apart), MB, trend of ${series.length} marks${note}`, rssTrendMb(series, refreshes).toFixed(1), '≤ 5');
		row(`  trend over the second ${refreshes / 2} only, MB`, (rssTrendMb(secondHalf, refreshes / 2)).toFixed(1));
		row('  first mark → last mark, MB', whole.rss.toFixed(1));
		row('  lowest … highest mark, MB', `${Math.min(...rss).toFixed(0)} … ${Math.max(...rss).toFixed(0)}`);
		row('  JS heap used / V8 heap reserved, MB', `${whole.heapUsed.toFixed(1)} / ${whole.heapTotal.toFixed(1)}`);
		row('  external / of which ArrayBuffers, MB', `${whole.external.toFixed(1)} / ${whole.arrayBuffers.toFixed(1)}`);
		row('client ms per refresh, round trip + draw (mean)', (loopMs / (refreshes + warmUp)).toFixed(2));
	}

	row('reference query', reference === undefined ? 'none' : `${reference.file.split('/').at(-1)!} (pg_activity ${reference.version})`);
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

/** A snapshot as it would read `ms` later: every age and the clock moved on. */
function lapse(snapshot: ActivitySnapshot, ms: number): ActivitySnapshot {
	const later = (value: number | null) => value === null ? null : value + ms;
	return {
		...snapshot,
		at: snapshot.at + ms,
		rows: snapshot.rows.map(session => ({...session, backendMs: later(session.backendMs), xactMs: later(session.xactMs), queryMs: later(session.queryMs), stateMs: later(session.stateMs)})),
	};
}

/** The watch as `cutover watch` runs it, drawing to a null 80x24 terminal. */
function run(monitor: ActivityMonitor, intervalMs: number) {
	let mounted: MountedWatch | undefined;
	const startedAt = performance.now();
	const controller = startWatch({
		target: 'bench',
		monitor,
		clock: {now: Date.now},
		intervalMs,
		onState: () => mounted?.update(),
		onCopy() {},
	});
	mounted = mountWatch(controller, {interactive: false, size: () => ({width: 80, height: 24}), stdout: new NullTerminal() as unknown as NodeJS.WriteStream});
	return {
		startedAt,
		async stop() {
			await controller.stop();
			mounted?.unmount();
		},
	};
}

async function server(): Promise<string> {
	const given = process.env['CUTOVER_BENCH_PG'];
	if (given !== undefined && given !== '') {
		return given;
	}

	const cluster = await startBenchCluster({
		max_connections: 300,
		shared_preload_libraries: 'pg_stat_statements',
		'pg_stat_statements.track_planning': 'on',
	});
	onCleanup('the throwaway cluster', () => cluster.stop());
	console.error(`throwaway cluster from ${cluster.binDir}, max_connections 300`);
	return cluster.url;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

function format(rows: string[][]): string {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map(cells => cells[column]!.length)));
	const line = (cells: string[]) => cells.map((cell, column) => column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)).join('  ');
	return [line(rows[0]!), widths.map(width => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
