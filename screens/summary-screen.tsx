import {Box, Text} from 'ink';
import type {RunOutcome} from '../source/engine/events.js';
import {STEP_ORDER} from '../source/engine/events.js';
import type {ObservationState, RunState} from '../source/engine/state.js';
import type {LegView} from '../source/engine/databases.js';
import {PreflightLines} from './components/preflight-lines.js';
import {formatBytes, formatDuration, truncate} from './format.js';
import {STATUS_SYMBOL} from './step-summary.js';

export type SummaryScreenProps = {
	state: RunState;
	recordPath: string | undefined;
	width: number;
	/** A run over several databases: the run's outcome on top, a line per database, then this one's details. */
	leg?: LegView | null;
};

const OUTCOME: Record<RunOutcome, {symbol: string; text: string; color: string}> = {
	upgraded: {symbol: '✓', text: 'UPGRADED', color: 'green'},
	'upgraded-with-failures': {symbol: '!', text: 'UPGRADED WITH FAILED POST-CHECKS', color: 'yellow'},
	'rolled-back': {symbol: '↺', text: 'ROLLED BACK', color: 'yellow'},
	failed: {symbol: '✗', text: 'FAILED', color: 'red'},
	abandoned: {symbol: '–', text: 'ABANDONED', color: 'yellow'},
	'nothing-to-do': {symbol: '✓', text: 'NOTHING TO DO', color: 'green'},
	adopted: {symbol: '✓', text: 'HISTORY WRITTEN (NOTHING RUN)', color: 'green'},
};

const MAX_DECISIONS = 5;

/** The run's result: what the operator tells the change ticket. */
export function SummaryScreen({state, recordPath, width, leg = null}: SummaryScreenProps) {
	const shown = leg === null ? state.outcome : leg.runOutcome;
	const outcome = shown ? OUTCOME[shown] : {symbol: '⟳', text: 'IN PROGRESS', color: 'white'};
	const steps = STEP_ORDER.filter(id => id !== 'summary').map(id => {
		const step = state.steps[id];
		const took = step.startedAt !== null && step.finishedAt !== null ? ` ${formatDuration(step.finishedAt - step.startedAt)}` : '';
		// No-break spaces keep each step whole when the line wraps.
		return `${STATUS_SYMBOL[step.status]} ${id}${took}`.replaceAll(' ', '\u00A0');
	});
	const total = state.startedAt !== null && state.finishedAt !== null ? ` in ${formatDuration(state.finishedAt - state.startedAt)}` : '';
	const artifact = state.backup?.artifact;
	const decisions = state.decisions.slice(-MAX_DECISIONS);
	const errors = state.errors.slice(-3);
	const rollbackFailed = state.rollback?.result?.ok === false && state.rollback.choice !== null ? {choice: state.rollback.choice, detail: state.rollback.result.detail} : null;
	return (
		<Box flexDirection='column'>
			<Box borderStyle='double' paddingX={2} alignSelf='flex-start'>
				<Text bold color={outcome.color}>{truncate(`${outcome.symbol} ${outcome.text}${total}`, width - 6)}</Text>
			</Box>
			{leg === null ? null : <DatabaseLines leg={leg} width={width}/>}
			<Text>{truncate(`${leg === null ? 'Schema  ' : `${leg.name}:`} ${state.versionBefore ?? '(empty)'} → ${state.versionAfterUnknown === null ? state.versionAfter ?? '(empty)' : '(unknown: could not be read)'}`, width)}</Text>
			{state.maintenanceLeftOn === null ? null : <Text color='yellow'>{truncate(`Maint.   left on: ${state.maintenanceLeftOn}`, width)}</Text>}
			{/* Whole, not cut: a failed way back says what is left over and what to do (a checked downgrade: which backup to restore). */}
			{rollbackFailed ? <Box width={width}><Text color='red' wrap='wrap'>{`Rollback ${rollbackFailed.choice} failed: ${rollbackFailed.detail}`}</Text></Box> : null}
			<Box>
				<Box width={9} flexShrink={0}><Text>Steps</Text></Box>
				<Box flexShrink={1}><Text>{steps.join('  ')}</Text></Box>
			</Box>
			{/* Paths whole, wrapped under their label: the operator copies them into the ticket. */}
			<Labelled label='Backup' width={width}>{artifact ? `${formatBytes(artifact.bytes)} · ${artifact.path}` : (state.backup?.error ? 'failed:' : 'none')}</Labelled>
			{/* Whole, not cut: it says who holds the lock, or what else stopped the backup, and what to do. */}
			{!artifact && state.backup?.error ? <Box paddingLeft={2} width={width}><Text color='red' wrap='wrap'>{state.backup.error}</Text></Box> : null}
			{/* The whole digest fits in 80 columns on a line of its own, and operators paste it into tickets. */}
			{artifact ? <Text>{truncate(`         sha256 ${artifact.sha256}`, width)}</Text> : null}
			{state.observation === null ? null : <Text>{truncate(`Observed ${observedLine(state.observation)}`, width)}</Text>}
			<Text>Decisions{state.decisions.length > decisions.length ? ` (last ${decisions.length} of ${state.decisions.length})` : ''}:</Text>
			{decisions.length === 0 ? <Text dimColor>  none</Text> : null}
			{decisions.map(d => <Text key={d.seq}>{truncate(`  · ${d.summary}`, width)}</Text>)}
			{/* A run stopped before the window: what to fix, in full. */}
			{state.preflight?.some(i => !i.ok) ? <PreflightLines items={state.preflight.filter(i => !i.ok)} width={width}/> : null}
			{errors.length > 0 ? <Text>Errors{state.errors.length > errors.length ? ` (last ${errors.length} of ${state.errors.length})` : ''}:</Text> : null}
			{/* The last error whole (it usually says what to do), the earlier ones cut to a line. */}
			{errors.map((e, i) => i === errors.length - 1
				? <Box key={i} width={width}><Text color='red' wrap='wrap'>{`  ✗ ${e.step}: ${e.message}`}</Text></Box>
				: <Text key={i} color='red'>{truncate(`  ✗ ${e.step}: ${e.message}`.replaceAll('\n', ' '), width)}</Text>)}
			{state.errors.length > 1 ? <Text dimColor>  e shows every error whole</Text> : null}
			<Labelled label='Record' width={width}>{recordPath ?? 'not written'}</Labelled>
		</Box>
	);
}

/** Every database of the run: where it ended, at which version; and whether the versions agree. */
function DatabaseLines({leg, width}: {leg: LegView; width: number}) {
	const versions = leg.versions;
	return (
		<Box flexDirection='column'>
			{leg.all.map(d => (
				<Text key={d.name} color={d.outcome === null ? 'white' : OUTCOME[d.outcome].color}>
					{truncate(`  ${d.outcome === null ? '⟳' : OUTCOME[d.outcome].symbol} ${d.name}: ${d.outcome === null ? `at ${d.step}` : OUTCOME[d.outcome].text.toLowerCase()}${d.version === null ? '' : ` · ${d.version}`}`, width)}
				</Text>
			))}
			{versions === null ? null : (
				<Box width={width}>
					<Text color={versions.consistent ? 'green' : 'red'} wrap='wrap'>{versions.consistent ? '  versions consistent' : `  VERSIONS INCONSISTENT: ${versions.problems.join('; ')}`}</Text>
				</Box>
			)}
		</Box>
	);
}

/** A label in a column of its own and a value wrapped beside it (a path breaks where it must), never cut. */
function Labelled({label, width, children}: {label: string; width: number; children: string}) {
	return (
		<Box width={width}>
			<Box width={9} flexShrink={0}><Text>{label}</Text></Box>
			<Box flexShrink={1}><Text wrap='wrap'>{children}</Text></Box>
		</Box>
	);
}

/** The observation period in one line: how long, how it ended, and what crossed its thresholds. */
function observedLine(observation: ObservationState): string {
	const end = observation.finished === null ? 'still observing' : observation.finished.reason.replace('-', ' ');
	const breaches = observation.breaches.length === 0
		? 'no breach'
		: `${grouped(observation.breaches.map(b => `${b.name} ${b.level}`))}`;
	return `${formatDuration(observation.observedMs)}, ${end} · ${breaches}`;
}

/** "connections alert ×4, lock-wait warn" in the order first seen. */
function grouped(items: readonly string[]): string {
	const counts = new Map<string, number>();
	for (const item of items) {
		counts.set(item, (counts.get(item) ?? 0) + 1);
	}

	return [...counts].map(([item, count]) => count === 1 ? item : `${item} ×${count}`).join(', ');
}
