// The lock trace on `cutover resume`, on real PostgreSQL: a run stopped before its downtime began,
// whose record holds no whole trace, is traced by the resume before maintenance and the backup; one
// stopped once maintenance was on is not (the trace would lengthen the downtime), and says so; one
// whose record holds a trace of the same migrations is not traced again; no copy is left.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import pg from 'pg';
import {cutoverAsync, latestRecord, runDirs} from '../support/cutover-async.js';
import {cli, cliEnv, demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {adminUrl} from '../support/postgres.js';

const PENDING = ['0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot'];

/** The copies this server still holds of the process that made the given one (by the pid in its name: other tests may trace meanwhile). */
async function copiesLeft(scratch: string): Promise<string[]> {
	const pid = /cutover_lt_(\d+)_\d+/.exec(scratch)?.[1] ?? assert.fail(scratch);
	const admin = new pg.Client({connectionString: adminUrl});
	await admin.connect();
	try {
		return (await admin.query<{datname: string}>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`cutover\\_lt\\_${pid}\\_%`])).rows.map(r => r.datname);
	} finally {
		await admin.end();
	}
}

/**
 * A run of the demo's migrations stopped by a terminate when its output first matches `at`: by
 * default while maintenance mode goes on (its window confirmed, no backup, no upgrade).
 */
async function stoppedRun(target: DemoTarget, ...extra: string[]): Promise<string> {
	return stoppedRunAt(target, /maintenance mode on/, ...extra);
}

async function stoppedRunAt(target: DemoTarget, at: RegExp, ...extra: string[]): Promise<string> {
	const runbook = path.join(target.dir, 'stop.yaml');
	writeFileSync(runbook, ['name: trace-resume', 'window: {expected-minutes: 5}', 'maintenance: {on: \'echo on; sleep 5\', off: \'echo off\'}', 'checks: {}', ''].join('\n'));
	const child = spawn(process.execPath, [cli, 'run', '--db', target.db, '--migrations', demoMigrations, '--checklist', runbook, ...runDirs(target), '--plain', '--yes', '--confirm-db', target.name, ...extra], {
		env: {...process.env, ...cliEnv(target)}, stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString('utf8');
		if (at.test(stdout) && !child.killed) {
			child.kill('SIGTERM');
		}
	});
	const code = await new Promise<number | null>(resolve => child.once('close', resolve));
	assert.equal(code, 1, stdout);
	const {file, events} = latestRecord(target);
	assert.equal(events.at(-1)?.type, 'run.interrupted', stdout);
	assert.ok(!events.some(e => e.type === 'upgrade.started'), stdout);
	return file;
}

const resume = async (target: DemoTarget, file: string, ...extra: string[]) => cutoverAsync(target, ['resume', file, ...runDirs(target), '--plain', '--yes', '--confirm-db', target.name, ...extra]);

async function withTarget(work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget('postgres');
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

describe('the lock trace on resume, on real PostgreSQL', () => {
	it('traces a run stopped before its downtime whose trace the stop cut short, before maintenance and the backup, and drops the copy', async () => withTarget(async target => {
		const file = await stoppedRunAt(target, /lock-impact\.started/);
		const before = latestRecord(target).events;
		assert.ok(!before.some(e => e.type === 'lock-impact.traced'), before.map(e => e.type).join(' '));
		assert.ok(!before.some(e => e.type === 'command.started'), 'stopped before maintenance went on');
		const resumed = await resume(target, file);
		assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
		const events = latestRecord(target).events;
		const kinds = events.map(e => e.type);
		const resumedAt = kinds.indexOf('run.resumed');
		const traced = events.find(e => e.type === 'lock-impact.traced') as unknown as {report: {migrations: Array<{name: string}>; scratch: string}; left: string | null} | undefined;
		assert.deepEqual(traced?.report.migrations.map(m => m.name), PENDING, kinds.join(' '));
		assert.equal(traced?.left, null);
		assert.ok(resumedAt < kinds.indexOf('lock-impact.started', resumedAt), kinds.join(' '));
		assert.ok(kinds.indexOf('lock-impact.traced') < kinds.indexOf('command.started'), kinds.join(' '));
		assert.ok(kinds.indexOf('lock-impact.traced') < kinds.indexOf('backup.started'), kinds.join(' '));
		assert.match(resumed.stdout, /lock-impact\.traced +locks measured on a copy: /);
		assert.equal(events.at(-1)?.['outcome'], 'upgraded');
		assert.deepEqual(await copiesLeft(traced!.report.scratch), []);
	}));

	it('does not trace a run stopped once maintenance was on, and says why in the record', async () => withTarget(async target => {
		const file = await stoppedRun(target, '--no-trace');
		const stopped = latestRecord(target).events.length;
		assert.ok(!latestRecord(target).events.some(e => e.type.startsWith('lock-impact.')));
		const resumed = await resume(target, file);
		assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
		const added = latestRecord(target).events.slice(stopped);
		const kinds = added.map(e => e.type);
		assert.ok(!kinds.includes('lock-impact.started'), kinds.join(' '));
		const leftOut = added.find(e => e.type === 'lock-impact.failed') as {reason?: string} | undefined;
		assert.match(leftOut?.reason ?? '', /^maintenance mode went on before the stop, and tracing on this resume would lengthen the downtime/, kinds.join(' '));
		assert.ok(kinds.indexOf('lock-impact.failed') < kinds.indexOf('backup.started'), kinds.join(' '));
		assert.match(resumed.stdout, /lock-impact\.failed +locks not traced: maintenance mode went on before the stop/);
		assert.equal(added.at(-1)?.['outcome'], 'upgraded');
	}));

	it('does not trace again when the record holds a trace of the same migrations', async () => withTarget(async target => {
		const file = await stoppedRun(target);
		const stopped = latestRecord(target).events.length;
		assert.equal(latestRecord(target).events.filter(e => e.type === 'lock-impact.traced').length, 1);
		const resumed = await resume(target, file);
		assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
		const added = latestRecord(target).events.slice(stopped);
		assert.equal(added[0]?.type, 'run.resumed');
		assert.ok(!added.some(e => e.type.startsWith('lock-impact.')), added.map(e => e.type).join(' '));
		assert.equal(added.at(-1)?.['outcome'], 'upgraded');
	}));

	it('leaves the trace out with resume --no-trace', async () => withTarget(async target => {
		const file = await stoppedRun(target, '--no-trace');
		const resumed = await resume(target, file, '--no-trace');
		assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
		assert.ok(!latestRecord(target).events.some(e => e.type.startsWith('lock-impact.')));
	}));
});
