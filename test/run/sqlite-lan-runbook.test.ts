// The shipped runbook checklists/sqlite-lan.yaml, end to end on the demo SQLite database: with
// the application stopped the upgrade runs, the file is backed up first and integrity_check
// answers ok after; while a process with the application's marker runs, nothing is changed.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {packageRoot} from '../../source/package-root.js';
import {cutoverAsync, latestRecord, runDirs} from '../support/cutover-async.js';
import {demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';

const runbook = path.join(packageRoot, 'checklists/sqlite-lan.yaml');
const marker = `cutover-lan-app-${randomUUID()}`;

const run = async (target: DemoTarget, env: Record<string, string | undefined>) => cutoverAsync(target, ['run', '--db', target.db, '--migrations', demoMigrations,
	'--checklist', runbook, ...runDirs(target), '--plain', '--yes', '--confirm-db', target.name], env);

const applied = async (target: DemoTarget) => (await target.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => r['name']);

describe('checklists/sqlite-lan.yaml on SQLite', () => {
	it('with the application stopped: backs the file up, upgrades, and integrity_check answers ok', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const result = await run(target, {APP_MARKER: marker});
			const {verdicts, events, outcome} = latestRecord(target);
			assert.equal(outcome, 'upgraded', result.stdout + result.stderr);
			assert.equal(result.code, 0);
			assert.equal(verdicts['pre.app-stopped'], 'passed: exit 1');
			assert.equal(verdicts['post.again.app-stopped'], 'passed: exit 1');
			assert.equal(verdicts['post.version'], 'passed: at 0004_meters_unique_slot, as expected');
			for (const id of ['pre.admin-exists', 'post.integrity', 'post.foreign-keys', 'post.again.duplicate-meters']) {
				assert.match(verdicts[id]!, /^passed: /, `${id}: ${verdicts[id]!}`);
			}

			const backup = events.find(e => e.type === 'backup.finished')?.['artifact'] as {path: string} | undefined;
			assert.ok(backup !== undefined && existsSync(backup.path), 'the file backup is there');
			const verified = events.findIndex(e => e.type === 'verify.finished' && (e['verification'] as {ok: boolean}).ok);
			assert.ok(verified !== -1 && verified < events.findIndex(e => e.type === 'upgrade.started'), 'the backup was verified before the upgrade');
			assert.equal((await applied(target)).length, 4);
		} finally {
			await target.cleanup();
		}
	});

	it('while the application runs: stops before the upgrade, names the process, and changes nothing', async () => {
		const app = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', marker], {stdio: 'ignore'});
		const target = await prepareDemoTarget('sqlite');
		try {
			await new Promise(resolve => setTimeout(resolve, 200));
			const result = await run(target, {APP_MARKER: marker});
			const {verdicts, results, events, outcome} = latestRecord(target);
			assert.equal(verdicts['pre.app-stopped'], 'failed: exit 0, expected 1', result.stdout);
			const stopped = results.find(r => r.id === 'app-stopped')!;
			assert.equal(stopped.blocking, true);
			assert.ok(stopped.evidence.rows.some(r => r[1] === String(app.pid)), JSON.stringify(stopped.evidence.rows));
			assert.equal(events.some(e => e.type === 'upgrade.started'), false, 'no upgrade while the application runs');
			assert.notEqual(outcome, 'upgraded');
			assert.notEqual(result.code, 0);
			assert.deepEqual(await applied(target), ['0001_create_users_and_meters'], 'nothing changed');
		} finally {
			app.kill('SIGKILL');
			await target.cleanup();
		}
	});

	it('without APP_MARKER: stops before the upgrade and says to set it', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const result = await run(target, {APP_MARKER: undefined});
			const {verdicts, results, events} = latestRecord(target);
			assert.equal(verdicts['pre.app-stopped'], 'failed: exit 2, expected 1', result.stdout);
			assert.match(JSON.stringify(results.find(r => r.id === 'app-stopped')!.evidence.rows), /set APP_MARKER/);
			assert.equal(events.some(e => e.type === 'upgrade.started'), false);
			assert.notEqual(result.code, 0);
		} finally {
			await target.cleanup();
		}
	});
});
