import {Box, Text} from 'ink';
import type {RunEvent} from '../source/engine/events.js';
import type {Gate} from '../source/engine/gates.js';
import {isSatisfied} from '../source/engine/judge.js';
import type {CheckPhase, CheckResult} from '../source/engine/model.js';
import type {RunState, StepStatus} from '../source/engine/state.js';
import {CheckList} from './components/check-list.js';
import {StepErrors} from './components/step-errors.js';
import {editText, TextField} from './components/text-field.js';
import {formatDuration, plural, truncate} from './format.js';
import {useKeys, useTyping, type ScreenKeys} from './use-keys.js';
import {useSyncState} from './use-sync-state.js';

export const MIN_REASON = 10;

export type ChecksScreenProps = {
	phase: CheckPhase;
	/** The checks of this phase, in the order they finished. */
	checks: CheckResult[];
	overrides: RunState['overrides'];
	status: StepStatus;
	/** Pre only: the baseline is captured and the run waits for the operator to proceed. */
	awaitingProceed: boolean;
	/** upgradeGate(state), bound by the root. */
	gate: () => Gate;
	/** Ids of unresolvedBlockers(state): the checks `o` can override. */
	blockers: string[];
	errors: string[];
	width: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
	maxVisible?: number;
	evidenceRows?: number;
	/** state.runningCheck when it belongs to this phase: drawn with its elapsed time, Esc stops it. */
	running?: RunState['runningCheck'];
	/** For the running check's elapsed time. */
	now?: number;
	/** Checks the runbook has for this phase (window.planned); null when the record does not say. */
	planned?: number | null;
};

type Mode = {kind: 'browse'} | {kind: 'reason'; checkId: string; text: string};

type Ui = {selected: number; showSql: boolean; mode: Mode; messages: string[]};

/** Pre-validation (and, through the post screen, post-verification): verdicts, evidence, SQL, override and proceed. */
export function ChecksScreen(props: ChecksScreenProps) {
	const {phase, checks, overrides, status, awaitingProceed, blockers, errors, width, keys} = props;
	const [ui, setUi, getUi] = useSyncState<Ui>({selected: 0, showSql: false, mode: {kind: 'browse'}, messages: []});
	const {showSql, mode, messages} = ui;
	const canDecide = keys.interactive && phase === 'pre' && awaitingProceed;
	const typing = canDecide && mode.kind === 'reason';
	useTyping(keys, typing, mode.kind === 'reason' ? mode.text : '');

	const clamp = (selected: number) => Math.min(selected, Math.max(0, checks.length - 1));
	const index = clamp(ui.selected);

	useKeys((input, key) => {
		const ui = getUi();
		const update = (change: Partial<Ui>) => {
			setUi({...ui, ...change});
		};

		const {mode} = ui;
		if (mode.kind === 'reason') {
			if (key.escape) {
				update({mode: {kind: 'browse'}, messages: []});
			} else if (key.return) {
				const reason = mode.text.trim();
				if (reason.length < MIN_REASON) {
					update({messages: [`the reason must say why, in at least ${MIN_REASON} characters`]});
				} else {
					update({mode: {kind: 'browse'}, messages: []});
					props.onDecision({type: 'operator.override', checkId: mode.checkId, reason});
				}
			} else {
				const text = editText(mode.text, input, key);
				if (text !== null) {
					update({mode: {...mode, text}});
				}
			}

			return;
		}

		const selected = clamp(ui.selected);
		const current = checks[selected];
		const running = props.running;
		if (key.escape && running && keys.interactive) {
			if (!running.cancelRequested) {
				props.onDecision({type: 'operator.check-cancelled', id: running.id, phase: running.phase});
			}
		} else if (key.upArrow) {
			update({selected: Math.max(0, selected - 1)});
		} else if (key.downArrow) {
			update({selected: Math.min(checks.length - 1, selected + 1)});
		} else if (input === 's') {
			update({showSql: !ui.showSql});
		} else if (input === 'o' && canDecide) {
			if (current && blockers.includes(current.id)) {
				update({mode: {kind: 'reason', checkId: current.id, text: ''}, messages: []});
			} else {
				update({messages: ['o overrides a blocking check that failed; select one with ↑ ↓']});
			}
		} else if (key.return && canDecide) {
			const gate = props.gate();
			update({messages: gate.open ? [] : gate.reasons});
			if (gate.open) {
				props.onDecision({type: 'operator.proceed', step: 'pre'});
			}
		}
	}, {isActive: keys.active});

	const failing = checks.filter(c => !isSatisfied(c.verdict)).length;
	const notApplicable = checks.filter(c => c.verdict === 'not-applicable').length;
	const none = checks.length === 0 && (props.planned === 0 || (status !== 'running' && status !== 'waiting'));
	return (
		<Box flexDirection='column'>
			{/* In the place of the tally, so the screen keeps its height (and 80x24 its scrollback) while a check runs. */}
			{props.running && showsRunning(props.running, props.now)
				? <RunningCheck running={props.running} now={props.now ?? props.running.startedAt} interactive={keys.interactive} width={width}/>
				: (none
					? <Text>{props.planned === 0 ? `No checks in this runbook ${phase === 'pre' ? 'before' : 'after'} the upgrade: nothing to check.` : 'No checks ran in this step.'}</Text>
					: (
						<Text>
							{truncate(`${status === 'running' ? '⟳' : '✓'} ${plural(checks.length, 'check')} finished${props.planned ? ` of ${props.planned}` : ''}: ${checks.length - failing - notApplicable} passed, ${notApplicable > 0 ? `${notApplicable} not applicable (no table yet), ` : ''}${failing} not passed${blockers.length > 0 ? `, ${plural(blockers.length, 'blocking failure')} unresolved` : ''}`, width)}
						</Text>
					))}
			{none ? null : <CheckList
				checks={checks}
				overrides={overrides}
				selected={index}
				showSql={showSql}
				width={width}
				maxVisible={props.maxVisible ?? 6}
				evidenceRows={props.evidenceRows ?? 5}
			/>}
			{mode.kind === 'reason'
				? (
					<Box flexDirection='column' marginTop={1}>
						<Text>{truncate(`Override ${mode.checkId}: why is it safe to go on? (Enter to record, Esc to cancel)`, width)}</Text>
						<TextField label='Reason' value={mode.text} focused width={width}/>
					</Box>
				)
				: <Prompt phase={phase} status={status} awaitingProceed={awaitingProceed} interactive={keys.interactive} blockers={blockers.length} gate={awaitingProceed ? props.gate() : null}/>}
			{messages.slice(0, 4).map((m, i) => <Text key={i} color='yellow'>{truncate(`! ${m}`, width)}</Text>)}
			{messages.length > 4 ? <Text color='yellow'>! …and {messages.length - 4} more</Text> : null}
			<StepErrors messages={errors} width={width}/>
		</Box>
	);
}

/** A check shorter than this never redraws the screen: most take milliseconds, and a flicker per check helps nobody. */
const RUNNING_SHOWN_AFTER_MS = 1000;

function showsRunning(running: NonNullable<RunState['runningCheck']>, now: number | undefined): boolean {
	return running.cancelRequested || (now ?? running.startedAt) - running.startedAt >= RUNNING_SHOWN_AFTER_MS;
}

/** The check whose statement runs now: how long so far, its limit, and how to stop it. */
function RunningCheck({running, now, interactive, width}: {running: NonNullable<RunState['runningCheck']>; now: number; interactive: boolean; width: number}) {
	const elapsed = formatDuration(Math.max(0, now - running.startedAt));
	const stop = running.cancelRequested ? 'cancelling…' : (interactive ? 'Esc cancels it' : '');
	return (
		<Text color='cyan'>
			{truncate(`⟳ running ${running.phase}.${running.id}: ${running.title} · ${elapsed} of ${formatDuration(running.timeoutMs)}${stop === '' ? '' : ` · ${stop}`}`, width)}
		</Text>
	);
}

type PromptProps = {phase: CheckPhase; status: StepStatus; awaitingProceed: boolean; interactive: boolean; blockers: number; gate: Gate | null};

/** What the operator can do now; the gate's own reasons appear when Enter is refused. */
function Prompt({phase, status, awaitingProceed, interactive, blockers, gate}: PromptProps) {
	if (phase !== 'pre') {
		return null;
	}

	if (status !== 'running') {
		return <Text>{status === 'passed' || status === 'failed' ? '✓ Proceeding to the upgrade…' : ''}</Text>;
	}

	if (!awaitingProceed) {
		return <Text dimColor>⟳ Running checks and taking the row-count baseline…</Text>;
	}

	if (!interactive) {
		return <Text dimColor>Waiting for the operator to proceed.</Text>;
	}

	return (
		<Box flexDirection='column' marginTop={1}>
			<Text bold>{gate?.open
				? 'Baseline taken. Press Enter to proceed to the upgrade.'
				: (blockers > 0
					? `✗ Upgrade blocked by ${plural(blockers, 'failing blocking check')}: select one and press o to override it with a reason.`
					: '✗ Upgrade blocked: press Enter to see why.')}</Text>
		</Box>
	);
}
