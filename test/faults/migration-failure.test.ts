// Fault matrix: a migration failing halfway, and a rollback through a migration without a down.
import assert from 'node:assert/strict';
import {cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import type {Engine} from '../../source/engine/model.js';
import {cutover, demoMigrations, prepareDemoTarget, readJournal, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertMigrationsWhole, assertNothingLost, assertVerifies, snapshotTables, tableExists} from '../support/faults.js';

const records = (target: DemoTarget) => path.join(target.dir, 'records');
const dirs = (target: DemoTarget) => ['--records', records(target), '--backups', path.join(target.dir, 'backups')];

/** The demo's first migration (applied already) and the given files: the only pending ones are these. */
function migrationsWith(target: DemoTarget, files: Record<string, string>): string {
	const dir = path.join(target.dir, 'migrations');
	mkdirSync(dir);
	for (const file of readdirSync(demoMigrations).filter(f => f.startsWith('0001_'))) {
		cpSync(path.join(demoMigrations, file), path.join(dir, file));
	}

	for (const [name, sql] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), sql);
	}

	return dir;
}

function run(target: DemoTarget, migrations: string, extra: string[] = []) {
	return cutover(target, ['run', '--db', target.db, '--migrations', migrations, '--plain', '--yes', '--confirm-db', target.name, ...dirs(target), ...extra]);
}

function onlyRecord(target: DemoTarget) {
	const files = readdirSync(records(target)).filter(f => f.endsWith('.jsonl'));
	assert.equal(files.length, 1, `one record: ${files.join(', ')}`);
	const file = path.join(records(target), files[0]!);
	return {file, lines: readJournal(readFileSync(file, 'utf8'))};
}

type Offered = {choice: string; available: boolean; action: string; cost: string};

async function withTarget(engine: Engine, work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget(engine);
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

// Halfway: a row change and a new table are done when the third statement fails.
const halfway = 'UPDATE meters SET reading = -1;\nCREATE TABLE audit_log (id integer PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n';

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`a migration fails halfway on ${engine}`, () => {
		it('its statements are rolled back whole, no log row, the rollback prompt is offered, the run fails with a clear message', async () => withTarget(engine, async target => {
			const migrations = migrationsWith(target, {'0005_broken.up.sql': halfway, '0005_broken.down.sql': 'DROP TABLE audit_log;\n'});
			const before = await snapshotTables(target);
			const result = run(target, migrations);
			assert.equal(result.code, 1, result.stdout + result.stderr);
			assertClearMessage(result.stdout + result.stderr, /up 0005_broken FAILED: .*no_such_table/, /in: INSERT INTO no_such_table VALUES \(1\)/, /rollback offered/, /run finished: failed/);

			// Nothing of it stayed: the UPDATE is undone (same rows), the table and the log row are absent.
			await assertNothingLost(target, before, 'the failed migration');
			await assertMigrationsWhole(target, [{name: '0005_broken', present: async () => tableExists(target, 'audit_log')}]);

			const {file, lines} = onlyRecord(target);
			const offered = lines.find(l => l.kind === 'rollback.offered')?.event;
			assert.match(String(offered?.['reason']), /migration 0005_broken failed/);
			const options = offered?.['options'] as Offered[];
			assert.equal(options.find(o => o.choice === 'downgrade')?.available, false, 'nothing of this run is applied, nothing to downgrade');
			assert.match(options.find(o => o.choice === 'downgrade')?.cost ?? '', /rolled back by its transaction/);
			assert.equal(options.find(o => o.choice === 'restore')?.available, true);
			assert.equal(lines.at(-1)?.event['outcome'], 'failed');
			assertVerifies(target, file);
		}));

		it('a rollback through a migration without a down: downgrade is unavailable and says why, restore is offered and brings the tables back', async () => withTarget(engine, async target => {
			const migrations = migrationsWith(target, {
				'0005_no_down.up.sql': 'CREATE TABLE audit_log (id integer PRIMARY KEY);\nDELETE FROM meters WHERE id > 30;\n',
				'0006_broken.up.sql': 'INSERT INTO no_such_table VALUES (1);\n',
				'0006_broken.down.sql': 'SELECT 1;\n',
			});
			const before = await snapshotTables(target);
			const result = run(target, migrations, ['--on-failure', 'restore']);
			assert.equal(result.code, 1, result.stdout + result.stderr);
			assertClearMessage(result.stdout + result.stderr, /up 0006_broken FAILED/, /downgrade \[unavailable\]: cannot downgrade .*irreversible \(no down\): 0005_no_down/, /restore done/, /run finished: rolled-back/);

			const {file, lines} = onlyRecord(target);
			const options = lines.find(l => l.kind === 'rollback.offered')?.event['options'] as Offered[];
			assert.equal(options.find(o => o.choice === 'downgrade')?.available, false);
			assert.equal(options.find(o => o.choice === 'restore')?.available, true);
			assert.equal(lines.find(l => l.kind === 'operator.rollback-chosen')?.event['choice'], 'restore');
			// The restore undid 0005's deletes and its table: every table as before the run.
			await assertNothingLost(target, before, 'the restore');
			assert.deepEqual((await target.rows('SELECT name FROM cutover_migrations')).map(r => r['name']), ['0001_create_users_and_meters']);
			assertVerifies(target, file);
		}));
	});
}
