import assert from 'node:assert/strict';
import {cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {cutover, demoMigrations, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget, type JournalLine} from '../support/demo-targets.js';

const dirs = (target: DemoTarget) => ['--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')];

async function withTarget(work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget('sqlite');
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

/** The demo's migrations (or only the first), plus extra files, in a directory of the target's own. */
function migrations(target: DemoTarget, extra: Record<string, string>, onlyFirst = false): string {
	const dir = path.join(target.dir, 'migrations');
	if (onlyFirst) {
		mkdirSync(dir);
		for (const file of readdirSync(demoMigrations).filter(f => f.startsWith('0001_'))) {
			cpSync(path.join(demoMigrations, file), path.join(dir, file));
		}
	} else {
		cpSync(demoMigrations, dir, {recursive: true});
	}

	for (const [name, text] of Object.entries(extra)) {
		writeFileSync(path.join(dir, name), text);
	}

	return dir;
}

/** The production checklist, with `off-when-mid-change: true` in its maintenance section when asked. */
function checklist(target: DemoTarget, offWhenMidChange: boolean): string {
	const file = path.join(target.dir, 'checklist.yaml');
	const text = readFileSync(productionChecklist, 'utf8');
	const changed = offWhenMidChange ? text.replace(/^( {2}off: .*)$/m, '$1\n  off-when-mid-change: true') : text;
	assert.equal(changed !== text, offWhenMidChange);
	writeFileSync(file, changed);
	return file;
}

const record = (target: DemoTarget): JournalLine[] => {
	const dir = path.join(target.dir, 'records');
	const [file] = readdirSync(dir).filter(f => f.endsWith('.jsonl'));
	return readJournal(readFileSync(path.join(dir, file!), 'utf8'));
};

const commandIds = (lines: JournalLine[]) => lines.filter(l => l.kind === 'command.started').map(l => String(l.event['id']));
const broken = {'0005_broken.up.sql': 'CREATE TABLE audit_log (id integer primary key);\nINSERT INTO no_such_table VALUES (1);\n', '0005_broken.down.sql': 'DROP TABLE audit_log;\n'};

describe('the end of a run that left the schema mid-change', () => {
	it('a failed migration kept: maintenance mode stays on, and the record says why', async () => withTarget(async target => {
		const run = cutover(target, ['run', '--db', target.db, '--migrations', migrations(target, broken), '--checklist', checklist(target, false), '--plain', '--yes', '--confirm-db', target.name, ...dirs(target)]);
		assert.equal(run.code, 1, run.stdout + run.stderr);
		assert.match(run.stdout, /maintenance mode left on: the schema is between versions: 0002_users_status, 0003_archive_duplicate_meters, 0004_meters_unique_slot applied, 0005_broken not; the maintenance-off command was not run/);
		const lines = record(target);
		assert.deepEqual(commandIds(lines).filter(id => id.startsWith('maintenance-')), ['maintenance-on']);
		assert.equal(lines.at(-2)?.kind, 'maintenance.left-on');
		assert.equal(lines.at(-1)?.event['outcome'], 'failed');
		assert.equal(lines.at(-1)?.event['versionAfter'], '0004_meters_unique_slot');
	}));

	it('with off-when-mid-change: true in the checklist, the maintenance-off command runs anyway', async () => withTarget(async target => {
		const run = cutover(target, ['run', '--db', target.db, '--migrations', migrations(target, broken), '--checklist', checklist(target, true), '--plain', '--yes', '--confirm-db', target.name, ...dirs(target)]);
		assert.equal(run.code, 1, run.stdout + run.stderr);
		const lines = record(target);
		assert.deepEqual(commandIds(lines).filter(id => id.startsWith('maintenance-')), ['maintenance-on', 'maintenance-off']);
		assert.ok(!lines.some(l => l.kind === 'maintenance.left-on'));
	}));

	it('the first migration failing leaves the schema where it was: maintenance goes off', async () => withTarget(async target => {
		const dir = migrations(target, {'0002_broken.up.sql': 'INSERT INTO no_such_table VALUES (1);\n'}, true);
		const run = cutover(target, ['run', '--db', target.db, '--migrations', dir, '--checklist', checklist(target, false), '--plain', '--yes', '--confirm-db', target.name, ...dirs(target)]);
		assert.equal(run.code, 1, run.stdout + run.stderr);
		const lines = record(target);
		assert.match(String(lines.find(l => l.kind === 'rollback.finished')?.event['detail']), /left as it is/);
		assert.deepEqual(commandIds(lines).filter(id => id.startsWith('maintenance-')), ['maintenance-on', 'maintenance-off']);
	}));

	it('--on-failure restore without a verified backup is recorded as a restore that could not be done, and the run fails', async () => withTarget(async target => {
		// The run stops (as on a terminate) right after 0002 commits, before 0003; its backup is then lost.
		const dir = migrations(target, {
			'0002_stop_here.mjs': 'export async function up({query}) { await query(\'CREATE TABLE stop_here (id integer)\'); process.kill(process.pid, \'SIGTERM\'); }\nexport async function down({query}) { await query(\'DROP TABLE stop_here\'); }\n',
			'0003_after.up.sql': 'CREATE TABLE after_stop (id integer);\n',
			'0003_after.down.sql': 'DROP TABLE after_stop;\n',
		}, true);
		const args = ['--checklist', checklist(target, false), '--plain', '--yes', '--confirm-db', target.name];
		const run = cutover(target, ['run', '--db', target.db, '--migrations', dir, ...args, ...dirs(target)]);
		assert.equal(run.code, 1, run.stdout + run.stderr);
		assert.match(run.stdout, /outcome: interrupted/);
		rmSync(path.join(target.dir, 'backups'), {recursive: true, force: true});
		const journal = path.join(target.dir, 'records', readdirSync(path.join(target.dir, 'records')).find(f => f.endsWith('.jsonl'))!);
		const resumed = cutover(target, ['resume', journal, ...args, '--on-failure', 'restore', ...dirs(target)]);
		assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr);
		assert.match(resumed.stdout, /restore is not available/);
		assert.match(resumed.stdout, /outcome: failed/);
		const lines = record(target);
		const chosen = lines.filter(l => l.kind === 'operator.rollback-chosen').map(l => l.event['choice']);
		assert.deepEqual(chosen, ['restore'], 'the operator\'s choice is on the record as it was made');
		const finished = lines.find(l => l.kind === 'rollback.finished')?.event;
		assert.equal(finished?.['choice'], 'restore');
		assert.equal(finished?.['ok'], false);
		assert.match(String(finished?.['detail']), /^restore is not available: no verified backup to restore/);
		assert.equal(lines.at(-1)?.event['outcome'], 'failed');
		// 0002 applied, 0003 not: the schema is mid-change, so maintenance stays on.
		assert.ok(lines.some(l => l.kind === 'maintenance.left-on'));
		assert.ok(!commandIds(lines).includes('maintenance-off'));
		assert.deepEqual((await target.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => r['name']), ['0001_create_users_and_meters', '0002_stop_here']);
	}));
});
