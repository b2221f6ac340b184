import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {Thresholds} from '../../source/checklist/types.js';
import {healthStatus, toHealthCheck} from '../../source/health/health-report.js';
import {judgeThresholds, type HealthFigures} from '../../source/health/judge-thresholds.js';
import type {CheckResult} from '../../source/engine/model.js';

const figures = (over: Partial<HealthFigures> = {}): HealthFigures => ({
	connections: {used: 45, usable: 100},
	cacheHitRatio: 0.96,
	lockWait: {waiting: 1, longestMs: 3000},
	replication: {replicas: 1, lagBytes: 1024, lagMs: 12_000},
	cacheHitOver: {kind: 'interval', ms: 1000},
	...over,
});

const handbook: Thresholds = {
	connections: {warn: 0.8, alert: 0.9},
	'cache-hit': {warn: 0.97, alert: 0.95},
	'lock-wait': {warn: 2000, alert: 5000},
	'replication-lag': {warn: 5000, alert: 10_000},
};

const levels = (thresholds: Thresholds, f: HealthFigures | null) => Object.fromEntries(judgeThresholds(thresholds, f, 'SQLite').map(t => [t.name, t.level]));

describe('judging the thresholds', () => {
	it('gives each figure its level by the watch\'s rules: above for connections, lock wait and lag, below for the cache hit ratio', () => {
		assert.deepEqual(levels(handbook, figures()), {connections: 'ok', 'cache-hit': 'warn', 'lock-wait': 'warn', 'replication-lag': 'alert'});
		assert.deepEqual(levels(handbook, figures({connections: {used: 91, usable: 100}, cacheHitRatio: 0.5, lockWait: {waiting: 0, longestMs: null}, replication: {replicas: 2, lagBytes: 0, lagMs: null}})),
			{connections: 'alert', 'cache-hit': 'alert', 'lock-wait': 'ok', 'replication-lag': 'ok'});
		// The handbook's "more than": exactly at the level is not past it.
		assert.deepEqual(levels({connections: {warn: 0.8, alert: 0.9}}, figures({connections: {used: 90, usable: 100}})), {connections: 'warn'});
	});

	it('keeps the value and the levels judged, and says the figure in words', () => {
		const [connections, cache] = judgeThresholds(handbook, figures(), 'PostgreSQL');
		assert.deepEqual(connections, {name: 'connections', unit: 'ratio', warn: 0.8, alert: 0.9, level: 'ok', value: 0.45, detail: '45 of 100 usable connections (45.0%)'});
		assert.equal(cache?.detail, '96.0% of blocks found in shared buffers over the 1.0 s sampled (server-wide)');
	});

	it('a level left out never fires: warn alone never alerts, alert alone never warns first', () => {
		assert.deepEqual(levels({connections: {warn: 0.1, alert: null}, 'cache-hit': {warn: null, alert: 0.5}}, figures({connections: {used: 99, usable: 100}, cacheHitRatio: 0.6})),
			{connections: 'warn', 'cache-hit': 'ok'});
		assert.deepEqual(levels({connections: {warn: null, alert: 0}}, figures()), {connections: 'alert'});
	});

	it('judges only the figures the checklist names', () => {
		assert.deepEqual(judgeThresholds({}, figures(), 'PostgreSQL'), []);
		assert.deepEqual(Object.keys(levels({'lock-wait': {warn: 1, alert: 2}}, figures())), ['lock-wait']);
	});

	it('is not applicable, never failed, where there is nothing to judge: SQLite, a standby, no replica, no block read', () => {
		const sqlite = judgeThresholds(handbook, null, 'SQLite');
		assert.deepEqual(sqlite.map(t => t.level), ['not-applicable', 'not-applicable', 'not-applicable', 'not-applicable']);
		assert.match(sqlite[0]!.detail, /^SQLite has no connection slots/);
		assert.deepEqual(levels(handbook, figures({replication: null, cacheHitRatio: null})), {connections: 'ok', 'cache-hit': 'not-applicable', 'lock-wait': 'warn', 'replication-lag': 'not-applicable'});
		assert.equal(judgeThresholds({'replication-lag': {warn: 1, alert: 2}}, figures({replication: {replicas: 0, lagBytes: null, lagMs: null}}), 'PostgreSQL')[0]?.detail, 'no replica is attached');
	});
});

const result = (verdict: CheckResult['verdict'], blocking: boolean): CheckResult => ({
	id: 'x', phase: 'post', title: 'X', sql: 'SELECT 1', blocking, expectation: 'at least one row', verdict, detail: '', evidence: {columns: [], rows: [], total: 0, truncated: false}, durationMs: 1,
});

describe('the status of a health check', () => {
	it('alerts on a blocking check that does not pass, warns on a warn one; a check that cannot run counts as not passing', () => {
		assert.deepEqual(['passed', 'failed', 'error', 'timed-out', 'not-applicable'].map(v => toHealthCheck(result(v as CheckResult['verdict'], true)).level), ['ok', 'alert', 'alert', 'alert', 'ok']);
		assert.deepEqual(['passed', 'failed', 'error'].map(v => toHealthCheck(result(v as CheckResult['verdict'], false)).level), ['ok', 'warn', 'warn']);
		assert.equal(toHealthCheck(result('failed', false)).severity, 'warn');
	});

	it('is the worst of its checks and thresholds', () => {
		const ok = toHealthCheck(result('passed', true));
		const warn = toHealthCheck(result('failed', false));
		const [alertThreshold] = judgeThresholds({connections: {warn: null, alert: 0}}, figures(), 'PostgreSQL');
		const [notApplicable] = judgeThresholds({connections: {warn: null, alert: 0}}, null, 'SQLite');
		assert.equal(healthStatus([ok], [notApplicable!]), 'healthy');
		assert.equal(healthStatus([ok, warn], [notApplicable!]), 'warn');
		assert.equal(healthStatus([warn], [alertThreshold!]), 'alert');
		assert.equal(healthStatus([], []), 'healthy');
	});
});
