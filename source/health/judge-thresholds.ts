import {THRESHOLD_NAMES} from '../checklist/thresholds.js';
import type {Threshold, ThresholdName, Thresholds} from '../checklist/types.js';
import type {HeaderFigures} from '../watch/figures.js';
import {cacheHitLevel, connectionsLevel, DEFAULT_THRESHOLDS, lockWaitLevel, replicationLagLevel, type Level, type Thresholds as WatchThresholds} from '../watch/thresholds.js';

/** The figures of one health check: the watch's header figures, and over what span the cache hit ratio was taken. */
export type HealthFigures = HeaderFigures & {cacheHitOver: {kind: 'interval'; ms: number} | {kind: 'since-reset'}};

export type ThresholdResult = {
	name: ThresholdName;
	level: Level | 'not-applicable';
	/** The figure judged: a share (0–1) for connections and cache-hit, milliseconds for the others; null when none was measured. */
	value: number | null;
	unit: 'ratio' | 'ms';
	warn: number | null;
	alert: number | null;
	/** The figure in words, or why it does not apply. */
	detail: string;
};

const unitOf = (name: ThresholdName): ThresholdResult['unit'] => name === 'connections' || name === 'cache-hit' ? 'ratio' : 'ms';

/**
 * Each threshold the checklist names, judged by the watch's own level rules (so `cutover watch`
 * colours a figure as `cutover health` judges it). A level left out never fires: only warn:
 * never alerts, only alert: never warns first. `figures` is null where the engine has none
 * (SQLite): every threshold is then not applicable, which is not a failure.
 */
export function judgeThresholds(thresholds: Thresholds, figures: HealthFigures | null, engine: string): ThresholdResult[] {
	return THRESHOLD_NAMES.flatMap(name => {
		const threshold = thresholds[name];
		if (threshold === undefined) {
			return [];
		}

		const base = {name, unit: unitOf(name), warn: threshold.warn, alert: threshold.alert};
		if (figures === null) {
			return [{...base, level: 'not-applicable' as const, value: null, detail: `${engine} has no ${notOnEngine[name]}`}];
		}

		return [{...base, ...judgeOne(name, threshold, figures)}];
	});
}

const notOnEngine: Record<ThresholdName, string> = {
	connections: 'connection slots: one process opens the file',
	'cache-hit': 'shared buffers to hit',
	'lock-wait': 'sessions waiting in a lock queue',
	'replication-lag': 'replicas',
};

function judgeOne(name: ThresholdName, threshold: Threshold, figures: HealthFigures): Pick<ThresholdResult, 'level' | 'value' | 'detail'> {
	switch (name) {
		case 'connections': {
			const {used, usable} = figures.connections;
			const t = levels({connectionsWarn: threshold.warn ?? threshold.alert ?? Infinity, connectionsAlert: threshold.alert ?? Infinity});
			return {level: connectionsLevel(used, usable, t), value: usable <= 0 ? null : used / usable, detail: `${used} of ${usable} usable connections (${percent(usable <= 0 ? 1 : used / usable)})`};
		}

		case 'cache-hit': {
			const ratio = figures.cacheHitRatio;
			const over = figures.cacheHitOver.kind === 'interval' ? `over the ${seconds(figures.cacheHitOver.ms)} sampled` : 'since the statistics were last reset';
			if (ratio === null) {
				return {level: 'not-applicable', value: null, detail: `no block was asked for ${over}: nothing to judge`};
			}

			const t = levels({cacheHitWarn: threshold.warn ?? threshold.alert ?? -Infinity, cacheHitAlert: threshold.alert ?? -Infinity});
			return {level: cacheHitLevel(ratio, t), value: ratio, detail: `${percent(ratio)} of blocks found in shared buffers ${over} (server-wide)`};
		}

		case 'lock-wait': {
			const {waiting, longestMs} = figures.lockWait;
			const t = levels({lockWaitWarnMs: threshold.warn ?? threshold.alert ?? Infinity, lockWaitAlertMs: threshold.alert ?? Infinity});
			return {
				level: lockWaitLevel(longestMs, t),
				value: longestMs ?? 0,
				detail: longestMs === null ? 'no session waits for a lock' : `${waiting} session${waiting === 1 ? ' waits' : 's wait'} for a lock, the longest for ${seconds(longestMs)}`,
			};
		}

		case 'replication-lag': {
			const replication = figures.replication;
			if (replication === null) {
				return {level: 'not-applicable', value: null, detail: 'this server is a standby: a primary\'s replication lag does not apply'};
			}

			if (replication.replicas === 0) {
				return {level: 'not-applicable', value: null, detail: 'no replica is attached'};
			}

			const t = levels({replicationLagWarnMs: threshold.warn ?? threshold.alert ?? Infinity, replicationLagAlertMs: threshold.alert ?? Infinity});
			const replicas = `${replication.replicas} replica${replication.replicas === 1 ? '' : 's'}`;
			return {
				level: replicationLagLevel(replication.lagMs, t),
				value: replication.lagMs,
				detail: replication.lagMs === null ? `${replicas}, no replay lag reported (caught up)` : `${replicas}, replay lag ${seconds(replication.lagMs)}`,
			};
		}
	}
}

const levels = (set: Partial<WatchThresholds>): WatchThresholds => ({...DEFAULT_THRESHOLDS, ...set});

export const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

export const seconds = (ms: number) => ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
