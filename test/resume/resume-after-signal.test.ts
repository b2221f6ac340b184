import assert from 'node:assert/strict';
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type {Engine} from '../../source/engine/model.js';
import {prepareDemoTarget, productionChecklist, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertNothingLost, assertVerifies, snapshotTables} from '../support/faults.js';
import {AFTER, assertChain, assertConsistent, cutover, records, resume, SLOW, slowMigrations, startRun, waitForExit, waitForLine, type LiveRun} from './interrupted-runs.js';

async function withTarget(engine: Engine, work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget(engine);
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

async function withRun(target: DemoTarget, work: (run: LiveRun) => Promise<void>, checklist?: string) {
	const run = await startRun(target, slowMigrations(target), true, checklist);
	try {
		await work(run);
	} finally {
		run.terminal.close();
		try {
			process.kill(run.pid, 'SIGKILL');
		} catch {
			// Already ended, as it should have.
		}
	}
}

/** After the stop: resume finishes the same run as upgraded, on the same unbroken chain, and verify agrees. */
async function assertResumes(target: DemoTarget, journal: string, reconciled: RegExp) {
	const listed = cutover(target, ['resume', '--records', records(target)]);
	assert.equal(listed.code, 0, listed.stderr);
	assertClearMessage(listed.stdout + listed.stderr, /stopped in/);
	assert.ok(listed.stdout.includes(journal), `cutover resume lists ${journal}:\n${listed.stdout}`);

	const before = assertChain(journal).lines;
	const resumed = resume(target, journal);
	assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
	assertClearMessage(resumed.stdout + resumed.stderr, reconciled, /outcome: upgraded/);
	assert.match(resumed.stdout, /outcome: upgraded/);

	const {lines: after, torn} = assertChain(journal);
	assert.equal(torn, '', 'the resumed journal ends with a whole line');
	assert.ok(after.length > before.length);
	assert.deepEqual(after.slice(0, before.length), before, 'the lines before the resume are untouched');
	assert.equal(after[before.length]?.kind, 'run.resumed');
	assert.equal(after.at(-1)?.kind, 'run.finished');
	assert.equal((after.at(-1)?.event as {outcome?: string}).outcome, 'upgraded');
	assert.equal(after.filter(l => l.kind === 'run.started').length, 1, 'one run, continued');
	// Maintenance went on once, stayed on across the stop, and went off once, at the very end.
	const commands = after.filter(l => l.kind === 'command.started').map(l => (l.event as {id?: string}).id ?? '');
	assert.deepEqual(commands.filter(id => id.startsWith('maintenance-')), ['maintenance-on', 'maintenance-off']);
	assert.equal(new Set(commands).size, commands.length, `command ids are unique across the resume: ${commands.join(', ')}`);
	assert.ok(after.findIndex(l => l.kind === 'command.started' && (l.event as {id?: string}).id === 'maintenance-off') > before.length, 'maintenance off only after the resume');

	assert.equal(await assertConsistent(target), true, 'the slow migration is applied in the end');
	const applied = await target.rows('SELECT name, run_id FROM cutover_migrations ORDER BY name');
	assert.deepEqual(applied.map(r => r['name']), ['0001_create_users_and_meters', '0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot', SLOW, AFTER]);
	assert.ok(applied.slice(1).every(r => r['run_id'] === after[0]?.runId), 'every migration is logged under the one run id');

	assertVerifies(target, journal);
}

const isSlowStart = (l: {kind: string; event: unknown}) => l.kind === 'migration.started' && (l.event as {name?: string}).name === SLOW;

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`an interrupted run on ${engine}`, () => {
		it('a hang-up of the terminal mid-migration lets the migration commit, journals the stop, and resume finishes the run, sealed by the same key', async () => withTarget(engine, async target => {
			const keygen = cutover(target, ['keygen']);
			assert.equal(keygen.code, 0, keygen.stderr);
			await withRun(target, async run => {
				await waitForLine(run, isSlowStart, `${SLOW} to start`);
				// The terminal goes away as an SSH drop takes it: its processes get SIGHUP and writes to it fail.
				run.terminal.close();
				process.kill(run.pid, 'SIGHUP');
				await waitForExit(run.pid);

				const {lines: journal, torn} = assertChain(run.journal);
				assert.equal(torn, '');
				const kinds = journal.map(l => l.kind);
				assert.equal(kinds.at(-1), 'run.interrupted');
				assert.ok(!kinds.includes('run.finished') && !kinds.includes('operator.abandoned'), kinds.join(' '));
				const stop = journal.at(-1)?.event as {signal: string; step: string; detail: string};
				assert.equal(stop.signal, 'SIGHUP');
				assert.notEqual((journal[0]?.event as {signer?: unknown}).signer, null, 'the run is signed');
				assert.match(stop.detail, /maintenance mode is left on/);
				assert.equal(stop.step, 'upgrade');
				assert.ok(journal.some(l => l.kind === 'migration.finished' && (l.event as {name?: string}).name === SLOW), 'the migration in progress ran to its commit');
				assert.ok(!journal.some(l => l.kind === 'migration.started' && (l.event as {name?: string}).name === AFTER), 'no further migration was started');
				assert.equal(await assertConsistent(target), true);
				await assertResumes(target, run.journal, /stopped by SIGHUP in upgrade/);
			});
		}));

		it('SIGKILL mid-migration leaves the migration whole or absent; resume reconciles with the log and finishes', async () => withTarget(engine, async target => {
			await withRun(target, async run => {
				await waitForLine(run, isSlowStart, `${SLOW} to start`);
				process.kill(run.pid, 'SIGKILL');
				await waitForExit(run.pid);

				const {lines: journal} = assertChain(run.journal);
				assert.ok(!journal.some(l => l.kind === 'run.interrupted' || l.kind === 'run.finished'));
				const committed = await assertConsistent(target);
				await assertResumes(target, run.journal, committed ? new RegExp(`${SLOW} \\(up\\) committed before the stop`) : new RegExp(`${SLOW} \\(up\\) did not commit`));
			});
		}));

		it('SIGKILL mid-upgrade after a machine crash lost the lines synced as a group: resume reads the committed migrations back from their log rows and finishes', async () => withTarget(engine, async target => {
			await withRun(target, async run => {
				await waitForLine(run, isSlowStart, `${SLOW} to start`);
				process.kill(run.pid, 'SIGKILL');
				await waitForExit(run.pid);

				// What a machine crash leaves of it: the journal as of the first migration's sync (its start, and all before).
				// The lines after it are the later migrations' starts and ends, written and synced only with their group.
				const {lines: journal} = assertChain(run.journal);
				const first = journal.findIndex(l => l.kind === 'migration.started');
				const cut = journal.slice(first + 1);
				assert.ok(cut.length >= 4 && cut.every(l => l.kind === 'migration.started' || l.kind === 'migration.finished'), `only migration lines are cut: ${cut.map(l => l.kind).join(' ')}`);
				const text = readFileSync(run.journal, 'utf8').split('\n');
				writeFileSync(run.journal, `${text.slice(0, first + 1).join('\n')}\n`);
				const committed = await assertConsistent(target);
				await assertResumes(target, run.journal, /0003_archive_duplicate_meters \(up\) committed before the stop: its log row names this run .* recorded as started and finished/);
				const after = assertChain(run.journal).lines;
				const resumedAt = after.findIndex(l => l.kind === 'run.resumed');
				const reconciliation = (after[resumedAt]?.event as {reconciliation?: string[]}).reconciliation ?? [];
				assert.ok(reconciliation.some(l => l.startsWith('0002_users_status (up) committed before the stop: its log row says so')), reconciliation.join('\n'));
				assert.equal(reconciliation.some(l => l.startsWith(`${SLOW} (up) committed before the stop: its log row names this run`)), committed, reconciliation.join('\n'));
				// Each migration applied once, up and recorded once: the read-back ones right after run.resumed, the rest by the resumed upgrade.
				const finished = after.filter(l => l.kind === 'migration.finished').map(l => (l.event as {name?: string}).name);
				assert.deepEqual(finished, ['0002_users_status', '0003_archive_duplicate_meters', '0004_meters_unique_slot', SLOW, AFTER]);
			});
		}));

		for (const signal of ['SIGHUP', 'SIGKILL'] as const) {
			it(`${signal} during the backup: ${signal === 'SIGHUP' ? 'the backup is cancelled and journaled incomplete' : 'the journal stays whole'}; resume takes a new backup and finishes`, async () => withTarget(engine, async target => {
				// Taken before the backup is slowed down by a lock.
				const snapshot = await snapshotTables(target);
				const slowBackup = await slowDownBackup(target);
				try {
					await withRun(target, async run => {
						await slowBackup.hold(run);
						await waitForLine(run, l => l.kind === 'backup.started', 'the backup to be under way');
						process.kill(run.pid, signal);
						await slowBackup.afterSignal(run);
						await waitForExit(run.pid);

						const {lines: journal} = assertChain(run.journal);
						const kinds = journal.map(l => l.kind);
						assert.ok(!kinds.includes('backup.finished') && !kinds.includes('run.finished'), kinds.join(' '));
						if (signal === 'SIGHUP') {
							assert.equal(kinds.at(-1), 'run.interrupted');
							assert.equal((journal.at(-1)?.event as {step?: string}).step, 'backup');
							const failed = journal.find(l => l.kind === 'backup.failed')?.event as {error?: string} | undefined;
							assert.match(failed?.error ?? '', /^incomplete: stopped by SIGHUP/);
						}

						assert.equal(await assertConsistent(target), false, 'nothing was migrated');
						await slowBackup.release();
						await assertNothingLost(target, snapshot, `${signal} during the backup`);
						await assertResumes(target, run.journal, signal === 'SIGHUP' ? /stopped by SIGHUP in backup/ : /never finished/);
						const backups = readdirSync(path.join(target.dir, 'backups'));
						assert.equal(backups.length, 1, `only the new, whole backup is left: ${backups.join(', ')}`);
					}, slowBackup.checklist);
				} finally {
					await slowBackup.release();
				}
			}));
		}
	});
}

/**
 * Makes the backup wait, as behind a long transaction, until released. PostgreSQL: a session holds
 * an exclusive lock on a table the backup must read. SQLite: a connection holds the file's exclusive
 * lock, which stops every reader (the file is first switched out of WAL mode); it is taken while maintenance is switched on (a checklist whose
 * maintenance-on command waits for it), after the run's own reads and before the backup's; the
 * backup then waits on it (up to its busy timeout) and a signal finds it under way.
 */
async function slowDownBackup(target: DemoTarget): Promise<{checklist?: string; hold(run: LiveRun): Promise<void>; afterSignal(run: LiveRun): Promise<void>; release(): Promise<void>}> {
	if (target.engine === 'sqlite') {
		const gate = path.join(target.dir, 'maintenance-gate');
		const checklist = path.join(target.dir, 'production-gated.yaml');
		const original = readFileSync(productionChecklist, 'utf8');
		const gated = original.replace(/^ {2}on: '/m, `  on: 'until [ -e ${gate} ]; do sleep 0.05; done; `);
		assert.notEqual(gated, original, 'the checklist has a maintenance-on command to gate');
		writeFileSync(checklist, gated);
		const db = new BetterSqlite3(target.db.replace(/^sqlite:/, ''));
		// The demo file is in WAL mode, where readers go on beside a writer; in rollback-journal mode an
		// exclusive lock keeps every new reader out, so the backup waits on it for certain.
		assert.equal(db.pragma('journal_mode = DELETE', {simple: true}), 'delete');
		const release = async () => {
			if (db.open) {
				if (db.inTransaction) {
					db.exec('COMMIT');
				}

				db.close();
			}

			if (!existsSync(gate)) {
				// A run that never reached maintenance must not wait for the gate when resumed.
				writeFileSync(gate, '');
			}
		};
		return {
			checklist,
			async hold(run) {
				await waitForLine(run, l => l.kind === 'command.started' && (l.event as {id?: string}).id === 'maintenance-on', 'maintenance to be switched on');
				db.exec('BEGIN EXCLUSIVE');
				writeFileSync(gate, '');
			},
			// Held until the run has ended: released earlier, the small copy could finish before the signal is seen.
			async afterSignal(run) {
				await waitForExit(run.pid);
				await release();
			},
			release,
		};
	}

	const client = new pg.Client({connectionString: target.db});
	await client.connect();
	await client.query('BEGIN');
	await client.query('LOCK TABLE meters IN ACCESS EXCLUSIVE MODE');
	let open = true;
	const release = async () => {
		if (open) {
			open = false;
			await client.query('COMMIT');
			await client.end();
		}
	};
	return {hold: async () => {}, afterSignal: release, release};
}
