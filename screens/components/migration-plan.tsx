import {Box, Text} from 'ink';
import type {MigrationPlan} from '../../source/engine/model.js';
import {fit, plural, shortHash, truncate} from '../format.js';

type Props = {
	plan: MigrationPlan;
	width: number;
	/** Pending migrations listed at most. */
	maxPending: number;
};

/** Applied migrations in short (drift in full, loudly), pending ones with their checksums. */
export function MigrationPlanLines({plan, width, maxPending}: Props) {
	const drifted = plan.applied.filter(m => m.drift !== 'none');
	const latest = plan.applied.at(-1);
	const pending = plan.pending.slice(0, maxPending);
	const nameWidth = Math.min(40, Math.max(0, ...pending.map(m => m.name.length)));
	return (
		<Box flexDirection='column'>
			<Text>{truncate(`Applied ${plural(plan.applied.length, 'migration')}${latest ? `, latest ${latest.name} (${shortHash(latest.checksum)})` : ''}`, width)}</Text>
			{drifted.map(m => (
				<Text key={m.name} bold color='red'>
					{truncate(`  ! DRIFT ${m.name}: ${m.drift === 'missing' ? 'its file is missing' : 'its file changed since it was applied'} (applied ${shortHash(m.checksum)})`, width)}
				</Text>
			))}
			<Text>{plan.pending.length === 0 ? 'Pending: none, nothing to upgrade' : `Pending ${plural(plan.pending.length, 'migration')}:`}</Text>
			{pending.map(m => (
				<Text key={m.name}>
					{truncate(`  · ${fit(m.name, nameWidth)}  ${shortHash(m.checksum)}${m.reversible ? '' : '  irreversible (no down)'}${m.wrapperAbsorbed === true ? '  (BEGIN/COMMIT wrapper absorbed)' : ''}`, width)}
				</Text>
			))}
			{plan.pending.length > pending.length ? <Text dimColor wrap='wrap'>{hiddenLine(plan, pending.length)}</Text> : null}
		</Box>
	);
}

function hiddenLine(plan: MigrationPlan, shown: number): string {
	const hidden = plan.pending.slice(shown);
	const irreversible = hidden.filter(m => !m.reversible).length;
	return `  …and ${hidden.length} more${irreversible > 0 ? `, ${irreversible} of them irreversible (no down)` : ''} · p: whole plan`;
}
