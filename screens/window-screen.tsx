import {Box, Text, useStdout} from 'ink';
import type {RunEvent} from '../source/engine/events.js';
import type {Gate} from '../source/engine/gates.js';
import {expectedUpgradeMs} from '../source/engine/eta.js';
import type {ExpectedDuration, Fingerprint, MigrationPlan, PreflightItem} from '../source/engine/model.js';
import type {CommandState, RunState, StepStatus} from '../source/engine/state.js';
import {AdoptionNotice} from './components/adoption-notice.js';
import {CommandTail} from './components/command-tail.js';
import {FingerprintLines} from './components/fingerprint-lines.js';
import {MigrationPlanLines} from './components/migration-plan.js';
import {PreflightLines} from './components/preflight-lines.js';
import {clampFirst, PlanView, planLines} from './components/plan-view.js';
import {StepErrors} from './components/step-errors.js';
import {editText, TextField} from './components/text-field.js';
import {formatClock, formatDuration, plural, truncate, wrapWords} from './format.js';
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
	/** The runbook this run uses and where its migrations come from (run.started), so no default goes unseen. */
	runbook?: {checklist: {name: string; path: string} | null; migrationsDir: string | null};
	/** What earlier runs took for the same migrations (migrations.history). */
	history?: ExpectedDuration[];
};

type Focus = 'prep' | 'name';

/** planFirst: the first line of the whole-plan view while it is open, null when closed. */
type Ui = {focus: Focus; selected: number; typed: string; reasons: string[]; planFirst: number | null};

const MAX_PREP = 6;

export function WindowScreen(props: WindowScreenProps) {
	const {fingerprint, plan, preflight, window, commands, status, errors, now, width, keys} = props;
	const prep = window?.prep ?? [];
	const deciding = keys.interactive && status === 'running' && window !== null && fingerprint !== null;
	const [ui, setUi, getUi] = useSyncState<Ui>({focus: prep.length > 0 ? 'prep' : 'name', selected: 0, typed: '', reasons: [], planFirst: null});
	const {stdout} = useStdout();
	// The header, the view's title and the key line stay on screen around the page.
	const rows = stdout.rows > 0 ? stdout.rows : 24;
	const pageHeight = Math.max(3, rows - 7);
	const roomy = rows >= 24;
	// A short terminal lists fewer pending names (p pages through all), so the prompt and keys stay in view.
	const pendingShown = roomy ? 5 : Math.max(1, Math.min(5, rows - 19));
	const lines = plan ? planLines(plan, props.history ?? []) : [];
	const {focus, selected, typed, reasons} = ui;
	const typing = deciding && focus === 'name' && ui.planFirst === null;
	useTyping(keys, typing, typed);

	useKeys((input, key) => {
		const ui = getUi();
		const update = (change: Partial<Ui>) => {
			setUi({...ui, ...change});
		};

		if (ui.planFirst !== null) {
			const page = Math.max(1, pageHeight - 1);
			const move = (first: number) => {
				update({planFirst: clampFirst(first, lines.length, pageHeight)});
			};

			if (key.escape || input === 'p') {
				update({planFirst: null});
			} else if (key.upArrow) {
				move(ui.planFirst - 1);
			} else if (key.downArrow) {
				move(ui.planFirst + 1);
			} else if (key.pageUp) {
				move(ui.planFirst - page);
			} else if (key.pageDown || input === ' ') {
				move(ui.planFirst + page);
			}

			return;
		}

		// PgDn opens the plan even from the name field, where p is typed.
		if (plan && (key.pageDown || (input === 'p' && !(deciding && ui.focus === 'name')))) {
			update({planFirst: 0});
			return;
		}

		if (!deciding) {
			return;
		}

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
	}, {isActive: keys.active && window !== null && fingerprint !== null});

	if (fingerprint && !window && preflight !== null) {
		// Stopped at the preflight: what was found, and what to fix; nothing was asked or changed.
		return (
			<Box flexDirection='column'>
				<FingerprintLines fingerprint={fingerprint} width={width}/>
				{plan ? <MigrationPlanLines plan={plan} width={width} maxPending={pendingShown} directory={props.runbook?.migrationsDir ?? null} engine={fingerprint.engine}/> : null}
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
	if (ui.planFirst !== null) {
		return <PlanView lines={lines} first={ui.planFirst} height={pageHeight} width={width}/>;
	}

	const upgradeTook = plan ? expectedUpgradeMs(plan.pending, props.history ?? []) : null;
	const took = upgradeTook === null
		? ''
		: ` · the upgrade took ${formatDuration(upgradeTook.ms)} last time${upgradeTook.known < (plan?.pending.length ?? 0) ? ` (${upgradeTook.known} of ${plan?.pending.length ?? 0} migrations known)` : ''}`;
	const runbook = props.runbook;
	const checks = window.checks;
	const first = Math.min(Math.max(0, selected - MAX_PREP + 1), Math.max(0, prep.length - MAX_PREP));
	return (
		<Box flexDirection='column'>
			<FingerprintLines fingerprint={fingerprint} width={width}/>
			{runbook?.checklist ? <Text wrap='wrap'>{`Runbook ${runbook.checklist.path}${checks ? ` (${checks.pre === 0 && checks.post === 0 ? 'no checks' : `${plural(checks.pre, 'check')} before`})` : ''}${runbook.migrationsDir && plan?.format === undefined ? ` · migrations ${runbook.migrationsDir}` : ''}`}</Text> : null}
			{plan ? <MigrationPlanLines plan={plan} width={width} maxPending={pendingShown} directory={props.runbook?.migrationsDir ?? null} engine={fingerprint.engine}/> : <Text dimColor>Reading the migrations…</Text>}
			{plan?.adoption ? <AdoptionNotice live={plan.adoption} width={width}/> : null}
			<PreflightLines items={preflight} width={width}/>
			<Text wrap='wrap'>{`Window  ${start}, expected ${window.expectedMinutes} min${took}`}</Text>
			{prep.length > 0 ? <Text>Preparation ({window.ticked.length}/{prep.length} ticked):</Text> : null}
			{prep.slice(first, first + MAX_PREP).map((item, offset) => {
				const index = first + offset;
				const ticked = window.ticked.includes(item.id);
				const pointer = deciding && focus === 'prep' && index === selected ? '›' : ' ';
				// Wrapped, not cut: the operator ticks what the item says, all of it (a short terminal cuts to keep the prompt in view).
				if (!roomy) {
					return <Text key={item.id} bold={pointer === '›'}>{truncate(`${pointer} [${ticked ? 'x' : ' '}] ${item.text}`, width)}</Text>;
				}

				// Wrapped here, not by Ink: its wrap starts a line with the space after a word that filled the one before.
				const lines = wrapWords(item.text, Math.max(10, width - 6));
				return <Text key={item.id} bold={pointer === '›'}>{lines.map((line, i) => `${i === 0 ? `${pointer} [${ticked ? 'x' : ' '}] ` : ' '.repeat(6)}${line}`).join('\n')}</Text>;
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
