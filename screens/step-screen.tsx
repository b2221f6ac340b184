import type {RunEvent, StepId} from '../source/engine/events.js';
import {lintToAcknowledge, unresolvedBlockers, upgradeGate, windowGate} from '../source/engine/gates.js';
import type {RunState} from '../source/engine/state.js';
import type {LegView} from '../source/engine/databases.js';
import {BackupScreen} from './backup-screen.js';
import {ChecksScreen} from './checks-screen.js';
import {PostScreen} from './post-screen.js';
import {RollbackScreen} from './rollback-screen.js';
import {SummaryScreen} from './summary-screen.js';
import {UpgradeScreen} from './upgrade-screen.js';
import type {ScreenKeys} from './use-keys.js';
import {WindowScreen} from './window-screen.js';
import {expectedChanges} from '../source/engine/expected-changes.js';

export type StepScreenProps = {
	state: RunState;
	now: number;
	width: number;
	/** Rows the screen may use below the header and above the key line. */
	height: number;
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
	recordPath: string | undefined;
	leg?: LegView | null;
};

const errorsOf = (state: RunState, ...steps: StepId[]) => state.errors.filter(e => steps.includes(e.step)).map(e => e.message);

/** The screen of the current step, given its slice of the state and the gates bound to it. */
export function StepScreen({state, now, width, height, keys, onDecision, recordPath, leg = null}: StepScreenProps) {
	switch (state.step) {
		case 'window': {
			return (
				<WindowScreen
					fingerprint={state.fingerprint}
					plan={state.plan}
					preflight={state.preflight}
					window={state.window}
					commands={state.commands}
					status={state.steps.window.status}
					errors={errorsOf(state, 'window')}
					gate={typed => windowGate(state, typed)}
					runbook={{checklist: state.checklist, migrationsDir: state.migrationsDir}}
					history={state.history}
					lint={state.lint === null ? null : {...state.lint, toAcknowledge: lintToAcknowledge(state)}}
					lockImpact={state.lockImpact}
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
					planned={state.window?.checks?.pre ?? null}
					awaitingProceed={state.baseline !== null && state.steps.pre.status === 'running'}
					gate={() => upgradeGate(state)}
					blockers={unresolvedBlockers(state).map(c => c.id)}
					errors={errorsOf(state, 'pre')}
					width={width}
					keys={keys}
					onDecision={onDecision}
					running={state.runningCheck?.phase === 'pre' ? state.runningCheck : null}
					now={now}
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
					locks={state.lockSample}
					backendActions={state.backendActions}
					history={state.history}
					invalidIndexes={state.invalidIndexes}
					keys={keys}
					onDecision={onDecision}
				/>
			);
		}

		case 'post': {
			return (
				<PostScreen
					checks={state.checks.filter(c => c.phase === 'post')}
					overrides={state.overrides}
					status={state.steps.post.status}
					planned={state.window?.checks?.post ?? null}
					diff={state.post?.diff ?? null}
					snapshots={state.snapshots}
					expected={expectedChanges(state)}
					observation={state.observation}
					errors={errorsOf(state, 'post')}
					width={width}
					keys={keys}
					onDecision={onDecision}
					running={state.runningCheck?.phase === 'post' ? state.runningCheck : null}
					now={now}
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
					height={height}
					keys={keys}
					onDecision={onDecision}
				/>
			);
		}

		case 'summary': {
			return <SummaryScreen state={state} recordPath={recordPath} width={width} leg={leg}/>;
		}
	}
}
