import {Box, Text} from 'ink';
import {describeFolder, describeSkipped} from '../../source/engine/folder-note.js';
import type {MigrationPlan} from '../../source/engine/model.js';
import {fit, plural, shortHash, truncate, truncateStart} from '../format.js';

type Props = {
	plan: MigrationPlan;
	width: number;
	/** Pending migrations listed at most. */
	maxPending: number;
	/** Where the migrations were read (run.started), named with the format read. */
	directory?: string | null;
	/** The target's engine, to say where skipped migrations were skipped. */
	engine?: string | null;
	/** A short terminal: the folder's lines are cut to one each (the folder from its start), not wrapped. */
	compact?: boolean;
};

/** `Migrations: <dir> · <format>`, on one line when compact: the folder's end and the format stay. */
export function folderLine(directory: string | null, folder: string, width: number, compact: boolean): string {
	if (!compact || directory === null) {
		const line = `Migrations: ${directory === null ? '' : `${directory} · `}${folder}`;
		return compact ? truncate(line, width) : line;
	}

	const rest = ` · ${folder}`;
	const room = width - 'Migrations: '.length - rest.length;
	return room >= 12 ? `Migrations: ${truncateStart(directory, room)}${rest}` : truncate(`Migrations: ${directory}${rest}`, width);
}

/** Applied migrations in short (drift in full, loudly), pending ones with their checksums. */
export function MigrationPlanLines({plan, width, maxPending, directory = null, engine = null, compact = false}: Props) {
	const folder = describeFolder(plan);
	const skipped = describeSkipped(plan, engine);
	const drifted = plan.applied.filter(m => m.drift !== 'none');
	const latest = plan.applied.at(-1);
	const pending = plan.pending.slice(0, maxPending);
	const nameWidth = Math.min(40, Math.max(0, ...pending.map(m => m.name.length)));
	return (
		<Box flexDirection='column'>
			{folder === null ? null : <Text wrap='wrap'>{folderLine(directory, folder, width, compact)}</Text>}
			{skipped === null ? null : <Text wrap='wrap'>{compact ? truncate(`  ${skipped}`, width) : `  ${skipped}`}</Text>}
			<Text>{truncate(`Applied ${plural(plan.applied.length, 'migration')}${latest ? `, latest ${latest.name} (${shortHash(latest.checksum)})` : ''}`, width)}</Text>
			{drifted.map(m => (
				<Text key={m.name} bold color='red'>
					{truncate(`  ! DRIFT ${m.name}: ${m.drift === 'missing' ? 'its file is missing' : 'its file changed since it was applied'} (applied ${shortHash(m.checksum)})`, width)}
				</Text>
			))}
			<Text>{plan.pending.length === 0 ? 'Pending: none, nothing to upgrade' : `Pending ${plural(plan.pending.length, 'migration')}:`}</Text>
			{pending.map(m => (
				<Text key={m.name}>
					{truncate(`  · ${fit(m.name, nameWidth)}  ${shortHash(m.checksum)}${m.reversible ? '' : '  irreversible (no down)'}${m.wrapperAbsorbed === true ? '  (BEGIN/COMMIT wrapper absorbed)' : ''}${m.noTransaction ? `  no transaction${m.noTransaction.notRetrySafe.length > 0 ? ` (${m.noTransaction.notRetrySafe.length} not safe to retry)` : ''}` : ''}`, width)}
				</Text>
			))}
			{plan.pending.length > pending.length ? <Text dimColor wrap='wrap'>{hiddenLine(plan, pending.length, compact)}</Text> : null}
		</Box>
	);
}

/** The line that stands for the pending migrations not listed. */
export function hiddenLine(plan: MigrationPlan, shown: number, compact = false): string {
	const hidden = plan.pending.slice(shown);
	const irreversible = hidden.filter(m => !m.reversible).length;
	const note = irreversible === 0 ? '' : (compact ? ` (${irreversible} irreversible)` : `, ${irreversible} of them irreversible (no down)`);
	return `  …and ${hidden.length} more${note} · p: whole plan`;
}
