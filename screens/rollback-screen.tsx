import {Box, Text} from 'ink';
import type {RunEvent} from '../source/engine/events.js';
import type {RollbackChoice, RollbackOption} from '../source/engine/model.js';
import type {MigrationRow, RunState} from '../source/engine/state.js';
import {MigrationRows} from './components/migration-rows.js';
import {StepErrors} from './components/step-errors.js';
import {formatDuration, truncate} from './format.js';
import {useKeys, type ScreenKeys} from './use-keys.js';
import {useSyncState} from './use-sync-state.js';

export type RollbackScreenProps = {
	rollback: RunState['rollback'];
	/** Down migrations of a downgrade in progress. */
	downs: MigrationRow[];
	errors: string[];
	now: number;
	width: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
};

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

function wrapLines(text: string, width: number, max: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/)) {
		if (line !== '' && line.length + 1 + word.length > width) {
			lines.push(line);
			line = '';
		}

		line = line === '' ? word : `${line} ${word}`;
	}

	lines.push(line);
	return lines.length > max ? [...lines.slice(0, max - 1), truncate(lines.slice(max - 1).join(' '), width)] : lines.map(l => truncate(l, width));
}

/** Why a way back is offered, the three ways with what they do and cost, then the chosen one's progress. */
export function RollbackScreen({rollback, downs, errors, now, width, keys, onDecision}: RollbackScreenProps) {
	const options = rollback?.options ?? [];
	// The pointer starts on the choice that changes nothing: undoing anything must be a deliberate move.
	const keep = options.findIndex(o => o.available && o.choice === 'keep');
	const initial = keep === -1 ? options.findIndex(o => o.available) : keep;
	const [ui, setUi, getUi] = useSyncState<{selected: number; confirming: RollbackChoice | null}>({selected: Math.max(0, initial), confirming: null});
	const {selected, confirming} = ui;
	const deciding = keys.interactive && rollback !== null && rollback.choice === null;

	useKeys((input, key) => {
		const {selected, confirming} = getUi();
		if (confirming) {
			setUi({selected, confirming: null});
			if (input === 'y' || input === 'Y') {
				onDecision({type: 'operator.rollback-chosen', choice: confirming});
			}

			return;
		}

		if (key.upArrow) {
			setUi({selected: nextAvailable(options, selected, -1), confirming: null});
		} else if (key.downArrow) {
			setUi({selected: nextAvailable(options, selected, 1), confirming: null});
		} else if (key.return) {
			const option = options[selected];
			if (!option?.available) {
				return;
			}

			if (option.choice === 'keep') {
				onDecision({type: 'operator.rollback-chosen', choice: 'keep'});
			} else {
				setUi({selected, confirming: option.choice});
			}
		}
	}, {isActive: keys.active && deciding});

	if (!rollback) {
		return <Text dimColor>⟳ Preparing the ways back…</Text>;
	}

	return (
		<Box flexDirection='column'>
			{/* The reason is what the operator decides on (which session held the lock, which statement failed): wrap it, at most four lines. */}
			<Text bold>{wrapLines(`! ${rollback.reason}`, width, 4).join('\n')}</Text>
			{options.map((option, i) => {
				const pointer = deciding && i === selected ? '›' : ' ';
				const chosen = rollback.choice === option.choice;
				return (
					<Box key={option.choice} flexDirection='column' marginTop={i === 0 ? 1 : 0}>
						<Text bold={pointer === '›' || chosen} dimColor={!option.available}>
							{`${pointer} ${i + 1}. ${LABEL[option.choice]}${option.available ? '' : ' (unavailable)'}${chosen ? ' ← chosen' : ''}`}
						</Text>
						{/* Only the option under the pointer (or chosen) is told in full: three options in full do not fit 24 rows. */}
						<Box paddingLeft={5} flexDirection='column'>
							{!option.available
								? <Text dimColor>{truncate(`why not: ${option.cost}`, width - 5)}</Text>
								: (pointer === '›' || chosen
									? <>
										<Text>{wrapLines(option.action, width - 5, 3).join('\n')}</Text>
										<Text dimColor>{wrapLines(`cost: ${option.cost}`, width - 5, 4).join('\n')}</Text>
									</>
									: <Text dimColor>{truncate(option.action, width - 5)}</Text>)}
						</Box>
					</Box>
				);
			})}
			{confirming ? <Text bold>{`! ${LABEL[confirming]}: y to confirm, any other key to cancel`}</Text> : null}
			{deciding && !confirming ? <Text dimColor>↑ ↓ to select, Enter to choose</Text> : null}
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
				? <Text bold>{truncate(`${rollback.result.ok ? '✓' : '✗'} ${LABEL[rollback.choice]} ${rollback.result.ok ? 'done' : 'FAILED'} in ${formatDuration(rollback.result.durationMs)}: ${rollback.result.detail}`, width)}</Text>
				: (rollback.choice === 'keep' ? null : <Text>⟳ {LABEL[rollback.choice]} in progress…</Text>)}
		</Box>
	);
}
