import type {HealthReport} from './health-report.js';
import {percent, seconds, type ThresholdResult} from './judge-thresholds.js';

/** What `cutover health` prints: a line for the target, a short table of checks and thresholds, and the status. */
export function formatHealth(report: HealthReport): string {
	const rows: string[][] = [
		...report.checks.map(c => [c.id, c.severity, c.level === 'ok' ? c.verdict : `${c.verdict.toUpperCase()}`, c.detail]),
		...report.thresholds.map(t => [t.name, levelsOf(t), t.level === 'ok' || t.level === 'not-applicable' ? t.level : t.level.toUpperCase(), t.detail]),
	];
	const widths = [0, 1, 2].map(i => Math.max(...rows.map(r => r[i]!.length), 0));
	const table = rows.map(r => `  ${r.slice(0, 3).map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}  ${r[3]}`.trimEnd());
	const counts = `${report.checks.length} check${report.checks.length === 1 ? '' : 's'}, ${report.thresholds.length} threshold${report.thresholds.length === 1 ? '' : 's'}`;
	return [
		`health of ${report.target} by ${report.checklist.path} (${counts})`,
		...table,
		`status: ${report.status} (exit ${report.exitCode})`,
		'',
	].join('\n');
}

/** `warn 80% alert 90%`: the levels a threshold was judged against. */
function levelsOf(t: ThresholdResult): string {
	const show = (n: number) => t.unit === 'ratio' ? percent(n).replace('.0%', '%') : seconds(n).replace('.0 s', ' s');
	return [t.warn === null ? null : `warn ${show(t.warn)}`, t.alert === null ? null : `alert ${show(t.alert)}`].filter(Boolean).join(' ');
}

/** `--json`: one object, for monitoring that reads it. */
export function healthJson(report: HealthReport): string {
	return `${JSON.stringify({...report, at: new Date(report.at).toISOString()})}\n`;
}
