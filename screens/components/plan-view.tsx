import {Box, Text} from 'ink';
import type {ExpectedDuration, MigrationPlan} from '../../source/engine/model.js';
import {formatDuration, shortHash, truncate} from '../format.js';

/** Every line of the plan: the applied history, then each pending migration, none left out. */
export function planLines(plan: MigrationPlan, history: readonly ExpectedDuration[]): string[] {
	const past = new Map(history.map(h => [h.name, h]));
	return [
		`Applied (${plan.applied.length}):`,
		...(plan.applied.length === 0 ? ['  none'] : plan.applied.map(m => `  ✓ ${m.name}  ${shortHash(m.checksum)}  ${m.appliedAt} by ${m.appliedBy}${m.drift === 'none' ? '' : `  DRIFT: ${m.drift}`}`)),
		`Pending (${plan.pending.length}):`,
		...(plan.pending.length === 0 ? ['  none'] : plan.pending.map((m, i) => {
			const took = past.get(m.name);
			return `  ${String(i + 1).padStart(String(plan.pending.length).length)}. ${m.name}  ${shortHash(m.checksum)}${m.reversible ? '' : '  irreversible (no down)'}${m.noTransaction ? `  no transaction${m.noTransaction.notRetrySafe.length > 0 ? `; not safe to retry: ${m.noTransaction.notRetrySafe.map(u => `${u.index}: ${u.why}`).join('; ')}` : ''}` : ''}${took ? `  took ${formatDuration(took.durationMs)} before` : ''}`;
		})),
	];
}

type Props = {lines: string[]; first: number; height: number; width: number};

/** A page of the plan's lines from `first`; the caller moves `first` with the keys. */
export function PlanView({lines, first, height, width}: Props) {
	const start = clampFirst(first, lines.length, height);
	const end = Math.min(lines.length, start + height);
	return (
		<Box flexDirection='column'>
			<Text bold>{truncate(`Whole plan · lines ${start + 1}–${end} of ${lines.length} · ↑ ↓ PgUp PgDn · Esc or p back`, width)}</Text>
			{lines.slice(start, end).map((line, i) => <Text key={start + i}>{truncate(line, width)}</Text>)}
		</Box>
	);
}

export const clampFirst = (first: number, length: number, height: number): number => Math.max(0, Math.min(first, length - height));
