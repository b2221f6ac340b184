import {Box, Text, useStdout} from 'ink';
import type {LintFinding, RunEvent} from '../source/engine/events.js';
import type {Gate} from '../source/engine/gates.js';
import {expectedUpgradeMs} from '../source/engine/eta.js';
import type {ExpectedDuration, Fingerprint, MigrationPlan, PreflightItem} from '../source/engine/model.js';
import type {CommandState, RunState, StepStatus} from '../source/engine/state.js';
import {describeFolder, describeSkipped} from '../source/engine/folder-note.js';
import {AdoptionNotice} from './components/adoption-notice.js';
import {LockImpactLine, lockImpactLines, LockImpactView, type LockImpact} from './components/lock-impact.js';
import {CommandTail} from './components/command-tail.js';
import {FingerprintLines, fingerprintTexts} from './components/fingerprint-lines.js';
import {hiddenLine, MigrationPlanLines} from './components/migration-plan.js';
import {PreflightLines} from './components/preflight-lines.js';
import {clampFirst, PlanView, planLines} from './components/plan-view.js';
import {StepErrors} from './components/step-errors.js';
import {editText, TextField} from './components/text-field.js';
import {formatClock, formatDuration, plural, truncate, truncateStart, wrapWords} from './format.js';
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
	/** The lint of the pending migrations (lint.findings) and its error findings still to acknowledge, first one first. */
	lint?: {findings: LintFinding[]; failure: string | null; toAcknowledge: LintFinding[]} | null;
	/** The measured locks of the pending migrations (lock-impact.*); null when not traced. */
	lockImpact?: LockImpact | null;
};

type Focus = 'prep' | 'name';

/** planFirst, locksFirst: the first line of the whole-plan view or of the lock table while it is open, null when closed. */
type Ui = {focus: Focus; selected: number; typed: string; reasons: string[]; planFirst: number | null; locksFirst: number | null};

const MAX_PREP = 6;

export function WindowScreen(props: WindowScreenProps) {
	const {fingerprint, plan, preflight, window, commands, status, errors, now, width, keys} = props;
	const prep = window?.prep ?? [];
	const deciding = keys.interactive && status === 'running' && window !== null && fingerprint !== null;
	const [ui, setUi, getUi] = useSyncState<Ui>({focus: prep.length > 0 ? 'prep' : 'name', selected: 0, typed: '', reasons: [], planFirst: null, locksFirst: null});
	const {stdout} = useStdout();
	// The header, the view's title and the key line stay on screen around the page.
	const rows = stdout.rows > 0 ? stdout.rows : 24;
	const pageHeight = Math.max(3, rows - 7);
	// The lint's lines come on top of a screen that fills 24 rows: with them, the compact layout makes room.
	const impact = props.lockImpact ?? null;
	const roomy = rows >= 24 + (props.lint ? lintLines(props.lint, width).length : 0) + (impact === null ? 0 : 1);
	const startsIn = window ? window.startsAt - now : 0;
	const start = window === null ? '' : (startsIn > 0 ? `starts ${formatClock(window.startsAt)} (in ${formatDuration(startsIn)})` : `started ${formatClock(window.startsAt)}`);
	const upgradeTook = plan ? expectedUpgradeMs(plan.pending, props.history ?? []) : null;
	const took = upgradeTook === null
		? ''
		: ` · the upgrade took ${formatDuration(upgradeTook.ms)} last time${upgradeTook.known < (plan?.pending.length ?? 0) ? ` (${upgradeTook.known} of ${plan?.pending.length ?? 0} migrations known)` : ''}`;
	const windowLine = window === null ? '' : `Window  ${start}, expected ${window.expectedMinutes} min${took}`;
	// A short terminal lists fewer pending names and preparation items (p pages through the plan, the
	// arrows through the items), so the header, the prompt and the keys stay in view. The target's
	// identity is wrapped, never cut: whatever it wraps onto is what gives way.
	const spare = roomy || fingerprint === null ? 0 : rows - 1 - rowsWithoutLists({fingerprint, plan, preflight, windowLine, prep: prep.length, commands, errors: errors.length, reasons: ui.reasons.length, runbook: Boolean(props.runbook?.checklist), width, engine: fingerprint.engine, lint: props.lint, locks: impact !== null});
	// The items come first (each is ticked here); the names are one key away in the plan.
	const prepShown = roomy ? MAX_PREP : Math.min(prep.length, MAX_PREP, Math.max(1, spare));
	const pendingShown = roomy ? 5 : Math.max(0, Math.min(5, spare - prepShown));
	const lines = plan ? planLines(plan, props.history ?? []) : [];
	const {focus, selected, typed, reasons} = ui;
	const traced = impact?.status === 'traced' ? impact.report : null;
	const lockLines = traced === null ? [] : lockImpactLines(traced);
	const typing = deciding && focus === 'name' && ui.planFirst === null && ui.locksFirst === null;
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

		if (ui.locksFirst !== null) {
			const page = Math.max(1, pageHeight - 1);
			const move = (first: number) => {
				update({locksFirst: clampFirst(first, lockLines.length, pageHeight)});
			};

			if (key.escape || input === 'l' || input === 'L') {
				update({locksFirst: null});
			} else if (key.upArrow) {
				move(ui.locksFirst - 1);
			} else if (key.downArrow) {
				move(ui.locksFirst + 1);
			} else if (key.pageUp) {
				move(ui.locksFirst - page);
			} else if (key.pageDown || input === ' ') {
				move(ui.locksFirst + page);
			}

			return;
		}

		// Ctrl-L opens the lock table even from the name field, where l is typed.
		if (traced !== null && ((key.ctrl && input === 'l') || ((input === 'l' || input === 'L') && !(deciding && ui.focus === 'name')))) {
			update({locksFirst: 0});
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

		// A destructive or blocking finding is accepted by typing its rule id, one finding at a time.
		const finding = props.lint?.toAcknowledge[0];
		if (key.return && finding !== undefined && ui.focus === 'name' && ui.typed.trim() === finding.rule) {
			update({typed: '', reasons: []});
			props.onDecision({type: 'operator.lint-acknowledged', rule: finding.rule, file: finding.file, line: finding.line, statement: finding.statement, typed: ui.typed.trim()});
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

	if (ui.planFirst !== null) {
		return <PlanView lines={lines} first={ui.planFirst} height={pageHeight} width={width}/>;
	}

	if (ui.locksFirst !== null && traced !== null) {
		return <LockImpactView lines={lockLines} first={ui.locksFirst} height={pageHeight} width={width}/>;
	}

	const runbook = props.runbook;
	const checks = window.checks;
	const first = Math.min(Math.max(0, selected - prepShown + 1), Math.max(0, prep.length - prepShown));
	return (
		<Box flexDirection='column'>
			<FingerprintLines fingerprint={fingerprint} width={width}/>
			{runbook?.checklist ? <Text wrap='wrap'>{runbookLine(runbook, checks, plan?.format === undefined, roomy ? null : width)}</Text> : null}
			{plan ? <MigrationPlanLines plan={plan} width={width} maxPending={pendingShown} directory={props.runbook?.migrationsDir ?? null} engine={fingerprint.engine} compact={!roomy}/> : <Text dimColor>Reading the migrations…</Text>}
			{plan?.adoption ? <AdoptionNotice live={plan.adoption} width={width}/> : null}
			<PreflightLines items={preflight} width={width}/>
			{props.lint ? <LintLines lint={props.lint} width={width}/> : null}
			{impact === null ? null : <LockImpactLine impact={impact} openKey={deciding && focus === 'name' ? 'Ctrl-L' : 'L'} width={width}/>}
			<Text wrap='wrap'>{windowLine}</Text>
			{prep.length > 0 ? <Text>{`Preparation (${window.ticked.length}/${prep.length} ticked${prepShown < prep.length ? `, ${prepShown} shown, ↑↓ for the rest` : ''}):`}</Text> : null}
			{prep.slice(first, first + prepShown).map((item, offset) => {
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

type Layout = {
	fingerprint: Fingerprint;
	plan: MigrationPlan | null;
	preflight: PreflightItem[] | null;
	windowLine: string;
	prep: number;
	commands: CommandState[];
	errors: number;
	reasons: number;
	runbook: boolean;
	width: number;
	engine: string;
	lint: WindowScreenProps['lint'];
	locks: boolean;
};

/**
 * The rows a short terminal's window screen takes without its pending names and preparation items:
 * the step header and key line, and each line as the compact layout draws it (wrapped where it wraps).
 */
function rowsWithoutLists(layout: Layout): number {
	const {fingerprint, plan, preflight, width} = layout;
	const wrapped = (text: string, room = width) => wrapWords(text, Math.max(10, room)).length;
	const {target, identity} = fingerprintTexts(fingerprint);
	let used = 2 + wrapped(target) + wrapped(identity, width - 8) + (layout.runbook ? 1 : 0);
	if (plan) {
		used += (describeFolder(plan) === null ? 0 : 1) + (describeSkipped(plan, layout.engine) === null ? 0 : 1);
		used += 2 + plan.applied.filter(m => m.drift !== 'none').length;
		used += plan.pending.length > 0 ? wrapped(hiddenLine(plan, 0, true)) : 0;
		if (plan.adoption) {
			used += 8;
		}
	} else {
		used += 1;
	}

	if (preflight) {
		used += (preflight.some(i => i.ok) ? 1 : 0) + preflight.filter(i => !i.ok).reduce((sum, i) => sum + wrapped(`✗ ${i.title}: ${i.detail}`), 0);
	}

	used += layout.lint ? lintLines(layout.lint, width).length : 0;
	used += layout.locks ? 1 : 0;
	used += wrapped(layout.windowLine) + (layout.prep > 0 ? 1 : 0);
	used += layout.commands.reduce((sum, c) => sum + 1 + Math.min(2, c.tail.length), 0);
	used += 1 + Math.min(4, layout.reasons) + (layout.reasons > 4 ? 1 : 0);
	used += layout.errors === 0 ? 0 : Math.min(3, layout.errors) + 1 + (layout.errors > 3 ? 1 : 0);
	return used;
}

/**
 * The runbook and, for a folder read without a format, the migrations folder. Given a width (a short
 * terminal) it is one line: the paths are cut from their start, so the file and folder names stay.
 */
function runbookLine(runbook: NonNullable<WindowScreenProps['runbook']>, checks: {pre: number; post: number} | null, namesFolder: boolean, width: number | null): string {
	const counted = checks ? ` (${checks.pre === 0 && checks.post === 0 ? 'no checks' : `${plural(checks.pre, 'check')} before`})` : '';
	const folder = runbook.migrationsDir && namesFolder ? runbook.migrationsDir : null;
	const path = runbook.checklist?.path ?? '';
	if (width === null) {
		return `Runbook ${path}${counted}${folder === null ? '' : ` · migrations ${folder}`}`;
	}

	const fixed = 'Runbook '.length + counted.length + (folder === null ? 0 : ' · migrations '.length);
	const room = width - fixed;
	if (folder === null) {
		return room >= 12 ? `Runbook ${truncateStart(path, room)}${counted}` : truncate(`Runbook ${path}${counted}`, width);
	}

	const each = Math.floor(room / 2);
	return each >= 12 ? `Runbook ${truncateStart(path, each)}${counted} · migrations ${truncateStart(folder, room - each)}` : truncate(`Runbook ${path}${counted} · migrations ${folder}`, width);
}

/**
 * The lint in at most three lines: the counts, then the first finding still to acknowledge and
 * what to type for it (or the first warning); `cutover lint` prints them all.
 */
function lintLines(lint: NonNullable<WindowScreenProps['lint']>, width: number): string[] {
	if (lint.failure !== null) {
		return [truncate(`Lint    could not read the migrations: ${lint.failure}`, width)];
	}

	const standing = lint.findings.filter(f => f.allowed === null);
	const warnings = standing.filter(f => f.severity === 'warning');
	const allowed = lint.findings.length - standing.length;
	// A clean lint takes no row of a full screen; the record says it ran.
	if (lint.findings.length === 0) {
		return [];
	}

	const counts = [`${lint.toAcknowledge.length} to acknowledge`, plural(warnings.length, 'warning'), ...(allowed > 0 ? [`${allowed} allowed`] : [])].join(', ');
	const first = lint.toAcknowledge[0];
	// Warnings ask nothing: one line, and cutover lint lists them.
	if (first === undefined) {
		return [truncate(`Lint    ${counts} (cutover lint lists them)`, width)];
	}

	return [
		truncate(`Lint    ${counts}`, width),
		truncate(`! ${first.file}:${first.line} ${first.rule}: ${first.detail}`, width),
		truncate(`  type ${first.rule} and Enter to accept it as written (fix: ${first.fix})`, width),
	];
}

function LintLines({lint, width}: {lint: NonNullable<WindowScreenProps['lint']>; width: number}) {
	return (
		<Box flexDirection='column'>
			{lintLines(lint, width).map((line, i) => (line.startsWith('!') ? <Text key={i} color='yellow'>{line}</Text> : <Text key={i}>{line}</Text>))}
		</Box>
	);
}
