import {Box, Text} from 'ink';
import type {RunEvent} from '../source/engine/events.js';
import type {RollbackChoice, RollbackOption} from '../source/engine/model.js';
import type {MigrationRow, RunState} from '../source/engine/state.js';
import {MigrationRows} from './components/migration-rows.js';
import {StepErrors} from './components/step-errors.js';
import {formatDuration, truncate, wrapWords} from './format.js';
import {useKeys, type ScreenKeys} from './use-keys.js';
import {useSyncState} from './use-sync-state.js';

export type RollbackScreenProps = {
	rollback: RunState['rollback'];
	/** Down migrations of a downgrade in progress. */
	downs: MigrationRow[];
	errors: string[];
	now: number;
	width: number;
	/** Rows the screen may use: past them the top of the frame, and the pointer with it, would leave the terminal. */
	height?: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
};

/** How much of each text the prompt shows; Infinity is whole. */
type Layout = {reason: number; action: number; cost: number; others: boolean; margin: boolean};

// Richest first: the first that fits the terminal's rows is drawn.
const LAYOUTS: Layout[] = [
	{reason: Infinity, action: Infinity, cost: Infinity, others: true, margin: true},
	{reason: 4, action: 3, cost: 4, others: true, margin: true},
	{reason: 2, action: 2, cost: 2, others: false, margin: false},
	{reason: 1, action: 1, cost: 1, others: false, margin: false},
	{reason: 1, action: 0, cost: 0, others: false, margin: false},
];
const WHOLE = LAYOUTS[0]!;

const LABEL: Record<RollbackChoice, string> = {
	downgrade: 'Downgrade',
	restore: 'Restore the backup',
	keep: 'Keep as it is',
};

/** Moves from `from` by `step` to the next option that is available, staying put if there is none. */
export function nextAvailable(options: RollbackOption[], from: number, step: 1 | -1): number {
	for (let i = from + step; i >= 0 && i < options.length; i += step) {
		if (options[i]?.available) {
			return i;
		}
	}

	return from;
}

type Drawn = {title: string; detail: Array<{text: string; dim: boolean}>};

/** Why a way back is offered, the three ways with what they do and cost, then the chosen one's progress. */
export function RollbackScreen({rollback, downs, errors, now, width, height = 24, keys, onDecision}: RollbackScreenProps) {
	const options = rollback?.options ?? [];
	// The pointer starts on the choice that changes nothing: undoing anything must be a deliberate move.
	const keep = options.findIndex(o => o.available && o.choice === 'keep');
	const initial = keep === -1 ? options.findIndex(o => o.available) : keep;
	const [ui, setUi, getUi] = useSyncState<{selected: number; confirming: RollbackChoice | null; whole: boolean}>({selected: Math.max(0, initial), confirming: null, whole: false});
	const {selected, confirming, whole} = ui;
	const deciding = keys.interactive && rollback !== null && rollback.choice === null;

	useKeys((input, key) => {
		const {selected, confirming, whole} = getUi();
		if (confirming) {
			setUi({selected, confirming: null, whole});
			if (input === 'y' || input === 'Y') {
				onDecision({type: 'operator.rollback-chosen', choice: confirming});
			}

			return;
		}

		if (key.upArrow) {
			setUi({selected: nextAvailable(options, selected, -1), confirming: null, whole});
		} else if (key.downArrow) {
			setUi({selected: nextAvailable(options, selected, 1), confirming: null, whole});
		} else if (input === 'w' || (whole && key.escape)) {
			setUi({selected, confirming: null, whole: !whole && input === 'w'});
		} else if (key.return) {
			const option = options[selected];
			if (!option?.available) {
				return;
			}

			if (option.choice === 'keep') {
				onDecision({type: 'operator.rollback-chosen', choice: 'keep'});
			} else {
				setUi({selected, confirming: option.choice, whole});
			}
		}
	}, {isActive: keys.active && deciding});

	if (!rollback) {
		return <Text dimColor>⟳ Preparing the ways back…</Text>;
	}

	const draw = (layout: Layout): {reason: string[]; options: Drawn[]; cut: boolean; margin: boolean} => {
		let cut = false;
		const wrap = (text: string, room: number, max: number) => {
			const all = wrapWords(text, room, Infinity);
			cut ||= all.length > max;
			return wrapWords(text, room, max);
		};

		const reason = wrap(`! ${rollback?.reason ?? ''}`, width, layout.reason);
		const drawn = options.map((option, i): Drawn => {
			const pointer = deciding && i === selected ? '›' : ' ';
			const chosen = rollback?.choice === option.choice;
			const title = truncate(`${pointer} ${i + 1}. ${LABEL[option.choice]}${option.available ? '' : ' (unavailable)'}${chosen ? ' ← chosen' : ''}`, width);
			// Only the option under the pointer (or chosen) is told in full: three options in full do not fit 24 rows.
			const inFocus = pointer === '›' || chosen;
			const room = width - 5;
			if (inFocus && option.available) {
				return {title, detail: [
					...wrap(option.action, room, layout.action).map(text => ({text, dim: false})),
					...wrap(`cost: ${option.cost}`, room, layout.cost).map(text => ({text, dim: true})),
				]};
			}

			const line = option.available ? option.action : `why not: ${option.cost}`;
			return {title, detail: layout.others || inFocus ? wrap(line, room, inFocus ? layout.cost : 1).map(text => ({text, dim: true})) : []};
		});
		return {reason, options: drawn, cut, margin: layout.margin};
	};

	// Below the options: the confirmation or the key hint, the progress of a choice, the errors.
	const below = 1 + (rollback.choice === null ? 0 : 2) + Math.min(errors.length, 3) + (errors.length > 0 ? 2 : 0);
	const linesOf = (drawn: ReturnType<typeof draw>) => drawn.reason.length + (drawn.margin ? 1 : 0) + drawn.options.reduce((sum, o) => sum + 1 + o.detail.length, 0) + below;
	const fitting = LAYOUTS.map(layout => draw(layout)).find(drawn => linesOf(drawn) <= height);
	const shown = whole ? draw(WHOLE) : fitting ?? draw(LAYOUTS.at(-1)!);
	const tooSmall = fitting === undefined && !whole;
	return (
		<Box flexDirection='column'>
			{/* The reason is what the operator decides on (which session held the lock, which statement failed). */}
			<Text bold>{shown.reason.join('\n')}</Text>
			{tooSmall ? <Text color='yellow'>{wrapWords('The terminal is too small for this prompt: enlarge it to read the options.', width, 2).join('\n')}</Text> : null}
			{shown.options.map((option, i) => (
				<Box key={options[i]!.choice} flexDirection='column' marginTop={i === 0 && shown.margin && !tooSmall ? 1 : 0}>
					<Text bold={option.title.startsWith('›') || rollback.choice === options[i]!.choice} dimColor={!options[i]!.available}>{option.title}</Text>
					{option.detail.length === 0 ? null : (
						<Box paddingLeft={5} flexDirection='column'>
							{option.detail.map((line, j) => <Text key={j} dimColor={line.dim}>{line.text}</Text>)}
						</Box>
					)}
				</Box>
			))}
			{confirming ? <Text bold>{truncate(`! ${LABEL[confirming]}: y to confirm, any other key to cancel`, width)}</Text> : null}
			{deciding && !confirming
				? <Text dimColor>{keyHint(whole, shown.cut, width)}</Text>
				: null}
			{!keys.interactive && rollback.choice === null ? <Text dimColor>Waiting for the operator to choose.</Text> : null}
			<Progress rollback={rollback} downs={downs} now={now} width={width}/>
			<StepErrors messages={errors} width={width}/>
		</Box>
	);
}

function Progress({rollback, downs, now, width}: {rollback: NonNullable<RunState['rollback']>; downs: MigrationRow[]; now: number; width: number}) {
	if (!rollback.choice) {
		return null;
	}

	return (
		<Box flexDirection='column' marginTop={1}>
			{rollback.choice === 'downgrade' && downs.length > 0 ? <MigrationRows rows={downs} now={now} width={width} maxRows={6}/> : null}
			{rollback.result
				// Whole: it says what was undone, or what is left to do by hand.
				? <Box width={width}><Text bold wrap='wrap'>{`${rollback.result.ok ? '✓' : '✗'} ${LABEL[rollback.choice]} ${rollback.result.ok ? 'done' : 'FAILED'} in ${formatDuration(rollback.result.durationMs)}: ${rollback.result.detail}`}</Text></Box>
				: (rollback.choice === 'keep' ? null : <Text>⟳ {LABEL[rollback.choice]} in progress…</Text>)}
		</Box>
	);
}

/** The keys under the options, short enough for the terminal's width. */
function keyHint(whole: boolean, cut: boolean, width: number): string {
	const long = whole ? '↑ ↓ to select, Enter to choose · w or Esc: the short form' : `↑ ↓ to select, Enter to choose${cut ? ' · w: the whole text' : ''}`;
	const short = whole ? '↑↓ select · Enter · w short form' : `↑↓ select · Enter choose${cut ? ' · w whole' : ''}`;
	return [...long].length <= width ? long : truncate(short, width);
}
