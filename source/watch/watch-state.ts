import {buildBlockingTree, type TreeLine} from './blocking-tree.js';
import {ratesBetween, type Rates} from './deltas.js';
import {compilePattern, isIdleInTransaction, isRunning, matches, MIN_DURATIONS_MS, NO_FILTER, SORT_KEYS, sortRows, type Filter, type SortKey} from './filters.js';
import {DEFAULT_THRESHOLDS, type Thresholds} from './thresholds.js';
import type {ActionKind, ActionOutcome, ActivityRow, ActivitySnapshot, Counters} from './types.js';

export type WatchView = 'running' | 'blocking' | 'idle';

export const WATCH_VIEWS: readonly WatchView[] = ['running', 'blocking', 'idle'];

export const INTERVALS_MS: readonly number[] = [500, 1000, 2000, 5000, 10_000];

export type Connection =
	| {status: 'connecting'}
	| {status: 'up'}
	| {status: 'down'; error: string; attempt: number; retryAt: number};

export type PendingAction = {kind: ActionKind; pid: number; user: string | null; database: string | null; query: string | null};

export type WatchState = {
	target: string;
	thresholds: Thresholds;
	connection: Connection;
	snapshot: ActivitySnapshot | null;
	previous: {at: number; counters: Counters} | null;
	rates: Rates;
	databaseSize: {bytes: number; at: number} | null;
	intervalMs: number;
	paused: boolean;
	view: WatchView;
	sort: SortKey;
	filter: Filter;
	filterError: string | null;
	selectedPid: number | null;
	confirm: PendingAction | null;
	/** One line about the last thing done (an action's outcome, a copy). */
	message: string | null;
	actions: Array<ActionOutcome & {at: number; query: string | null; user: string | null; database: string | null}>;
};

export type WatchEvent =
	| {type: 'refreshed'; snapshot: ActivitySnapshot}
	| {type: 'refresh-failed'; error: string; attempt: number; retryAt: number}
	| {type: 'size-read'; bytes: number; at: number}
	| {type: 'interval-changed'; step: 1 | -1}
	| {type: 'pause-toggled'}
	| {type: 'view-chosen'; view: WatchView}
	| {type: 'sort-cycled'}
	| {type: 'filter-set'; pattern: string}
	| {type: 'min-duration-cycled'}
	| {type: 'selection-moved'; by: number}
	| {type: 'action-asked'; kind: ActionKind}
	| {type: 'action-dismissed'}
	| {type: 'action-finished'; outcome: ActionOutcome; at: number}
	| {type: 'message'; text: string};

export function initialWatchState(target: string, options: {intervalMs?: number; thresholds?: Thresholds} = {}): WatchState {
	return {
		target,
		thresholds: options.thresholds ?? DEFAULT_THRESHOLDS,
		connection: {status: 'connecting'},
		snapshot: null,
		previous: null,
		rates: {cacheHitRatio: null, transactionsPerSecond: null},
		databaseSize: null,
		intervalMs: options.intervalMs ?? 1000,
		paused: false,
		view: 'running',
		sort: 'query',
		filter: NO_FILTER,
		filterError: null,
		selectedPid: null,
		confirm: null,
		message: null,
		actions: [],
	};
}

/** Pure: samples and key intents in, screen state out, so a replay draws what the operator saw. */
export function reduceWatch(state: WatchState, event: WatchEvent): WatchState {
	switch (event.type) {
		case 'refreshed': {
			const {snapshot} = event;
			// After an outage the interval restarts: a rate across a restart would mean nothing.
			const last = state.snapshot === null || state.connection.status !== 'up' ? null : {at: state.snapshot.at, counters: state.snapshot.stats.counters};
			const next = {...state, connection: {status: 'up'} as const, snapshot, previous: last, rates: ratesBetween(last, {at: snapshot.at, counters: snapshot.stats.counters})};
			return keepSelection(next);
		}

		case 'refresh-failed': {
			// The rows stay on screen, marked stale by the header, and the interval restarts the rates.
			return {...state, connection: {status: 'down', error: event.error, attempt: event.attempt, retryAt: event.retryAt}, previous: null};
		}

		case 'size-read': {
			return {...state, databaseSize: {bytes: event.bytes, at: event.at}};
		}

		case 'interval-changed': {
			const index = INTERVALS_MS.indexOf(state.intervalMs);
			const at = Math.min(INTERVALS_MS.length - 1, Math.max(0, (index === -1 ? 1 : index) + event.step));
			return {...state, intervalMs: INTERVALS_MS[at]!};
		}

		case 'pause-toggled': {
			return {...state, paused: !state.paused};
		}

		case 'view-chosen': {
			return keepSelection({...state, view: event.view});
		}

		case 'sort-cycled': {
			return keepSelection({...state, sort: SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + 1) % SORT_KEYS.length]!});
		}

		case 'filter-set': {
			const compiled = compilePattern(event.pattern);
			return typeof compiled === 'string'
				? {...state, filterError: compiled}
				: keepSelection({...state, filter: {...state.filter, pattern: event.pattern}, filterError: null});
		}

		case 'min-duration-cycled': {
			const at = (MIN_DURATIONS_MS.indexOf(state.filter.minDurationMs) + 1) % MIN_DURATIONS_MS.length;
			return keepSelection({...state, filter: {...state.filter, minDurationMs: MIN_DURATIONS_MS[at]!}});
		}

		case 'selection-moved': {
			const pids = selectablePids(state);
			if (pids.length === 0) {
				return {...state, selectedPid: null};
			}

			const at = state.selectedPid === null ? -1 : pids.indexOf(state.selectedPid);
			const next = Math.min(pids.length - 1, Math.max(0, at + event.by));
			return {...state, selectedPid: pids[next]!};
		}

		case 'action-asked': {
			const row = selectedRow(state);
			if (row === null) {
				return {...state, message: 'select a session first (↑/↓)'};
			}

			return {...state, confirm: {kind: event.kind, pid: row.pid, user: row.user, database: row.database, query: row.query}};
		}

		case 'action-dismissed': {
			return {...state, confirm: null};
		}

		case 'action-finished': {
			const asked = state.confirm;
			const entry = {...event.outcome, at: event.at, query: asked?.query ?? null, user: asked?.user ?? null, database: asked?.database ?? null};
			return {...state, confirm: null, message: event.outcome.detail, actions: [...state.actions, entry]};
		}

		case 'message': {
			return {...state, message: event.text};
		}
	}
}

export type ListItem = {row: ActivityRow; line: TreeLine | null} | {row: null; line: TreeLine};

/** What the current view lists, filtered and in order. Tree lines keep their blockers even when a filter hides them: a waiter without its holder says nothing. */
export function listItems(state: WatchState): ListItem[] {
	const rows = state.snapshot?.rows ?? [];
	const compiled = compilePattern(state.filter.pattern);
	const regex = typeof compiled === 'string' ? null : compiled;
	const keep = (row: ActivityRow) => matches(row, regex, state.filter, state.sort);
	if (state.view === 'blocking') {
		const lines = buildBlockingTree(rows);
		const roots = new Set<number>();
		let root = -1;
		for (const line of lines) {
			if (line.level === 0) {
				root = line.pid;
			}

			if (line.row === null || keep(line.row)) {
				roots.add(root);
			}
		}

		let current = -1;
		return lines.filter(line => {
			if (line.level === 0) {
				current = line.pid;
			}

			return roots.has(current);
		}).map(line => line.row === null ? {row: null, line} : {row: line.row, line});
	}

	const inView = state.view === 'idle' ? isIdleInTransaction : isRunning;
	return sortRows(rows.filter(row => inView(row) && keep(row)), state.view === 'idle' ? 'transaction' : state.sort).map(row => ({row, line: null}));
}

function selectablePids(state: WatchState): number[] {
	return listItems(state).flatMap(item => item.row === null ? [] : [item.row.pid]);
}

export function selectedRow(state: WatchState): ActivityRow | null {
	if (state.selectedPid === null) {
		return null;
	}

	return listItems(state).find(item => item.row?.pid === state.selectedPid)?.row ?? null;
}

/** A selected session that went away moves the selection to the first row still listed. */
function keepSelection(state: WatchState): WatchState {
	const pids = selectablePids(state);
	if (state.selectedPid !== null && pids.includes(state.selectedPid)) {
		return state;
	}

	return {...state, selectedPid: pids[0] ?? null};
}
