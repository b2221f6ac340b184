import {Box, Text} from 'ink';
import type {LockSample} from '../source/engine/model.js';
import type {MigrationRow, StepStatus} from '../source/engine/state.js';
import {CompactLockWaits} from './watch/compact-lock-waits.js';
import {MigrationRows} from './components/migration-rows.js';
import {StepErrors} from './components/step-errors.js';
import {formatDuration, plural, truncate} from './format.js';

export type UpgradeScreenProps = {
	/** The up migrations of this run. */
	migrations: MigrationRow[];
	status: StepStatus;
	/** Errors of the step other than a migration's own failure, which its row already shows. */
	errors: string[];
	now: number;
	width: number;
	/** Who waited for locks at the last sample (PostgreSQL runs only). */
	locks: LockSample | null;
};

/** Migrations applied one after another, each a live row. Nothing to press. */
export function UpgradeScreen({migrations, status, errors, now, width, locks}: UpgradeScreenProps) {
	const retrying = migrations.filter(m => m.status === 'running' && m.retry !== null);
	const done = migrations.filter(m => m.status === 'done').length;
	const heading = status === 'running'
		? `⟳ Applying ${plural(migrations.length, 'migration')}: ${done} done`
		: (status === 'passed' ? `✓ ${plural(done, 'migration')} applied` : `✗ Upgrade stopped: ${done} of ${migrations.length} applied`);
	return (
		<Box flexDirection='column'>
			<Text bold>{heading}</Text>
			<MigrationRows rows={migrations} now={now} width={width} maxRows={12}/>
			{retrying.map(m => m.retry && (
				<Text key={m.name} color='yellow'>
					{truncate(`  ! attempt ${m.retry.attempt} of ${m.retry.maxAttempts} timed out waiting for a lock; next try in ${formatDuration(m.retry.waitMs)}`, width)}
				</Text>
			))}
			{status === 'running' && locks !== null && <CompactLockWaits sample={locks} width={width}/>}
			<StepErrors messages={errors} width={width}/>
		</Box>
	);
}
