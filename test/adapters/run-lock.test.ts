import assert from 'node:assert/strict';
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import {describe, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {createRunLock, lockFileFor} from '../../source/adapters/run-lock/index.js';
import type {Engine} from '../../source/engine/model.js';
import {CutoverError, RunLockedError} from '../../source/errors/index.js';
import type {RunLockHolder} from '../../source/ports/run-lock.js';
import {parseTarget, type Target} from '../../source/target.js';
import {cli, demoMigrations} from '../support/demo-targets.js';
import {createThrowawayDatabase, type ThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile} from '../support/sqlite.js';

type Fixture = {target: Target; db: ThrowawayDatabase | null; cleanup(): Promise<void>};

const fixtures: Record<Engine, () => Promise<Fixture>> = {
	async postgres() {
		const db = await createThrowawayDatabase('cutover_run_lock');
		return {target: parseTarget(db.url), db, cleanup: async () => db.drop()};
	},
	async sqlite() {
		const file = await createSqliteFile('CREATE TABLE accounts (id integer PRIMARY KEY);');
		return {target: {engine: 'sqlite', path: file.path, display: `sqlite:${file.path}`}, db: null, cleanup: file.cleanup};
	},
};

const holder = (runId: string, since = 1_700_000_000_000): RunLockHolder => ({runId, operator: 'Ana (ana)', host: os.hostname(), pid: process.pid, since});

/** A second cutover process that takes the lock, says so, and then waits to be killed (SIGTERM makes it exit normally). */
async function holdInChild(target: Target, runId: string): Promise<{child: ChildProcess; holder: RunLockHolder}> {
	const code = `
		const {createRunLock} = await import(process.env.LOCK_MODULE);
		const holder = {...JSON.parse(process.env.HOLDER), pid: process.pid};
		const handle = await createRunLock(JSON.parse(process.env.TARGET)).acquire(holder);
		await handle.windowConfirmed();
		// As cutover run does: a terminate signal ends the process through process.exit().
		process.on('SIGTERM', () => process.exit(0));
		process.stdout.write(JSON.stringify(holder) + '\\n');
		setInterval(() => {}, 60_000);
	`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
		env: {
			...process.env,
			LOCK_MODULE: new URL('../../source/adapters/run-lock/index.js', import.meta.url).href,
			TARGET: JSON.stringify(target),
			HOLDER: JSON.stringify({runId, operator: 'Bo (bo)', host: os.hostname(), since: 1_700_000_000_000}),
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stderr!.on('data', chunk => {
		stderr += String(chunk);
	});
	const line = await new Promise<string>((resolve, reject) => {
		child.stdout!.on('data', chunk => {
			stdout += String(chunk);
			if (stdout.includes('\n')) {
				resolve(stdout.split('\n')[0]!);
			}
		});
		child.once('exit', code => {
			reject(new Error(`the child exited (${String(code)}) before taking the lock: ${stderr}`));
		});
	});
	return {child, holder: JSON.parse(line) as RunLockHolder};
}

async function kill(child: ChildProcess): Promise<void> {
	const exited = once(child, 'exit');
	child.kill('SIGKILL');
	await exited;
}

/** The server ends a dead client's session soon, not at once: wait for it (bounded) before going on. */
async function sessionGone(db: ThrowawayDatabase, runId: string): Promise<void> {
	for (let i = 0; i < 200; i++) {
		// eslint-disable-next-line no-await-in-loop
		const rows = (await db.sql(`SELECT pid FROM pg_stat_activity WHERE application_name = 'cutover run ${runId}'`)).rows;
		if (rows.length === 0) {
			return;
		}

		// eslint-disable-next-line no-await-in-loop
		await sleep(50);
	}

	assert.fail(`the session of run ${runId} is still there 10 s after its process was killed`);
}

function status(target: Target, json: boolean) {
	const result = spawnSync(process.execPath, [cli, 'status', '--db', target.display, '--migrations', demoMigrations, ...(json ? ['--json'] : [])], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
	assert.equal(result.status, 0, result.stderr);
	return result.stdout;
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`run lock on ${engine}`, () => {
		const withFixture = async (work: (fixture: Fixture) => Promise<void>) => {
			const fixture = await fixtures[engine]();
			try {
				await work(fixture);
			} finally {
				await fixture.cleanup();
			}
		};

		test('a second run is refused and told who holds the lock; after release it may start', async () => {
			await withFixture(async ({target}) => {
				const lock = createRunLock(target);
				assert.equal(await lock.inspect(), null);
				const first = await lock.acquire(holder('run-first'));
				assert.equal(first.replaced, null);
				try {
					if (engine === 'postgres') {
						// Before its window is confirmed a run has written nothing: it is known by its session alone.
						const early = await lock.inspect();
						assert.equal(early?.runId, 'run-first');
						assert.equal(early?.described, false);
						assert.match(status(target, false), /^run lock: held by a run that has not confirmed its window yet, run id run-first \(/m);
						await assert.rejects(createRunLock(target).acquire(holder('run-second')), (error: unknown) => {
							assert.ok(error instanceof RunLockedError, String(error));
							assert.match(error.message, /is locked by another run: a run that has not confirmed its window yet, run id run-first \(database user postgres, database session \d+ from /);
							return true;
						});
					}

					await first.windowConfirmed();
					assert.deepEqual(await lock.inspect(), holder('run-first'));
					await assert.rejects(createRunLock(target).acquire(holder('run-second')), (error: unknown) => {
						assert.ok(error instanceof RunLockedError, String(error));
						assert.deepEqual(error.holder, holder('run-first'));
						assert.equal(error.message, `${target.display} is locked by another run: run run-first of Ana (ana) on ${os.hostname()}, pid ${process.pid}, since 2023-11-14T22:13:20.000Z`);
						assert.match(error.hint, /cutover status --db/);
						return true;
					});
				} finally {
					await first.release();
				}

				assert.equal(await lock.inspect(), null);
				const second = await lock.acquire(holder('run-second'));
				assert.equal(second.replaced, null, 'a released lock leaves nothing to take over');
				assert.equal((await lock.inspect())?.runId, 'run-second');
				await second.release();
				await second.release();
			});
		});

		test('a holder killed with SIGKILL does not leave the lock stuck; status shows the holder until then', async () => {
			await withFixture(async fixture => {
				const {target} = fixture;
				const {child, holder: held} = await holdInChild(target, 'run-killed');
				try {
					assert.notEqual(held.pid, process.pid);
					await assert.rejects(createRunLock(target).acquire(holder('run-next')), (error: unknown) => error instanceof RunLockedError && error.holder.pid === held.pid && error.holder.runId === 'run-killed');

					const json = JSON.parse(status(target, true)) as {runLock: RunLockHolder | null};
					assert.deepEqual(json.runLock, held);
					assert.match(status(target, false), new RegExp(`^run lock: held by run run-killed of Bo \\(bo\\) on ${os.hostname()}, pid ${held.pid}, since 2023-11-14T22:13:20\\.000Z$`, 'm'));
				} finally {
					await kill(child);
				}

				if (fixture.db !== null) {
					await sessionGone(fixture.db, 'run-killed');
				}

				const lock = createRunLock(target);
				assert.equal(await lock.inspect(), null, 'an abandoned lock has no holder');
				const next = await lock.acquire(holder('run-next'));
				try {
					assert.deepEqual(next.replaced, held, 'the handle says whose abandoned lock it took over');
					assert.equal((await lock.inspect())?.runId, 'run-next');
					await next.windowConfirmed();
					assert.match(status(target, false), /^run lock: held by run run-next of Ana/m);
				} finally {
					await next.release();
				}

				assert.match(status(target, false), /^run lock: free/m);
				assert.equal((JSON.parse(status(target, true)) as {runLock: unknown}).runLock, null);
			});
		});
	});
}

describe('run lock on PostgreSQL: the advisory lock is the truth', () => {
	test('a holder row with no advisory lock behind it is not a holder', async () => {
		const db = await createThrowawayDatabase('cutover_run_lock');
		try {
			const target: Target = parseTarget(db.url);
			const lock = createRunLock(target);
			const one = await lock.acquire(holder('run-one'));
			await one.windowConfirmed();
			await one.release();
			await db.sql(`INSERT INTO cutover_run_lock (run_id, operator, host, pid, since, backend_pid) VALUES ('run-ghost', 'Ghost', 'elsewhere', 1, 0, ${2 ** 30})`);
			assert.equal(await lock.inspect(), null);
			const handle = await lock.acquire(holder('run-two'));
			try {
				assert.equal(handle.replaced?.runId, 'run-ghost');
				assert.deepEqual((await db.sql('SELECT run_id FROM cutover_run_lock')).rows, [{run_id: 'run-ghost'}], 'nothing is written before the window');
				await handle.windowConfirmed();
				assert.deepEqual((await db.sql('SELECT run_id FROM cutover_run_lock')).rows, [{run_id: 'run-two'}]);
			} finally {
				await handle.release();
			}
		} finally {
			await db.drop();
		}
	});
});

describe('run lock on SQLite: the lock file', () => {
	const withFile = async (work: (target: Extract<Target, {engine: 'sqlite'}>, lockFile: string) => Promise<void>) => {
		const file = await createSqliteFile('CREATE TABLE accounts (id integer PRIMARY KEY);');
		try {
			await work({engine: 'sqlite', path: file.path, display: `sqlite:${file.path}`}, lockFileFor(file.path));
		} finally {
			await file.cleanup();
		}
	};

	test('held while acquired, gone after release', async () => {
		await withFile(async (target, lockFile) => {
			const handle = await createRunLock(target).acquire(holder('run-file'));
			assert.deepEqual(JSON.parse(readFileSync(lockFile, 'utf8')), holder('run-file'));
			await handle.release();
			assert.equal(existsSync(lockFile), false);
		});
	});

	test('a lock from another host cannot be checked from here, so it is refused with a way out', async () => {
		await withFile(async (target, lockFile) => {
			writeFileSync(lockFile, JSON.stringify({...holder('run-remote'), host: 'other-host', pid: 999_999_999}));
			const lock = createRunLock(target);
			assert.equal((await lock.inspect())?.runId, 'run-remote');
			await assert.rejects(lock.acquire(holder('run-here')), (error: unknown) => error instanceof RunLockedError && error.hint.includes('cannot check a process on other-host') && error.hint.includes(lockFile));
		});
	});

	test('a lock file that names no run is refused, not taken over', async () => {
		await withFile(async (target, lockFile) => {
			writeFileSync(lockFile, 'not json');
			const lock = createRunLock(target);
			await assert.rejects(lock.acquire(holder('run-here')), (error: unknown) => error instanceof CutoverError && /does not name a run/.test(error.message) && error.hint.includes(`delete ${lockFile}`));
			await assert.rejects(lock.inspect(), CutoverError);
			assert.equal(readFileSync(lockFile, 'utf8'), 'not json');
		});
	});

	test('a process that exits without releasing removes its lock file on the way out', async () => {
		await withFile(async (target, lockFile) => {
			const {child, holder: held} = await holdInChild(target, 'run-exiting');
			assert.equal((await createRunLock(target).inspect())?.pid, held.pid);
			const exited = once(child, 'exit');
			child.kill('SIGTERM');
			await exited;
			assert.equal(existsSync(lockFile), false);
		});
	});
});
