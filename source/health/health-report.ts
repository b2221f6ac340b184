import {isSatisfied} from '../engine/judge.js';
import type {CheckResult} from '../engine/model.js';
import type {ThresholdResult} from './judge-thresholds.js';

export type HealthStatus = 'healthy' | 'warn' | 'alert';

/** Exit statuses for cron and monitoring; 3 (could not check) is the entry point's, for every error. */
export const HEALTH_EXIT: Record<HealthStatus, number> = {healthy: 0, warn: 1, alert: 2};
export const COULD_NOT_CHECK_EXIT = 3;

export type HealthCheck = Omit<CheckResult, 'phase' | 'blocking'> & {severity: 'block' | 'warn'; level: 'ok' | 'warn' | 'alert'};

export type HealthReport = {
	target: string;
	engine: string;
	checklist: {name: string; path: string; sha256: string};
	/** Epoch ms when the checks started. */
	at: number;
	status: HealthStatus;
	exitCode: number;
	checks: HealthCheck[];
	thresholds: ThresholdResult[];
};

/**
 * A check that does not pass (failed, or could not run: an error, a timeout) alerts when it
 * blocks and warns otherwise: a health check that cannot run says as much about the database
 * as one that fails.
 */
export function toHealthCheck(result: CheckResult): HealthCheck {
	const {phase: _phase, blocking, ...rest} = result;
	return {...rest, severity: blocking ? 'block' : 'warn', level: isSatisfied(result.verdict) ? 'ok' : blocking ? 'alert' : 'warn'};
}

/** The worst level of every check and threshold; not applicable counts as fine. */
export function healthStatus(checks: readonly HealthCheck[], thresholds: readonly ThresholdResult[]): HealthStatus {
	const levels = [...checks.map(c => c.level), ...thresholds.map(t => t.level)];
	return levels.includes('alert') ? 'alert' : levels.includes('warn') ? 'warn' : 'healthy';
}
