// A whole run whose runbook uses the check kinds, on both engines: the record holds each check's
// compiled SQL with :target_migration bound, and the post checks judge what the run did (--to).
import assert from 'node:assert/strict';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import type {CheckResult} from '../../source/engine/model.js';
import {cutover, demoMigrations, prepareDemoTarget, readJournal} from '../support/demo-targets.js';

const runbook = `name: kinds-run
window: {expected-minutes: 5}
checks:
  pre:
    - {id: users-count, title: Users before, row_count: {table: users, min: 1}}
    - {id: meter-dups, title: "Duplicate meter keys, 0003 archives them", severity: warn, evidence: 2, unique: {table: meters, columns: [unit_id, kind, slot]}}
    - {id: admin, title: An admin, sql: "SELECT id FROM users WHERE role = 'admin'", expect: {at-least: 1}}
  post:
    - {id: version, title: At this run's last migration, version: {}}
    - {id: users-kept, title: No account lost, row_count: {table: users, within: 0%}}
    - {id: no-dups, title: No duplicate meter keys, unique: {table: meters, columns: [unit_id, kind, slot]}}
    - {id: archive, title: The archive table exists, exists: {table: meters_archive}}
    - {id: no-key-yet, title: The unique key comes with 0004, absent: {index: meters_unit_kind_slot_key}}
    - {id: only-ours, title: No table from elsewhere, unexpected-tables: {allowed: [users, meters, meters_archive]}}
`;

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`a run with the check kinds on ${engine}`, () => {
		it('passes with --to, and records the SQL each check ran', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const checklist = path.join(target.dir, 'kinds.yaml');
				writeFileSync(checklist, runbook);
				const records = path.join(target.dir, 'records');
				const run = cutover(target, ['run', '--db', target.db, '--migrations', demoMigrations, '--checklist', checklist, '--to', '0003_archive_duplicate_meters',
					'--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')]);
				const file = readdirSync(records).find(f => f.endsWith('.jsonl'));
				assert.ok(file, run.stdout + run.stderr);
				const results = readJournal(readFileSync(path.join(records, file), 'utf8'))
					.map(l => l.event)
					.filter(e => e.type === 'check.finished')
					.map(e => e['result'] as CheckResult);
				const verdicts = Object.fromEntries(results.map(r => [`${r.phase}.${r.id}`, `${r.verdict}: ${r.detail}`]));
				assert.deepEqual(Object.keys(verdicts).filter(k => !k.includes('again.')), ['pre.users-count', 'pre.meter-dups', 'pre.admin', 'post.version', 'post.users-kept', 'post.no-dups', 'post.archive', 'post.no-key-yet', 'post.only-ours'], run.stdout);
				assert.match(verdicts['pre.meter-dups']!, /^failed: \d+ duplicate groups?$/);
				for (const id of ['pre.users-count', 'pre.admin', 'post.version', 'post.users-kept', 'post.no-dups', 'post.archive', 'post.no-key-yet', 'post.only-ours']) {
					assert.match(verdicts[id]!, /^passed: /, `${id}: ${verdicts[id]!}\n${run.stdout}`);
				}

				assert.equal(verdicts['post.version'], 'passed: at 0003_archive_duplicate_meters, as expected');
				assert.match(verdicts['post.users-kept']!, /^passed: rows in users: (\d+), \1 before \(0, 0%\), within 0%$/);
				const byId = (id: string) => results.find(r => `${r.phase}.${r.id}` === id)!;
				assert.match(byId('post.version').sql, /'0003_archive_duplicate_meters' AS expected$/, 'the record holds the bound SQL');
				assert.match(byId('pre.meter-dups').sql, /^SELECT "unit_id", "kind", "slot", count\(\*\) AS count FROM "meters"/);
				assert.equal(byId('pre.meter-dups').blocking, false);
				assert.ok(byId('pre.meter-dups').evidence.rows.length <= 2, 'evidence: 2 keeps two groups at most');
				assert.equal(run.code, 0, run.stdout + run.stderr);
			} finally {
				await target.cleanup();
			}
		});
	});
}
