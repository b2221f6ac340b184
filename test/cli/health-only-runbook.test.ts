// A file of health checks alone is for cutover health: a run refuses it (it has no window and no
// gate, so the upgrade would run unchecked), and it may not compare with a run's target migration.
import assert from 'node:assert/strict';
import {readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {cutover, prepareDemoTarget} from '../support/demo-targets.js';

describe('a health-only checklist', () => {
	it('cutover run --checklist checklists/health.yaml is refused, writes no record and applies nothing', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const records = path.join(target.dir, 'records');
			const run = cutover(target, ['run', '--db', target.db, '--checklist', path.join(packageRoot, 'checklists/health.yaml'), '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')]);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			assert.match(run.stderr, /holds health checks only \(for cutover health\), not a runbook/);
			assert.match(run.stderr, /pass the runbook with --checklist/);
			assert.deepEqual((await target.rows('SELECT name FROM cutover_migrations')).map(r => r['name']), ['0001_create_users_and_meters']);
			let written: string[] = [];
			try {
				written = readdirSync(records);
			} catch {}

			assert.deepEqual(written.filter(f => f.endsWith('.jsonl')), [], 'no record');
		} finally {
			await target.cleanup();
		}
	});

	it('refuses version: {} and :target_migration in a health check, at their line', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const file = path.join(target.dir, 'health.yaml');
			writeFileSync(file, 'name: h\nchecks:\n  health:\n    - {id: v, title: At the target, version: {}}\n');
			const lint = cutover(target, ['checklist', 'lint', file]);
			assert.notEqual(lint.code, 0, lint.stdout);
			assert.match(lint.stdout + lint.stderr, /checks\.health\[0\]\.version: .*a health check runs outside a run: name it, version: \{equals: '0004_x'\} \(line 4\)/);
			writeFileSync(file, 'name: h\nchecks:\n  health:\n    - id: s\n      title: t\n      expect: some-rows\n      sql: SELECT name FROM cutover_migrations WHERE name = :target_migration\n');
			const sql = cutover(target, ['checklist', 'lint', file]);
			assert.notEqual(sql.code, 0, sql.stdout);
			assert.match(sql.stdout + sql.stderr, /:target_migration is the migration a run brings the database to/);
		} finally {
			await target.cleanup();
		}
	});
});
