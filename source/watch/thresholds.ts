/** How worried to be about one figure. */
export type Level = 'ok' | 'warn' | 'alert';

/** The maintenance handbook's limits; every one can be changed on the command line. */
export type Thresholds = {
	/** Share of usable connections (max_connections minus reserved slots), 0–1. */
	connectionsWarn: number;
	connectionsAlert: number;
	/** Cache hit ratio over the last interval, 0–1: lower is worse. */
	cacheHitWarn: number;
	cacheHitAlert: number;
	lockWaitWarnMs: number;
	lockWaitAlertMs: number;
	replicationLagWarnMs: number;
	replicationLagAlertMs: number;
};

export const DEFAULT_THRESHOLDS: Thresholds = {
	connectionsWarn: 0.8,
	connectionsAlert: 0.9,
	cacheHitWarn: 0.99,
	cacheHitAlert: 0.95,
	lockWaitWarnMs: 1000,
	lockWaitAlertMs: 5000,
	replicationLagWarnMs: 1000,
	replicationLagAlertMs: 10_000,
};

const above = (value: number | null, warn: number, alert: number): Level =>
	value === null ? 'ok' : value > alert ? 'alert' : value > warn ? 'warn' : 'ok';

export const connectionsLevel = (used: number, usable: number, t: Thresholds): Level =>
	usable <= 0 ? 'alert' : above(used / usable, t.connectionsWarn, t.connectionsAlert);

export const cacheHitLevel = (ratio: number | null, t: Thresholds): Level =>
	ratio === null ? 'ok' : ratio < t.cacheHitAlert ? 'alert' : ratio < t.cacheHitWarn ? 'warn' : 'ok';

export const lockWaitLevel = (ms: number | null, t: Thresholds): Level => above(ms, t.lockWaitWarnMs, t.lockWaitAlertMs);

export const replicationLagLevel = (ms: number | null, t: Thresholds): Level => above(ms, t.replicationLagWarnMs, t.replicationLagAlertMs);

/** The names accepted by --threshold name=value, with the unit each is given in. */
export const THRESHOLD_FLAGS: Record<string, {key: keyof Thresholds; unit: '%' | 's'}> = {
	'connections-warn': {key: 'connectionsWarn', unit: '%'},
	'connections-alert': {key: 'connectionsAlert', unit: '%'},
	'cache-hit-warn': {key: 'cacheHitWarn', unit: '%'},
	'cache-hit-alert': {key: 'cacheHitAlert', unit: '%'},
	'lock-wait-warn': {key: 'lockWaitWarnMs', unit: 's'},
	'lock-wait-alert': {key: 'lockWaitAlertMs', unit: 's'},
	'lag-warn': {key: 'replicationLagWarnMs', unit: 's'},
	'lag-alert': {key: 'replicationLagAlertMs', unit: 's'},
};

/** Reads "lock-wait-warn=2" or "connections-alert=95"; returns the problem in words when it does not parse. */
export function applyThreshold(thresholds: Thresholds, setting: string): Thresholds | string {
	const match = /^([a-z-]+)=(\d+(?:\.\d+)?)$/.exec(setting.trim());
	const flag = match === null ? undefined : THRESHOLD_FLAGS[match[1]!];
	if (match === null || flag === undefined) {
		return `"${setting}" is not one of ${Object.keys(THRESHOLD_FLAGS).map(name => `${name}=N`).join(', ')}`;
	}

	const value = Number(match[2]);
	if (flag.unit === '%' && value > 100) {
		return `"${setting}": a percentage is at most 100`;
	}

	return {...thresholds, [flag.key]: flag.unit === '%' ? value / 100 : value * 1000};
}
