import type {Checklist, CheckDefinition} from '../checklist/index.js';
import type {CheckResult} from '../engine/model.js';
import type {RoundTripCheck} from '../engine/round-trip.js';
import {bindTarget, mentionsTarget} from '../engine/target-migration.js';
import type {Clock} from '../ports/clock.js';
import type {Database} from '../ports/database.js';
import {runCheck} from '../run/checks.js';

/**
 * The runbook's checks on the copy, through the run's own check runner: the pre checks before
 * the first up (kept only as what post checks compare with: same-rows-as, row_count within), the
 * post checks after the last. HTTP and command probes ask the application, which has no copy:
 * they are skipped, and say so.
 */
export function runbookChecks(checklist: Checklist, database: Database, clock: Clock) {
	const earlier: CheckResult[] = [];
	const bound = (check: CheckDefinition, target: string): CheckDefinition => ({
		...check,
		sql: Object.fromEntries(Object.entries(check.sql).map(([engine, sql]) => [engine, sql === undefined || !mentionsTarget(sql) ? sql : bindTarget(sql, target)])) as CheckDefinition['sql'],
	});
	return {
		async pre(target: string): Promise<void> {
			for (const check of checklist.checks.pre.filter(c => c.probe === undefined)) {
				// eslint-disable-next-line no-await-in-loop -- one connection, one check at a time
				earlier.push(await runCheck(database, bound(check, target), 'pre', earlier, clock));
			}
		},
		async post(target: string): Promise<RoundTripCheck[]> {
			const results: RoundTripCheck[] = [];
			for (const check of checklist.checks.post) {
				if (check.probe !== undefined) {
					results.push({id: check.id, title: check.title, verdict: 'skipped', blocking: check.blocking, detail: 'a probe of the application, which the copy has none of: not run'});
					continue;
				}

				// eslint-disable-next-line no-await-in-loop
				const result = await runCheck(database, bound(check, target), 'post', earlier, clock);
				earlier.push(result);
				results.push({id: check.id, title: check.title, verdict: result.verdict, blocking: check.blocking, detail: result.detail});
			}

			return results;
		},
	};
}
