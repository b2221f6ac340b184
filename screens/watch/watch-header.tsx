import {Box, Text} from 'ink';
import {countSessions} from '../../source/watch/counts.js';
import {usableConnections} from '../../source/watch/figures.js';
import {cacheHitLevel, connectionsLevel, lockWaitLevel, replicationLagLevel, type Level} from '../../source/watch/thresholds.js';
import type {WatchState} from '../../source/watch/watch-state.js';
import {formatBytes, formatDuration, truncate} from '../format.js';
import {CellLine} from './cell-line.js';
import {truncateCells} from './cells.js';
import {levelColor, levelMark} from './level-color.js';

type Props = {state: WatchState; now: number; width: number};

/** A label and its value as separate cells (see cell-line.tsx): a count next to a duration is two small sets, not their product. */
function Figure({label, value, level}: {label: string; value: string[]; level: Level}) {
	const color = levelColor(level);
	return <CellLine cells={[`${label} `, ...value, levelMark(level)]} {...(color === undefined ? {} : {color})} bold={level !== 'ok'}/>;
}

/** Three lines: the target and refresh state; sessions and waits; cache, throughput, size and lag. */
export function WatchHeader({state, now, width}: Props) {
	const {snapshot, thresholds: t, connection} = state;
	const refresh = connection.status === 'down'
		? ['reconnecting in ', formatDuration(Math.max(0, connection.retryAt - now)), ` (attempt ${connection.attempt})`]
		: [connection.status === 'connecting' ? 'connecting…' : state.paused ? 'paused' : `every ${formatDuration(state.intervalMs)}`];
	// The refresh state comes before the target: a long URL is what gets cut at 80 columns, never "reconnecting".
	// The countdown is a cell of its own, as it moves every second while the server is away.
	const title = truncateCells(['cutover watch · ', ...refresh, ` · ${state.target}`], width);
	if (snapshot === null) {
		return (
			<Box flexDirection="column">
				<CellLine cells={title} bold/>
				{connection.status === 'down' ? <Text color="red">{truncate(connection.error, width)}</Text> : <Text> </Text>}
				<Text> </Text>
			</Box>
		);
	}

	const counts = countSessions(snapshot.rows, snapshot.idleSessions);
	const usable = usableConnections(snapshot.stats);
	const {rates, databaseSize} = state;
	const replication = snapshot.stats.replication;
	return (
		<Box flexDirection="column">
			<CellLine cells={title} bold {...(connection.status === 'down' ? {color: 'red'} : {})}/>
			<Box gap={2}>
				<Figure label="sessions" value={[`${counts.clients}/${usable}`]} level={connectionsLevel(counts.clients, usable, t)}/>
				<Text>active {counts.active}</Text>
				<Text>idle in tx {counts.idleInTransaction}</Text>
				<Figure label="waiting" value={counts.longestLockWaitMs === null ? ['0'] : [`${counts.waiting} (`, `${formatDuration(counts.longestLockWaitMs)})`]} level={lockWaitLevel(counts.longestLockWaitMs, t)}/>
				{counts.hidden > 0 ? <Text dimColor>hidden {counts.hidden}</Text> : null}
			</Box>
			<Box gap={2}>
				<Figure label="cache hit" value={[rates.cacheHitRatio === null ? '–' : `${(rates.cacheHitRatio * 100).toFixed(1)}%`]} level={cacheHitLevel(rates.cacheHitRatio, t)}/>
				<Text>tps {rates.transactionsPerSecond === null ? '–' : rates.transactionsPerSecond.toFixed(0)}</Text>
				<Text>oldest tx {counts.oldestXactMs === null ? '–' : formatDuration(counts.oldestXactMs)}</Text>
				<Text>size {databaseSize === null ? '? (d)' : formatBytes(databaseSize.bytes)}</Text>
				{replication === null
					? <Text dimColor>standby</Text>
					: replication.replicas === 0
						? <Text dimColor>no replicas</Text>
						: <Figure label="lag" value={[replication.lagBytes === null ? '?' : formatBytes(replication.lagBytes), replication.lagMs === null ? '' : ` ${formatDuration(replication.lagMs)}`]} level={replicationLagLevel(replication.lagMs, t)}/>}
			</Box>
		</Box>
	);
}
