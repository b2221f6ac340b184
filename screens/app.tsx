import {Box, Static, Text, useStdout} from 'ink';
import {useCallback, useRef} from 'react';
import type {RunEvent} from '../source/engine/events.js';
import type {RunState} from '../source/engine/state.js';
import type {LegView} from '../source/engine/databases.js';
import {Header} from './header.js';
import {ErrorsOverlay} from './errors-overlay.js';
import {HelpOverlay} from './help-overlay.js';
import {keyHelp, type KeyHelp} from './key-help.js';
import {QuitConfirm} from './quit-confirm.js';
import {StepScreen} from './step-screen.js';
import {finishedSteps, type FinishedStep} from './step-summary.js';
import {useKeys, useKeysAvailable, type ScreenKeys} from './use-keys.js';
import {useSyncState} from './use-sync-state.js';

export type AppProps = {
	state: RunState;
	/** Wall-clock ms for elapsed/ETA displays; live runs pass a ticking clock, replay passes state.now. */
	now: number;
	/** Called with operator.* events only. */
	onDecision: (event: RunEvent) => void;
	/** Asked to leave (after the operator confirmed, when a run is in progress). */
	onQuit: () => void;
	/** false in replay: no decisions are taken. */
	interactive: boolean;
	/** Where the change record is written, for the summary. */
	recordPath?: string;
	/** Keys the help lists instead of the current screen's (replay has its own). */
	helpKeys?: KeyHelp;
	/** In a run over several databases: which one `state` is, among the others (see activeView). */
	leg?: LegView | null;
};

/** Whether a text field has the keyboard, and whether it is empty (then `?` still opens the help). */
type Typing = false | 'empty' | 'text';

/** The key line under the screen: while typing, `q` and `?` are text, so it says how to reach the keys. */
function keyLine(step: RunState['step'], typing: Typing): string {
	if (typing === false) {
		return '? keys · q leave';
	}

	const help = typing === 'empty' ? '? or F1 keys' : 'F1 keys';
	return step === 'window' ? `Tab checklist (space ticks) · Enter continue · ${help} · Ctrl-C leave` : `${help} · Ctrl-C leave`;
}

/** While the observation period runs, `e` ends it (the observation view's key), not the errors overlay. */
const observing = (state: RunState) => state.step === 'post' && state.observation !== null && state.observation.finished === null;

/** Widest the screens draw, even on a wide terminal: long lines are harder to scan than short ones. */
const MAX_WIDTH = 120;

/** The root: a header, finished steps above in <Static>, and the screen of the current step. */
export function App(props: AppProps) {
	const {state, interactive} = props;
	const {stdout} = useStdout();
	const width = Math.min(MAX_WIDTH, stdout.columns > 0 ? stdout.columns : 80);
	const [help, setHelp, getHelp] = useSyncState(false);
	const [confirmQuit, setConfirmQuit, getConfirmQuit] = useSyncState(false);
	// Every error whole: the screens cut them to a line to fit 24 rows, and say `e` shows them.
	const [errorsShown, setErrorsShown, getErrorsShown] = useSyncState(false);
	const [typing, setTypingState, getTyping] = useSyncState<Typing>(false);
	const setTyping = useCallback((on: boolean, fieldEmpty = false) => {
		setTypingState(on ? (fieldEmpty ? 'empty' : 'text') : false);
	}, [setTypingState]);
	const keysAvailable = useKeysAvailable();
	const leg = props.leg ?? null;
	// In a run over several databases, one that is done is not the run done.
	const inProgress = (leg === null ? state.outcome === null : leg.runOutcome === null) && interactive;

	const quit = () => {
		if (inProgress) {
			setConfirmQuit(true);
		} else {
			props.onQuit();
		}
	};

	useKeys((input, key) => {
		if (getConfirmQuit()) {
			if (input === 'y' || input === 'Y') {
				setConfirmQuit(false);
				props.onQuit();
			} else if (input === 'n' || input === 'N' || key.escape) {
				setConfirmQuit(false);
			}

			return;
		}

		if (key.ctrl && input === 'c') {
			quit();
			return;
		}

		// F1 always, and `?` unless it is text being typed (a field with something in it).
		if (key.f1 || (input === '?' && (getHelp() || getTyping() !== 'text'))) {
			setHelp(!getHelp());
		} else if (getHelp() && key.escape) {
			setHelp(false);
		} else if (getErrorsShown() && (key.escape || input === 'e')) {
			setErrorsShown(false);
		} else if (input === 'e' && getTyping() === false && !getHelp() && !observing(state)) {
			setErrorsShown(true);
		} else if (input === 'q' && getTyping() === false) {
			quit();
		}
	}, {isActive: true});

	// Screens must only ever see operator decisions, and none at all in replay.
	const {onDecision} = props;
	const decide = useCallback((event: RunEvent) => {
		if (interactive && event.type.startsWith('operator.')) {
			onDecision(event);
		}
	}, [interactive, onDecision]);
	const overlay = help || errorsShown;
	const keys: ScreenKeys = {active: keysAvailable && !overlay && !confirmQuit, interactive, setTyping};
	const rows = stdout.rows > 0 ? stdout.rows : 24;
	// What the screen may draw without the top of the live frame leaving the terminal: all but header, key line and the cursor's line.
	const height = rows - (state.lockLost === null ? 1 : 2) - (keysAvailable ? 1 : 0) - 1;

	return (
		<>
			<Static items={useFinished(state, width, leg?.name ?? null)}>
				{item => <Text key={item.id}>{item.line}</Text>}
			</Static>
			<Box flexDirection='column' width={width}>
				<Header state={state} width={width} leg={leg}/>
				{help ? <HelpOverlay keys={props.helpKeys ?? keyHelp(state.step)} width={width}/> : null}
				{errorsShown && !help ? <ErrorsOverlay errors={state.errors} failed={state.migrations} width={width}/> : null}
				{/* Hidden, not unmounted, under the help: a half-typed name or a selection survives a look at the keys. */}
				<Box display={overlay ? 'none' : 'flex'} flexDirection='column'>
					{/* Keyed by database: a name half typed at one database's window is not carried to the next one's. */}
					<StepScreen key={leg?.name ?? ''} state={state} now={props.now} width={width} height={height} keys={keys} onDecision={decide} recordPath={props.recordPath} leg={leg}/>
				</Box>
				{confirmQuit ? <QuitConfirm/> : null}
				{keysAvailable && !confirmQuit && !overlay ? <Text dimColor>{keyLine(state.step, typing)}</Text> : null}
			</Box>
		</>
	);
}

/**
 * <Static> prints each item once and only looks at new ones at the end of the list,
 * so finished steps are kept in the order they were first seen.
 */
function useFinished(state: RunState, width: number, database: string | null): FinishedStep[] {
	const seen = useRef<FinishedStep[]>([]);
	// Each database's steps under its name: the same step of the next database is a line of its own.
	const steps = database === null ? finishedSteps(state, width) : finishedSteps(state, width - database.length - 3).map(step => ({id: `${database}:${step.id}`, line: `[${database}] ${step.line}`}));
	const fresh = steps.filter(step => !seen.current.some(s => s.id === step.id));
	if (fresh.length > 0) {
		seen.current = [...seen.current, ...fresh];
	}

	return seen.current;
}
