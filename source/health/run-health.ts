import type {Checklist} from '../checklist/index.js';
import type {CheckResult} from '../engine/model.js';
import type {ActivityMonitor} from '../ports/activity-monitor.js';
import type {Clock} from '../ports/clock.js';
import type {Database} from '../ports/database.js';
import type {Probes} from '../ports/probes.js';
import {runCheck} from '../run/checks.js';
import {figureReader} from './figure-reader.js';
import {HEALTH_EXIT, healthStatus, toHealthCheck, type HealthReport} from './health-report.js';
import {judgeThresholds, type HealthFigures} from './judge-thresholds.js';

export type HealthDeps = {
	database: Database;
	/** The watch's view of the server (PostgreSQL); null where there is none (SQLite). Opened only when a threshold needs it. */
	openMonitor: (() => Promise<ActivityMonitor>) | null;
	clock: Clock;
	sleep: (ms: number) => Promise<void>;
	/** Where HTTP and command probes go (the application's health endpoint); a probe check without them is an error verdict. */
	probes?: Probes;
};

export type HealthOptions = {
	target: string;
	/** How long the cache hit ratio is sampled, as the watch does between two refreshes; 0: since the statistics were reset. */
	sampleMs: number;
};

/**
 * The checklist's health checks and thresholds, read-only: no run lock, no record. A check
 * that cannot run is a verdict; a server that cannot be read at all throws (could not check).
 */
export async function runHealth(checklist: Checklist, deps: HealthDeps, options: HealthOptions): Promise<HealthReport> {
	const at = deps.clock.now();
	const results: CheckResult[] = [];
	for (const check of checklist.checks.health) {
		// Qualified ids let a same-rows-as find health.x among the results.
		// eslint-disable-next-line no-await-in-loop -- checks run one at a time, as in a run
		results.push(await runCheck(deps.database, check, 'health', results, deps.clock, `health.${check.id}`, deps.probes === undefined ? {} : {probes: deps.probes}));
	}

	const needsFigures = Object.keys(checklist.thresholds).length > 0 && deps.openMonitor !== null;
	const figures = needsFigures ? await readFigures(deps.openMonitor!, deps, options.sampleMs) : null;
	const checks = results.map(result => ({...toHealthCheck(result), id: result.id.slice('health.'.length)}));
	const thresholds = judgeThresholds(checklist.thresholds, figures, deps.database.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL');
	const status = healthStatus(checks, thresholds);
	return {
		target: options.target,
		engine: deps.database.engine,
		checklist: {name: checklist.name, path: checklist.path, sha256: checklist.sha256},
		at,
		status,
		exitCode: HEALTH_EXIT[status],
		checks,
		thresholds,
	};
}

/** Two refreshes of the watch's statement `sampleMs` apart: the header's figures from the second, the cache hit ratio between them. */
async function readFigures(open: () => Promise<ActivityMonitor>, deps: Pick<HealthDeps, 'sleep'>, sampleMs: number): Promise<HealthFigures> {
	const monitor = await open();
	try {
		const reader = figureReader(monitor);
		const first = await reader.read();
		if (sampleMs <= 0) {
			return first;
		}

		await deps.sleep(sampleMs);
		return await reader.read();
	} finally {
		await monitor.close();
	}
}
