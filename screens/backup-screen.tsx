import {Box, Text} from 'ink';
import type {BackupArtifact, BackupVerification, Engine} from '../source/engine/model.js';
import type {RunState, StepStatus} from '../source/engine/state.js';
import {progressBar} from './components/progress-bar.js';
import {StepErrors} from './components/step-errors.js';
import {formatBytes, formatDuration, shortHash, truncate} from './format.js';

export type BackupScreenProps = {
	engine: Engine | null;
	backup: RunState['backup'];
	verification: BackupVerification | null;
	backupStatus: StepStatus;
	verifyStatus: StepStatus;
	errors: string[];
	now: number;
	width: number;
};

/** Rate and time left from what has been written so far; null until there is enough to tell. */
export function estimate(bytes: number, estimatedBytes: number | undefined, elapsedMs: number): {bytesPerSecond: number | null; etaMs: number | null} {
	if (bytes <= 0 || elapsedMs <= 0) {
		return {bytesPerSecond: null, etaMs: null};
	}

	const perMs = bytes / elapsedMs;
	const etaMs = estimatedBytes === undefined ? null : Math.max(0, estimatedBytes - bytes) / perMs;
	return {bytesPerSecond: perMs * 1000, etaMs};
}

/** Time left if the rest goes at the pace so far; null until something is done. */
export function etaFromFraction(fraction: number, elapsedMs: number): number | null {
	if (fraction <= 0 || elapsedMs <= 0) {
		return null;
	}

	return fraction >= 1 ? 0 : (elapsedMs * (1 - fraction)) / fraction;
}

/** Backup and its verification: no key skips either. */
export function BackupScreen({engine, backup, verification, backupStatus, verifyStatus, errors, now, width}: BackupScreenProps) {
	if (!backup) {
		return (
			<Box flexDirection='column'>
				<Text>⟳ Starting the backup…</Text>
				<StepErrors messages={errors} width={width}/>
			</Box>
		);
	}

	const progress = backup.progress;
	const artifact = backup.artifact;
	const bytes = artifact?.bytes ?? progress?.bytes ?? 0;
	const elapsed = backup.durationMs ?? Math.max(0, now - backup.startedAt);
	const byData = progress?.dataTotal !== undefined && progress.dataTotal > 0 && progress.dataDone !== undefined;
	const rate = estimate(bytes, byData ? undefined : progress?.estimatedBytes, elapsed);
	const {bytesPerSecond} = rate;
	// pg_dump's own account (table data done of total) where the record has it; bytes written against the raw size otherwise.
	const fraction = artifact ? 1 : (byData ? (progress.dataDone ?? 0) / (progress.dataTotal ?? 1) : (progress?.estimatedBytes ? bytes / progress.estimatedBytes : 0));
	const etaMs = byData ? etaFromFraction(fraction, elapsed) : rate.etaMs;
	const counts = engine === 'sqlite' || progress?.pagesTotal !== undefined
		? (progress?.pagesTotal === undefined ? null : `pages ${progress.pagesDone ?? 0}/${progress.pagesTotal}`)
		: (progress?.tablesTotal === undefined ? null : `tables ${progress.tablesDone ?? 0}/${progress.tablesTotal}${byData && !artifact ? ` (~${Math.floor(fraction * 100)} % of the data)` : ''}`);
	const facts = [
		// Before pg_dump starts, the rows are counted table by table; a count can wait for a lock, so the table comes first.
		!artifact && backupStatus !== 'failed' && progress?.countingTable ? `counting rows of ${progress.countingTable}` : null,
		`${formatBytes(bytes)}${progress?.estimatedBytes && !artifact && !byData ? ` of ~${formatBytes(progress.estimatedBytes)}` : ''} written`,
		counts,
		// A parallel dump names every table in flight.
		!artifact && progress?.currentTable ? `${progress.currentTable.includes(', ') ? 'tables' : 'table'} ${progress.currentTable}` : null,
	].filter(f => f !== null);
	const timing = [
		bytesPerSecond === null ? null : `${formatBytes(bytesPerSecond)}/s`,
		`elapsed ${formatDuration(elapsed)}`,
		artifact || backup.error ? null : `ETA ${etaMs === null ? '–' : formatDuration(etaMs)}`,
	].filter(f => f !== null);
	return (
		<Box flexDirection='column'>
			<Text wrap='wrap'>{`Backup  ${backup.path}`}</Text>
			<Text>{truncate(`Method  ${backup.method}`, width)}</Text>
			<Text>{progressBar(fraction, Math.min(40, width - 8))}</Text>
			<Text>{truncate(facts.join(' · '), width)}</Text>
			<Text>{truncate(timing.join(' · '), width)}</Text>
			{artifact ? <Text>{truncate(`✓ Backup written: ${written(artifact)}`, width)}</Text> : null}
			{backup.error ? <Text color='red' wrap='wrap'>{`✗ Backup failed: ${backup.error}`}</Text> : null}
			<Verification verification={verification} status={verifyStatus} started={backupStatus === 'passed'} width={width}/>
			{backup.error ? <Text bold color='red'>✗ Upgrade blocked: there is no backup.</Text> : null}
			<StepErrors messages={errors} width={width}/>
		</Box>
	);
}

const MAX_ITEMS = 8;

function Verification({verification, status, started, width}: {verification: BackupVerification | null; status: StepStatus; started: boolean; width: number}) {
	if (!verification) {
		return started && status === 'running' ? <Text>⟳ Verifying the backup…</Text> : null;
	}

	// Failures always show; passed items fill what room is left.
	const failed = verification.items.filter(i => !i.ok);
	const passed = verification.items.filter(i => i.ok);
	const room = Math.max(0, MAX_ITEMS - failed.length);
	const shown = [...failed, ...passed.slice(0, passed.length > room ? room - 1 : room)];
	const hidden = verification.items.length - shown.length;

	return (
		<Box flexDirection='column' marginTop={1}>
			<Text bold>Verification</Text>
			{shown.map((item, i) => <Text key={i}>{truncate(`${item.ok ? '✓' : '✗'} ${item.name}  ${item.detail}`, width)}</Text>)}
			{hidden > 0 ? <Text dimColor>✓ …and {hidden} more ok</Text> : null}
			{verification.ok
				? <Text>✓ The backup verified.</Text>
				: <Text bold color='red'>✗ Upgrade blocked: the backup did not verify.</Text>}
		</Box>
	);
}

/** A file by its size and sha256; a directory also by its files and jobs, its sha256 being its manifest's. */
function written(artifact: BackupArtifact): string {
	const level = artifact.compression === undefined ? '' : artifact.compression.method === 'none' ? ', uncompressed' : `, ${artifact.compression.method} ${artifact.compression.level}`;
	return artifact.format === 'pg-directory'
		? `${formatBytes(artifact.bytes)} in ${artifact.files?.length ?? 0} files (${artifact.jobs ?? 1} jobs${level}), manifest ${shortHash(artifact.sha256)}…`
		: `${formatBytes(artifact.bytes)}, sha256 ${shortHash(artifact.sha256)}…${level}`;
}
