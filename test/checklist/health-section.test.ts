import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {loadChecklist} from '../../source/checklist/index.js';
import {ChecklistError} from '../../source/errors/index.js';
import {packageRoot} from '../../source/package-root.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-health-section-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let files = 0;
async function load(text: string) {
	const file = path.join(dir, `c${files++}.yaml`);
	writeFileSync(file, text);
	return loadChecklist(file);
}

async function refused(text: string, where: RegExp) {
	await assert.rejects(load(text), (error: unknown) => {
		assert.ok(error instanceof ChecklistError, String(error));
		assert.match(error.message, where);
		return true;
	});
}

const healthOnly = (thresholds: string) => `name: h\nchecks:\n  health:\n    - {id: users, title: Users, row_count: {table: users, min: 1}}\nthresholds:\n${thresholds}`;

describe('the health section of a checklist', () => {
	it('loads the shipped checklists/health.yaml: its checks compiled for both engines, its thresholds as shares and milliseconds', async () => {
		const checklist = await loadChecklist(path.join(packageRoot, 'checklists', 'health.yaml'));
		assert.deepEqual(checklist.checks.health.map(c => c.id), ['users-fresh', 'users-present', 'meters-present', 'admin-exists']);
		assert.deepEqual(checklist.checks.health.map(c => c.blocking), [false, true, true, true]);
		assert.ok(checklist.checks.health.every(c => c.sql.sqlite !== undefined && c.sql.postgres !== undefined));
		assert.deepEqual(checklist.thresholds, {
			connections: {warn: 0.8, alert: 0.9},
			'cache-hit': {warn: 0.97, alert: 0.95},
			'lock-wait': {warn: 2000, alert: 5000},
			'replication-lag': {warn: 5000, alert: 10_000},
		});
		assert.deepEqual([checklist.checks.pre, checklist.checks.post], [[], []]);
	});

	it('lets a file of health checks alone leave out the window, and only such a file', async () => {
		const only = await load(healthOnly('  lock-wait: {alert: 5s}\n'));
		assert.deepEqual(only.thresholds, {'lock-wait': {warn: null, alert: 5000}});
		await refused('name: r\nchecks:\n  pre: []\n  health: []\n', /"window" is missing: .*window: \{expected-minutes: 30\}/);
		await refused('name: r\nchecks: {}\n', /"window" is missing/);
		// A runbook for a run may carry health checks too.
		const both = await load('name: r\nwindow: {expected-minutes: 5}\nchecks:\n  pre: []\n  health:\n    - {id: a, title: A, sql: SELECT 1, expect: some-rows}\n');
		assert.deepEqual(both.checks.health.map(c => c.id), ['a']);
	});

	it('names the file, the key and the line of a bad threshold', async () => {
		await refused(healthOnly('  connections: {warn: 80%, alert: 90}\n'), /thresholds\.connections\.alert: expected a percentage with its sign, such as 90%, found 90 \(line 6\)/);
		await refused(healthOnly('  connections: {warn: 95%, alert: 90%}\n'), /thresholds\.connections\.warn: warn comes before alert.*\(line 6\)/);
		await refused(healthOnly('  cache-hit: {warn: 90%, alert: 95%}\n'), /thresholds\.cache-hit\.warn: warn comes before alert: a ratio warns above the level where it alerts.*\(line 6\)/);
		await refused(healthOnly('  lock-wait: {warn: 2, alert: 5s}\n'), /thresholds\.lock-wait\.warn: expected a duration with its unit.*\(line 6\)/);
		await refused(healthOnly('  connection: {alert: 90%}\n'), /thresholds\.connection: unknown key "connection"; did you mean "connections"\?.*\(line 6\)/);
		await refused(healthOnly('  replication-lag: {}\n'), /thresholds\.replication-lag: give warn:, alert: or both/);
		await refused(healthOnly('  cache-hit: {alert: 120%}\n'), /at most 100%/);
	});

	it('refuses what a health check cannot do, at its line', async () => {
		await refused('name: h\nchecks:\n  health:\n    - {id: kept, title: Kept, row_count: {table: users, within: 10%}}\n', /checks\.health\[0\]\.row_count\.within: .*a health check runs outside any: give min:.*\(line 4\)/);
		await refused('name: h\nchecks:\n  health:\n    - {id: a, title: A, sql: SELECT 1, expect: some-rows}\n    - {id: a, title: B, sql: SELECT 1, expect: some-rows}\n', /duplicate id "a" in checks\.health \(line 5\)/);
		await refused('name: h\nchecks:\n  health:\n    - {id: a, title: A, recency: {table: t, column: c, within: soon}}\n', /checks\.health\[0\]\.recency\.within: expected an interval.*\(line 4\)/);
	});
});
