import {appendFileSync, mkdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink';
import {createPostgresActivityMonitor} from '../../adapters/postgres/activity-monitor.js';
import {readSettings} from '../../adapters/settings-file.js';
import {readSqliteWatchInfo} from '../../adapters/sqlite/watch-info.js';
import {systemClock} from '../../adapters/system-clock.js';
import {UsageError} from '../../errors/index.js';
import type {ActivityMonitor} from '../../ports/activity-monitor.js';
import {parseTarget, type Target} from '../../target.js';
import {buildBlockingTree} from '../../watch/blocking-tree.js';
import {isRunning, sortRows} from '../../watch/filters.js';
import {applyThreshold, DEFAULT_THRESHOLDS, type Thresholds} from '../../watch/thresholds.js';
import {startWatch} from '../../watch/watch-controller.js';
import {SqliteWatchScreen} from '../../../screens/watch/sqlite-watch-screen.js';
import {rowLine, treeLineText} from '../../../screens/watch/session-line.js';
import {mountWatch, type MountedWatch} from '../../../screens/watch/mount-watch.js';
import {parseCommand} from '../parse.js';

/**
 * Where cancel and terminate are logged, one JSON line each: a folder of its own in the records
 * directory, so a listing of records (verify, the chain of runs) never takes the log for one.
 */
export const WATCH_ACTIONS_FILE = path.join('watch', 'actions.jsonl');

export async function watchCommand(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {
		db: {type: 'string'},
		interval: {type: 'string'},
		threshold: {type: 'string', multiple: true},
		records: {type: 'string'},
		once: {type: 'boolean', default: false},
	}, 'watch');
	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	const intervalMs = values.interval === undefined ? 1000 : Number(values.interval) * 1000;
	if (!Number.isFinite(intervalMs) || intervalMs < 250) {
		throw new UsageError(`--interval ${values.interval ?? ''} is not a number of seconds of at least 0.25`, {hint: 'for example --interval 2'});
	}

	let thresholds: Thresholds = DEFAULT_THRESHOLDS;
	for (const setting of values.threshold ?? []) {
		const next = applyThreshold(thresholds, setting);
		if (typeof next === 'string') {
			throw new UsageError(`--threshold ${next}`, {hint: 'run cutover watch --help for the names'});
		}

		thresholds = next;
	}

	const target = parseTarget(values.db);
	const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
	if (target.engine === 'sqlite') {
		return watchSqlite(target, interactive && !values.once);
	}

	const recordsDir = path.resolve(values.records ?? readSettings().recordsDir);
	const monitor = logged(createPostgresActivityMonitor(target), path.join(recordsDir, WATCH_ACTIONS_FILE), target.display);
	try {
		if (values.once || !interactive) {
			if (!values.once) {
				process.stderr.write('cutover watch: not a terminal, so no live screen; printing one refresh (use --once to ask for this)\n');
			}

			printOnce(await monitor.refresh());
			return 0;
		}

		return await watchLive(target.display, monitor, intervalMs, thresholds, recordsDir);
	} finally {
		await monitor.close();
	}
}

async function watchLive(display: string, monitor: ActivityMonitor & {actions: string[]}, intervalMs: number, thresholds: Thresholds, recordsDir: string): Promise<number> {
	let mounted: MountedWatch | undefined;
	const controller = startWatch({
		target: display,
		monitor,
		clock: systemClock,
		intervalMs,
		thresholds,
		onState: () => {
			mounted?.update();
		},
		onCopy(text) {
			// OSC 52: the terminal (also over SSH and in tmux with set-clipboard) puts it on the clipboard.
			process.stdout.write(`\u001B]52;c;${Buffer.from(text).toString('base64')}\u0007`);
		},
	});
	mounted = mountWatch(controller, {interactive: true, size: () => ({width: process.stdout.columns || 80, height: process.stdout.rows || 24})});
	const quit = () => controller.dispatch({type: 'quit'});
	process.once('SIGINT', quit);
	try {
		await controller.done;
	} finally {
		process.off('SIGINT', quit);
		await controller.stop();
		mounted.unmount();
	}

	if (monitor.actions.length > 0) {
		process.stdout.write(`${monitor.actions.join('\n')}\nlogged in ${path.join(recordsDir, WATCH_ACTIONS_FILE)}\n`);
	}

	return 0;
}

/** Every cancel and terminate goes to the actions log as it happens: who, when, which backend, which query. */
function logged(monitor: ActivityMonitor, file: string, target: string): ActivityMonitor & {actions: string[]} {
	const actions: string[] = [];
	let queries = new Map<number, {query: string | null; user: string | null; database: string | null}>();
	return {
		actions,
		async refresh() {
			const snapshot = await monitor.refresh();
			queries = new Map(snapshot.rows.map(row => [row.pid, {query: row.query, user: row.user, database: row.database}]));
			return snapshot;
		},
		databaseSize: async () => monitor.databaseSize(),
		async signal(kind, pid) {
			const outcome = await monitor.signal(kind, pid);
			const at = new Date().toISOString();
			const seen = queries.get(pid) ?? {query: null, user: null, database: null};
			const entry = {at, osUser: os.userInfo().username, operator: readSettings().operatorName, host: os.hostname(), target, ...outcome, ...seen};
			actions.push(`${at} ${kind} pid ${pid}: ${outcome.detail}`);
			mkdirSync(path.dirname(file), {recursive: true});
			appendFileSync(file, `${JSON.stringify(entry)}\n`);
			return outcome;
		},
		close: async () => monitor.close(),
	};
}

function printOnce(snapshot: Awaited<ReturnType<ActivityMonitor['refresh']>>): void {
	const width = process.stdout.columns || 120;
	const running = sortRows(snapshot.rows.filter(isRunning), 'query');
	const tree = buildBlockingTree(snapshot.rows);
	const lines = [
		`running (${running.length})`,
		...running.map(row => rowLine(row, 'query', width).trimEnd()),
		'',
		`blocking tree (${tree.length === 0 ? 'no session waits for a lock' : `${tree.length} sessions`})`,
		...tree.map(line => treeLineText(line, width).trimEnd()),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

async function watchSqlite(target: Extract<Target, {engine: 'sqlite'}>, interactive: boolean): Promise<number> {
	const read = () => {
		try {
			return {info: readSqliteWatchInfo(target.path), error: null};
		} catch (error) {
			return {info: null, error: error instanceof Error ? error.message : String(error)};
		}
	};

	if (!interactive) {
		const {info, error} = read();
		process.stdout.write(`${JSON.stringify(info ?? {error}, null, 2)}\n`);
		return error === null ? 0 : 1;
	}

	let quit: () => void = () => {};
	const done = new Promise<void>(resolve => {
		quit = resolve;
	});
	const view = () => <SqliteWatchScreen {...read()} width={process.stdout.columns || 80} interactive onQuit={quit}/>;
	const instance = render(view(), {exitOnCtrlC: false, patchConsole: false});
	const timer = setInterval(() => instance.rerender(view()), 1000);
	process.once('SIGINT', quit);
	await done;
	process.off('SIGINT', quit);
	clearInterval(timer);
	instance.unmount();
	return 0;
}
