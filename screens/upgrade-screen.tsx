import {Box, Text} from 'ink';
import type {RunEvent} from '../source/engine/events.js';
import {estimateUpgrade, type UpgradeEstimate} from '../source/engine/eta.js';
import type {ExpectedDuration, LockSample} from '../source/engine/model.js';
import type {BackendAction, InvalidIndexes, MigrationRow, StepStatus} from '../source/engine/state.js';
import {BackendActionLog} from './backend-actions/backend-action-log.js';
import {LockActions} from './backend-actions/lock-actions.js';
import {InvalidIndexQuestion} from './components/invalid-index-question.js';
import {MigrationRows} from './components/migration-rows.js';
import {StepErrors} from './components/step-errors.js';
import {formatDuration, plural, truncate} from './format.js';
import type {ScreenKeys} from './use-keys.js';

export type UpgradeScreenProps = {
	/** The up migrations of this run. */
	migrations: MigrationRow[];
	status: StepStatus;
	/** Errors of the step other than a migration's own failure, which its row already shows. */
	errors: string[];
	now: number;
	width: number;
	/** Who waited for locks at the last sample (PostgreSQL runs only), and when it was taken. */
	locks: (LockSample & {at?: number}) | null;
	/** Sessions the operator cancelled or terminated in this run, with the server's answers. */
	backendActions: BackendAction[];
	keys: ScreenKeys;
	onDecision: (event: RunEvent) => void;
	/** What earlier runs took for the same migrations (state.history). */
	history?: ExpectedDuration[];
	/** INVALID indexes found before a migration outside a transaction runs again (state.invalidIndexes). */
	invalidIndexes?: InvalidIndexes | null;
};

/** What the estimate rests on, short: the heading should fit one line at 80 columns. */
const BASIS = {history: 'earlier runs', 'so-far': 'this run', both: 'earlier runs + this run'} as const;

/** Migrations applied one after another, each a live row. Keys only act on sessions in the lock watch. */
export function UpgradeScreen({migrations, status, errors, now, width, locks, backendActions, keys, onDecision, history = [], invalidIndexes = null}: UpgradeScreenProps) {
	const retrying = migrations.filter(m => m.status === 'running' && m.retry !== null);
	const done = migrations.filter(m => m.status === 'done').length;
	const heading = status === 'running'
		? runningHeading(estimateUpgrade(migrations, history, now))
		: (status === 'passed' ? `✓ ${plural(done, 'migration')} applied` : `✗ Upgrade stopped: ${done} of ${migrations.length} applied`);
	return (
		<Box flexDirection='column'>
			<Text bold wrap='wrap'>{heading}</Text>
			<MigrationRows rows={migrations} now={now} width={width} maxRows={12}/>
			{retrying.map(m => m.retry && (
				<Text key={m.name} color='yellow'>
					{truncate(`  ! attempt ${m.retry.attempt} of ${m.retry.maxAttempts} timed out waiting for a lock; next try in ${formatDuration(m.retry.waitMs)}`, width)}
				</Text>
			))}
			{status === 'running' || invalidIndexes?.drop === false ? <InvalidIndexQuestion found={invalidIndexes} width={width} keys={keys} onDecision={onDecision}/> : null}
			{status === 'running' && locks !== null && <LockActions sample={agedSample(locks, now)} width={width} keys={keys} onDecision={onDecision}/>}
			<BackendActionLog actions={backendActions} width={width}/>
			<StepErrors messages={errors} width={width}/>
		</Box>
	);
}

function runningHeading(estimate: UpgradeEstimate): string {
	const eta = estimate.remainingMs === null || estimate.basis === null ? '' : ` · about ${formatDuration(estimate.remainingMs)} left (${BASIS[estimate.basis]})`;
	return `⟳ Applying migrations: ${estimate.done}/${estimate.total} done (${estimate.percent} %)${eta}`;
}

/**
 * The sample as of `now`: every waiter has waited since the sample was taken too. Samples are
 * journaled only when the picture changes, so without this the ages would stand still for
 * seconds; live, `now` ticks; in replay it is the replay clock.
 */
export function agedSample(sample: LockSample & {at?: number}, now: number): LockSample {
	const age = sample.at === undefined ? 0 : Math.max(0, now - sample.at);
	return age === 0 ? sample : {...sample, waiters: sample.waiters.map(w => ({...w, waitingMs: w.waitingMs + age}))};
}
