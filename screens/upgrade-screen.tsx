import {Box, Text} from 'ink';
import type {MigrationRow, StepStatus} from '../source/engine/state.js';
import {MigrationRows} from './components/migration-rows.js';
import {StepErrors} from './components/step-errors.js';
import {plural} from './format.js';

export type UpgradeScreenProps = {
	/** The up migrations of this run. */
	migrations: MigrationRow[];
	status: StepStatus;
	/** Errors of the step other than a migration's own failure, which its row already shows. */
	errors: string[];
	now: number;
	width: number;
};

/** Migrations applied one after another, each a live row. Nothing to press. */
export function UpgradeScreen({migrations, status, errors, now, width}: UpgradeScreenProps) {
	const done = migrations.filter(m => m.status === 'done').length;
	const heading = status === 'running'
		? `⟳ Applying ${plural(migrations.length, 'migration')}: ${done} done`
		: (status === 'passed' ? `✓ ${plural(done, 'migration')} applied` : `✗ Upgrade stopped: ${done} of ${migrations.length} applied`);
	return (
		<Box flexDirection='column'>
			<Text bold>{heading}</Text>
			<MigrationRows rows={migrations} now={now} width={width} maxRows={12}/>
			<StepErrors messages={errors} width={width}/>
		</Box>
	);
}
