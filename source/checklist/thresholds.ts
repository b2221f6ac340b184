import type {Threshold, ThresholdName, Thresholds} from './types.js';
import type {Path, Validator} from './validator.js';

/** Each figure's unit, and which way is worse: a cache hit ratio is bad when it falls. */
export const THRESHOLD_UNITS: Record<ThresholdName, {unit: '%' | 'duration'; worse: 'above' | 'below'}> = {
	connections: {unit: '%', worse: 'above'},
	'cache-hit': {unit: '%', worse: 'below'},
	'lock-wait': {unit: 'duration', worse: 'above'},
	'replication-lag': {unit: 'duration', worse: 'above'},
};

/** The maintenance handbook's table, judged by an observation period when the runbook names no thresholds of its own. */
export const HANDBOOK_THRESHOLDS: Required<Thresholds> = {
	connections: {warn: 0.8, alert: 0.9},
	'cache-hit': {warn: 0.97, alert: 0.95},
	'lock-wait': {warn: 2000, alert: 5000},
	'replication-lag': {warn: 5000, alert: 10_000},
};

export const THRESHOLD_NAMES = Object.keys(THRESHOLD_UNITS) as ThresholdName[];

const example: Record<ThresholdName, string> = {
	connections: '{warn: 80%, alert: 90%}',
	'cache-hit': '{warn: 97%, alert: 95%}',
	'lock-wait': '{warn: 2s, alert: 5s}',
	'replication-lag': '{warn: 5s, alert: 10s}',
};

/** `thresholds: {connections: {warn: 80%, alert: 90%}, lock-wait: {alert: 5s}, …}`: every figure optional, each with warn, alert or both. */
export function readThresholds(value: unknown, v: Validator): Thresholds {
	if (value === undefined || value === null) {
		return {};
	}

	const map = v.object(value, ['thresholds'], {required: [], optional: THRESHOLD_NAMES});
	const thresholds: Thresholds = {};
	for (const name of THRESHOLD_NAMES) {
		if (map[name] !== undefined) {
			thresholds[name] = readThreshold(name, map[name], ['thresholds', name], v);
		}
	}

	return thresholds;
}

function readThreshold(name: ThresholdName, value: unknown, path: Path, v: Validator): Threshold {
	const levels = v.object(value, path, {required: [], optional: ['warn', 'alert']});
	if (levels['warn'] === undefined && levels['alert'] === undefined) {
		v.fail(path, `give warn:, alert: or both, for example ${name}: ${example[name]}`);
	}

	const {unit, worse} = THRESHOLD_UNITS[name];
	const read = (key: 'warn' | 'alert') => levels[key] === undefined ? null : unit === '%' ? percent(levels[key], [...path, key], v) : v.duration(levels[key], [...path, key], {min: 0, max: 3_600_000});
	const threshold = {warn: read('warn'), alert: read('alert')};
	if (threshold.warn !== null && threshold.alert !== null && (worse === 'above' ? threshold.warn > threshold.alert : threshold.warn < threshold.alert)) {
		v.fail([...path, 'warn'], `warn comes before alert: ${worse === 'above' ? 'warn must be at most alert' : 'a ratio warns above the level where it alerts'}, for example ${name}: ${example[name]}`);
	}

	return threshold;
}

/** `80%` as 0.8; a bare number is refused, as with durations: 0.9 and 90 must not be guessed between. */
function percent(value: unknown, path: Path, v: Validator): number {
	const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value) : null;
	if (match === null) {
		v.fail(path, `expected a percentage with its sign, such as 90%, found ${typeof value === 'string' ? `"${value}"` : String(value)}`);
	}

	const n = Number(match[1]);
	if (n > 100) {
		v.fail(path, `${String(value)} is out of range: a percentage is at most 100%`);
	}

	return n / 100;
}
