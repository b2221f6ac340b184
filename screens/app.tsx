import {Box, Static, Text, useStdout} from 'ink';
import {useCallback, useRef} from 'react';
import type {RunEvent, StepId} from '../source/engine/events.js';
import {unresolvedBlockers, upgradeGate, windowGate} from '../source/engine/gates.js';
import type {RunState} from '../source/engine/state.js';
import {BackupScreen} from './backup-screen.js';
import {ChecksScreen} from './checks-screen.js';
import {Header} from './header.js';
import {HelpOverlay} from './help-overlay.js';
import {keyHelp} from './key-help.js';
import {PostScreen} from './post-screen.js';
import {QuitConfirm} from './quit-confirm.js';
import {RollbackScreen} from './rollback-screen.js';
import {finishedSteps, type FinishedStep} from './step-summary.js';
import {SummaryScreen} from './summary-screen.js';
import {UpgradeScreen} from './upgrade-screen.js';
import {useKeys, useKeysAvailable, type ScreenKeys} from './use-keys.js';
import {useSyncState} from './use-sync-state.js';
import {WindowScreen} from './window-screen.js';

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
};

/** Widest the screens draw, even on a wide terminal: long lines are harder to scan than short ones. */
const MAX_WIDTH = 120;

/** The root: a header, finished steps above in <Static>, and the screen of the current step. */
export function App(props: AppProps) {
	const {state, interactive} = props;
	const {stdout} = useStdout();
	const width = Math.min(MAX_WIDTH, stdout.columns > 0 ? stdout.columns : 80);
	const [help, setHelp, getHelp] = useSyncState(false);
	const [confirmQuit, setConfirmQuit, getConfirmQuit] = useSyncState(false);
	const [typing, setTyping, getTyping] = useSyncState(false);
	const keysAvailable = useKeysAvailable();
	const inProgress = state.outcome === null && interactive;

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

		if (getTyping()) {
			return;
		}

		if (input === '?') {
			setHelp(!getHelp());
		} else if (getHelp() && key.escape) {
			setHelp(false);
		} else if (input === 'q') {
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
	const keys: ScreenKeys = {active: keysAvailable && !help && !confirmQuit, interactive, setTyping};

	return (
		<>
			<Static items={useFinished(state, width)}>
				{item => <Text key={item.id}>{item.line}</Text>}
			</Static>
			<Box flexDirection='column' width={width}>
				<Header state={state} width={width}/>
				{help
					? <HelpOverlay keys={keyHelp(state.step)} width={width}/>
					: <Screen state={state} now={props.now} width={width} keys={keys} onDecision={decide} recordPath={props.recordPath}/>}
				{confirmQuit ? <QuitConfirm/> : null}
				{keysAvailable && !confirmQuit && !help ? <Text dimColor>{typing ? 'Ctrl-C leave' : '? keys · q leave'}</Text> : null}
			</Box>
		</>
	);
}

/**
 * <Static> prints each item once and only looks at new ones at the end of the list,
 * so finished steps are kept in the order they were first seen.
 */
function useFinished(state: RunState, width: number): FinishedStep[] {
	const seen = useRef<FinishedStep[]>([]);
	const fresh = finishedSteps(state, width).filter(step => !seen.current.some(s => s.id === step.id));
	if (fresh.length > 0) {
		seen.current = [...seen.current, ...fresh];
	}

	return seen.current;
}

type ScreenProps = {
	state: RunState;
	now: number;
	width: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
	recordPath: string | undefined;
};

const errorsOf = (state: RunState, ...steps: StepId[]) => state.errors.filter(e => steps.includes(e.step)).map(e => e.message);

function Screen({state, now, width, keys, onDecision, recordPath}: ScreenProps) {
	switch (state.step) {
		case 'window': {
			return (
				<WindowScreen
					fingerprint={state.fingerprint}
					plan={state.plan}
					window={state.window}
					commands={state.commands}
					status={state.steps.window.status}
					errors={errorsOf(state, 'window')}
					gate={typed => windowGate(state, typed)}
					now={now}
					width={width}
					keys={keys}
					onDecision={onDecision}
				/>
			);
		}

		case 'backup':
		case 'verify': {
			return (
				<BackupScreen
					engine={state.fingerprint?.engine ?? null}
					backup={state.backup}
					verification={state.verification}
					backupStatus={state.steps.backup.status}
					verifyStatus={state.steps.verify.status}
					errors={errorsOf(state, 'backup', 'verify')}
					now={now}
					width={width}
				/>
			);
		}

		case 'pre': {
			return (
				<ChecksScreen
					phase='pre'
					checks={state.checks.filter(c => c.phase === 'pre')}
					overrides={state.overrides}
					status={state.steps.pre.status}
					awaitingProceed={state.baseline !== null && state.steps.pre.status === 'running'}
					gate={() => upgradeGate(state)}
					blockers={unresolvedBlockers(state).map(c => c.id)}
					errors={errorsOf(state, 'pre')}
					width={width}
					keys={keys}
					onDecision={onDecision}
				/>
			);
		}

		case 'upgrade': {
			const ups = state.migrations.filter(m => m.direction === 'up');
			const failedNames = ups.filter(m => m.status === 'failed').map(m => `${m.name}: `);
			return (
				<UpgradeScreen
					migrations={ups}
					status={state.steps.upgrade.status}
					errors={errorsOf(state, 'upgrade').filter(message => !failedNames.some(prefix => message.startsWith(prefix)))}
					now={now}
					width={width}
				/>
			);
		}

		case 'post': {
			return (
				<PostScreen
					checks={state.checks.filter(c => c.phase === 'post')}
					overrides={state.overrides}
					status={state.steps.post.status}
					diff={state.post?.diff ?? null}
					errors={errorsOf(state, 'post')}
					width={width}
					keys={keys}
					onDecision={onDecision}
				/>
			);
		}

		case 'rollback': {
			return (
				<RollbackScreen
					rollback={state.rollback}
					downs={state.migrations.filter(m => m.direction === 'down')}
					errors={errorsOf(state, 'rollback')}
					now={now}
					width={width}
					keys={keys}
					onDecision={onDecision}
				/>
			);
		}

		case 'summary': {
			return <SummaryScreen state={state} recordPath={recordPath} width={width}/>;
		}
	}
}
