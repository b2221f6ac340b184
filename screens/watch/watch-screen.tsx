import {Box, Text} from 'ink';
import {useState} from 'react';
import {listItems, WATCH_VIEWS, type WatchEvent, type WatchState, type WatchView} from '../../source/watch/watch-state.js';
import {editText} from '../components/text-field.js';
import {HelpOverlay} from '../help-overlay.js';
import {watchKeyHelp} from '../key-help.js';
import {fit, formatDuration, truncate} from '../format.js';
import {useKeys} from '../use-keys.js';
import {ConfirmAction} from './confirm-action.js';
import {CellLine} from './cell-line.js';
import {LIST_HEADING, rowCells, treeLineCells} from './session-line.js';
import {WatchHeader} from './watch-header.js';

/** What the screen asks for: a state change, or an effect the command carries out. */
export type WatchIntent = WatchEvent | {type: 'action-confirmed'} | {type: 'copy-query'} | {type: 'size-requested'} | {type: 'quit'};

export type WatchScreenProps = {
	state: WatchState;
	now: number;
	width: number;
	height: number;
	/** False where keys cannot be read (a pipe) or in a replay. */
	interactive: boolean;
	onIntent: (intent: WatchIntent) => void;
};

const VIEW_TITLES: Record<WatchView, string> = {running: '1 running', blocking: '2 blocking', idle: '3 idle in tx'};

export function WatchScreen({state, now, width, height, interactive, onIntent}: WatchScreenProps) {
	const [draft, setDraft] = useState<string | null>(null);
	const [help, setHelp] = useState(false);
	useKeys((input, key) => {
		if (help) {
			if (input === '?' || key.f1 || key.escape) {
				setHelp(false);
			} else if (input === 'q') {
				onIntent({type: 'quit'});
			}

			return;
		}

		if (key.f1 || (input === '?' && state.confirm === null && (draft === null || draft === ''))) {
			setHelp(true);
			return;
		}

		if (state.confirm !== null) {
			if (input === 'y') {
				onIntent({type: 'action-confirmed'});
			} else if (input === 'n' || key.escape) {
				onIntent({type: 'action-dismissed'});
			}

			return;
		}

		if (draft !== null) {
			if (key.return) {
				onIntent({type: 'filter-set', pattern: draft});
				setDraft(null);
			} else if (key.escape) {
				setDraft(null);
			} else {
				const next = editText(draft, input, key);
				if (next !== null) {
					setDraft(next);
				}
			}

			return;
		}

		const view = ({'1': 'running', '2': 'blocking', '3': 'idle'} as Record<string, WatchView>)[input];
		if (view !== undefined) {
			onIntent({type: 'view-chosen', view});
		} else if (key.tab) {
			onIntent({type: 'view-chosen', view: WATCH_VIEWS[(WATCH_VIEWS.indexOf(state.view) + 1) % WATCH_VIEWS.length]!});
		} else if (key.upArrow || key.downArrow) {
			onIntent({type: 'selection-moved', by: key.upArrow ? -1 : 1});
		} else if (input === '+' || input === '-') {
			onIntent({type: 'interval-changed', step: input === '+' ? 1 : -1});
		} else if (input === ' ') {
			onIntent({type: 'pause-toggled'});
		} else if (input === 's') {
			onIntent({type: 'sort-cycled'});
		} else if (input === 'm') {
			onIntent({type: 'min-duration-cycled'});
		} else if (input === '/') {
			setDraft(state.filter.pattern);
		} else if (input === 'c' || input === 'k') {
			onIntent({type: 'action-asked', kind: input === 'c' ? 'cancel' : 'terminate'});
		} else if (input === 'y') {
			onIntent({type: 'copy-query'});
		} else if (input === 'd') {
			onIntent({type: 'size-requested'});
		} else if (input === 'q') {
			onIntent({type: 'quit'});
		}
	}, {isActive: interactive});

	const items = listItems(state);
	const room = Math.max(3, height - 9 - (state.confirm === null ? 0 : 7));
	const selected = Math.max(0, items.findIndex(item => item.row !== null && item.row.pid === state.selectedPid));
	const first = Math.min(Math.max(0, selected - room + 1), Math.max(0, items.length - room));
	const shown = items.slice(first, first + room);
	const filterText = [
		state.filter.pattern === '' ? '' : `/${state.filter.pattern}/`,
		state.filter.minDurationMs === 0 ? '' : `≥ ${formatDuration(state.filter.minDurationMs)}`,
	].filter(Boolean).join(' ');
	const empty = state.snapshot === null ? '' : state.view === 'blocking' ? 'no session waits for a lock' : state.view === 'idle' ? 'no session is idle in a transaction' : 'no running query';
	if (help) {
		return (
			<Box flexDirection="column" width={width}>
				<WatchHeader state={state} now={now} width={width}/>
				<HelpOverlay keys={watchKeyHelp} width={width}/>
			</Box>
		);
	}

	return (
		<Box flexDirection="column" width={width}>
			<WatchHeader state={state} now={now} width={width}/>
			<Text>{truncate(`${WATCH_VIEWS.map(view => view === state.view ? `[${VIEW_TITLES[view]}]` : ` ${VIEW_TITLES[view]} `).join(' ')}${state.view === 'running' ? `  sort: ${state.sort}` : ''}${filterText === '' ? '' : `  filter ${filterText}`}`, width)}</Text>
			{state.view === 'blocking' ? null : <Text dimColor>{LIST_HEADING(width, state.view === 'idle' ? 'transaction' : state.sort)}</Text>}
			{shown.length === 0 ? <Text dimColor>{empty}</Text> : shown.map(item => {
				const isSelected = item.row !== null && item.row.pid === state.selectedPid;
				const [first = '', ...rest] = item.line === null ? rowCells(item.row!, state.view === 'idle' ? 'transaction' : state.sort, width - 2) : treeLineCells(item.line, width - 2);
				return <CellLine key={`${item.line?.pid ?? item.row!.pid}-${item.line?.level ?? 0}`} cells={[`${isSelected ? '› ' : '  '}${first}`, ...rest]} inverse={isSelected}/>;
			})}
			{items.length > room ? <Text dimColor>{`  … ${items.length - shown.length} more (↑/↓ scrolls)`}</Text> : null}
			{state.confirm === null ? null : <ConfirmAction action={state.confirm} width={width}/>}
			{draft === null ? null : <Text>{fit(`filter (regex over database, user, application, query): ${draft}▌`, width)}</Text>}
			{state.filterError === null ? null : <Text color="red">{truncate(`filter not applied: ${state.filterError}`, width)}</Text>}
			{state.message === null ? null : <Text>{truncate(state.message, width)}</Text>}
			<Text dimColor>{truncate('1-3 view ↑↓ select c cancel k kill y copy / filter m age s sort ␣ pause ? keys q', width)}</Text>
		</Box>
	);
}
