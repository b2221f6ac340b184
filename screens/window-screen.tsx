import {Box, Text} from 'ink';
import type {RunEvent} from '../source/engine/events.js';
import type {Gate} from '../source/engine/gates.js';
import type {Fingerprint, MigrationPlan, PreflightItem} from '../source/engine/model.js';
import type {CommandState, RunState, StepStatus} from '../source/engine/state.js';
import {CommandTail} from './components/command-tail.js';
import {FingerprintLines} from './components/fingerprint-lines.js';
import {MigrationPlanLines} from './components/migration-plan.js';
import {PreflightLines} from './components/preflight-lines.js';
import {StepErrors} from './components/step-errors.js';
import {editText, TextField} from './components/text-field.js';
import {formatClock, formatDuration, truncate} from './format.js';
import {useKeys, useTyping, type ScreenKeys} from './use-keys.js';
import {useSyncState} from './use-sync-state.js';

export type WindowScreenProps = {
	fingerprint: Fingerprint | null;
	plan: MigrationPlan | null;
	/** What was checked before the window; null until checked. */
	preflight: PreflightItem[] | null;
	window: RunState['window'];
	commands: CommandState[];
	status: StepStatus;
	errors: string[];
	/** windowGate(state, typed), bound by the root. */
	gate: (typedName: string) => Gate;
	now: number;
	width: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
};

type Focus = 'prep' | 'name';

type Ui = {focus: Focus; selected: number; typed: string; reasons: string[]};

const MAX_PREP = 6;

export function WindowScreen(props: WindowScreenProps) {
	const {fingerprint, plan, preflight, window, commands, status, errors, now, width, keys} = props;
	const prep = window?.prep ?? [];
	const deciding = keys.interactive && status === 'running' && window !== null && fingerprint !== null;
	const [ui, setUi, getUi] = useSyncState<Ui>({focus: prep.length > 0 ? 'prep' : 'name', selected: 0, typed: '', reasons: []});
	const {focus, selected, typed, reasons} = ui;
	const typing = deciding && focus === 'name';
	useTyping(keys, typing, typed);

	useKeys((input, key) => {
		const ui = getUi();
		const update = (change: Partial<Ui>) => {
			setUi({...ui, ...change});
		};

		if (key.return) {
			const gate = props.gate(ui.typed);
			if (gate.open) {
				update({reasons: []});
				props.onDecision({type: 'operator.window-confirmed', typedName: ui.typed});
			} else {
				update({reasons: gate.reasons});
			}

			return;
		}

		if (key.tab) {
			update({focus: ui.focus === 'name' && prep.length > 0 ? 'prep' : 'name'});
			return;
		}

		if (ui.focus === 'name') {
			if (key.escape && prep.length > 0) {
				update({focus: 'prep'});
				return;
			}

			const next = editText(ui.typed, input, key);
			if (next !== null) {
				update({typed: next, reasons: []});
			}

			return;
		}

		if (key.upArrow) {
			update({selected: Math.max(0, ui.selected - 1)});
		} else if (key.downArrow) {
			update({selected: Math.min(prep.length - 1, ui.selected + 1)});
		} else if (input === ' ') {
			const item = prep[ui.selected];
			if (item && window) {
				update({reasons: []});
				props.onDecision({type: 'operator.prep-ticked', itemId: item.id, ticked: !window.ticked.includes(item.id)});
			}
		}
	}, {isActive: keys.active && deciding});

	if (fingerprint && !window && preflight !== null) {
		// Stopped at the preflight: what was found, and what to fix; nothing was asked or changed.
		return (
			<Box flexDirection='column'>
				<FingerprintLines fingerprint={fingerprint} width={width}/>
				{plan ? <MigrationPlanLines plan={plan} width={width} maxPending={5}/> : null}
				<PreflightLines items={preflight} width={width}/>
				<StepErrors messages={errors.filter(e => !e.startsWith('preflight failed'))} width={width}/>
			</Box>
		);
	}

	if (!window || !fingerprint) {
		return (
			<Box flexDirection='column'>
				<Text>⟳ Reading the target…</Text>
				<StepErrors messages={errors} width={width}/>
			</Box>
		);
	}

	const startsIn = window.startsAt - now;
	const start = startsIn > 0 ? `starts ${formatClock(window.startsAt)} (in ${formatDuration(startsIn)})` : `started ${formatClock(window.startsAt)}`;
	const first = Math.min(Math.max(0, selected - MAX_PREP + 1), Math.max(0, prep.length - MAX_PREP));
	return (
		<Box flexDirection='column'>
			<FingerprintLines fingerprint={fingerprint} width={width}/>
			{plan ? <MigrationPlanLines plan={plan} width={width} maxPending={5}/> : <Text dimColor>Reading the migrations…</Text>}
			<PreflightLines items={preflight} width={width}/>
			<Text>{truncate(`Window  ${start}, expected ${window.expectedMinutes} min`, width)}</Text>
			{prep.length > 0 ? <Text>Preparation ({window.ticked.length}/{prep.length} ticked):</Text> : null}
			{prep.slice(first, first + MAX_PREP).map((item, offset) => {
				const index = first + offset;
				const ticked = window.ticked.includes(item.id);
				const pointer = deciding && focus === 'prep' && index === selected ? '›' : ' ';
				return <Text key={item.id} bold={pointer === '›'}>{truncate(`${pointer} [${ticked ? 'x' : ' '}] ${item.text}`, width)}</Text>;
			})}
			<CommandTail commands={commands} width={width} lines={2}/>
			{status === 'running'
				? (deciding
					? <TextField label='Type the database name to continue' value={typed} focused={focus === 'name'} width={width}/>
					: <Text dimColor>Waiting for the operator to confirm the window.</Text>)
				: <Text>{window.confirmedName === null ? '✗ The window was not confirmed.' : `✓ Confirmed by typing ${window.confirmedName}. Starting the backup…`}</Text>}
			{reasons.slice(0, 4).map((r, i) => <Text key={i} color='yellow'>{truncate(`! ${r}`, width)}</Text>)}
			{reasons.length > 4 ? <Text color='yellow'>! …and {reasons.length - 4} more</Text> : null}
			<StepErrors messages={errors} width={width}/>
		</Box>
	);
}
