import {existsSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import path from 'node:path';
import {openDatabase} from '../../adapters/open-target.js';
import {systemClock} from '../../adapters/system-clock.js';
import {loadChecklist} from '../../checklist/index.js';
import {parseDuration} from '../../checklist/duration.js';
import {ChecklistError, UsageError} from '../../errors/index.js';
import {formatHealth, healthJson} from '../../health/format-health.js';
import {runHealth} from '../../health/run-health.js';
import {parseTarget} from '../../target.js';
import {parseCommand} from '../parse.js';

/**
 * `cutover health --db … [--checklist health.yaml] [--json]`: the checklist's health checks and
 * thresholds, for cron and monitoring. Read-only: no run lock, no record. Exit 0 healthy, 1 warn,
 * 2 alert; every error (no connection, a bad checklist, bad usage) is 3, set by the entry point.
 */
export async function healthCommand(args: string[]): Promise<number> {
	const {values} = parseCommand(args, {
		db: {type: 'string'},
		checklist: {type: 'string'},
		json: {type: 'boolean', default: false},
		sample: {type: 'string'},
	}, 'health');
	try {
		return await checkHealth(values);
	} catch (error) {
		// A monitor reading --json gets an answer it can parse for "could not check" too (exit 3, set by the entry point).
		if (values.json) {
			const hint = error instanceof Error && 'hint' in error && typeof error.hint === 'string' ? error.hint : null;
			process.stdout.write(`${JSON.stringify({status: 'could-not-check', exitCode: 3, error: error instanceof Error ? error.message : String(error), hint})}\n`);
		}

		throw error;
	}
}

async function checkHealth(values: {db?: string; checklist?: string; json: boolean; sample?: string}): Promise<number> {
	if (values.db === undefined) {
		throw new UsageError('--db is required', {hint: 'pass --db postgres://user@host/dbname or --db sqlite:path/to/file.db'});
	}

	const sampleMs = values.sample === undefined ? 1000 : parseDuration(values.sample);
	if (sampleMs === null || sampleMs > 60_000) {
		throw new UsageError(`--sample ${values.sample ?? ''} is not a duration of at most 1m`, {hint: 'for example --sample 2s, or --sample 0s for the cache hit ratio since the statistics were reset'});
	}

	const checklist = await loadChecklist(healthChecklist(values.checklist));
	if (checklist.checks.health.length === 0 && Object.keys(checklist.thresholds).length === 0) {
		throw new ChecklistError(checklist.path, 'checks.health', 'the checklist has no health checks and no thresholds: there is nothing to check; add checks: {health: [...]} or thresholds: {...} (see checklists/health.yaml)');
	}

	const target = parseTarget(values.db);
	const database = await openDatabase(target);
	try {
		const report = await runHealth(checklist, {
			database,
			// Imported only for PostgreSQL: a SQLite health check never loads pg.
			openMonitor: target.engine === 'postgres'
				? async () => (await import('../../adapters/postgres/activity-monitor.js')).createPostgresActivityMonitor(target)
				: null,
			clock: systemClock,
			sleep: async ms => sleep(ms),
			// The application's health endpoint, a command: loaded only when a health check probes.
			...(checklist.checks.health.some(check => check.probe !== undefined) ? {probes: (await import('../../adapters/local-probes.js')).localProbes()} : {}),
		}, {target: target.display, sampleMs});
		process.stdout.write(values.json ? healthJson(report) : formatHealth(report));
		return report.exitCode;
	} finally {
		await database.close();
	}
}

/** --checklist, else ./checklists/health.yaml: never a runbook the operator did not choose. */
function healthChecklist(flag: string | undefined): string {
	if (flag !== undefined) {
		return path.resolve(flag);
	}

	const local = path.resolve('checklists', 'health.yaml');
	if (existsSync(local)) {
		return local;
	}

	throw new UsageError(`no health checklist: --checklist was not given and ${process.cwd()} has no checklists/health.yaml`, {
		hint: 'pass --checklist <file.yaml> with checks: {health: [...]} and thresholds: (cutover\'s own checklists/health.yaml is an example for the demo schema)',
	});
}
