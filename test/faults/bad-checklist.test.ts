// Fault matrix: a bad checklist. Expected: the error names the file and the line, and nothing is
// touched (no record, no backup, no lock left, every table as before).
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {cutover, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertNothingLost, filesIn, snapshotTables} from '../support/faults.js';

const checklists: Array<{what: string; yaml: string; says: RegExp}> = [
	{
		what: 'a YAML syntax error',
		yaml: 'name: broken\nchecks:\n  pre:\n    - id: a\n      sql: [unclosed\n',
		says: /YAML syntax error at line \d+/,
	},
	{
		what: 'an unknown expectation',
		yaml: 'name: broken\nwindow:\n  expected-minutes: 30\nchecks:\n  pre:\n    - id: admins\n      title: Admins\n      blocking: true\n      expect: maybe-rows\n      sql: SELECT 1\n',
		says: /checks\.pre\[0\]\.expect: unknown expectation "maybe-rows".*\(line 9\)/,
	},
];

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`a bad checklist, on ${engine}`, () => {
		// Loading does not depend on the engine: PostgreSQL is asked only whether nothing was touched there either.
		for (const checklist of engine === 'sqlite' ? checklists : checklists.slice(1)) {
			it(`${checklist.what}: the error names the file and the line, and nothing is touched`, async () => {
				const target: DemoTarget = await prepareDemoTarget(engine);
				try {
					const file = path.join(target.dir, 'broken.yaml');
					writeFileSync(file, checklist.yaml);
					const before = await snapshotTables(target);
					const records = path.join(target.dir, 'records');
					const backups = path.join(target.dir, 'backups');
					const run = cutover(target, ['run', '--db', target.db, '--checklist', file, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', backups]);
					assert.equal(run.code, 1, run.stdout + run.stderr);
					assertClearMessage(run.stderr, new RegExp(`${file.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), checklist.says, /fix .*broken\.yaml and run again/);
					assert.deepEqual(filesIn(records), [], 'no record');
					assert.deepEqual(filesIn(backups), [], 'no backup');
					await assertNothingLost(target, before, 'the refused checklist');
					const status = cutover(target, ['status', '--db', target.db]);
					assert.match(status.stdout, /run lock: free/, `no lock is left: ${status.stdout}`);
					if (engine === 'sqlite') {
						assert.ok(!filesIn(target.dir).some(f => f.endsWith('.cutover-lock')), 'no lock file is left');
					}
				} finally {
					await target.cleanup();
				}
			});
		}
	});
}
