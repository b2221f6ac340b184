// Fault matrix: a backup changed after it was written. The run is stopped at the upgrade gate (after
// the backup was verified), one byte of the backup is flipped, and the run is resumed. Expected: resume
// sees the sha256 differs, never trusts that file again, and takes and verifies a new backup before
// any migration; the record says so and verifies.
import assert from 'node:assert/strict';
import {closeSync, openSync, readSync, statSync, writeSync} from 'node:fs';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Engine} from '../../source/engine/model.js';
import {demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertMigrationsWhole, assertVerifies, demoProbes, journalLines, waitForKind} from '../support/faults.js';
import {resume, startRun, waitForExit} from '../resume/interrupted-runs.js';
import {toUpgradeGate} from './restart-runs.js';

/** Flips one byte in the middle of a file. */
function flipByte(file: string) {
	const fd = openSync(file, 'r+');
	try {
		const at = Math.floor(statSync(file).size / 2);
		const byte = Buffer.alloc(1);
		readSync(fd, byte, 0, 1, at);
		byte[0] = byte[0]! ^ 0xff;
		writeSync(fd, byte, 0, 1, at);
	} finally {
		closeSync(fd);
	}
}

async function withTarget(engine: Engine, work: (target: DemoTarget) => Promise<void>) {
	const target = await prepareDemoTarget(engine);
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`a backup changed after it was written, on ${engine}`, () => {
		it('resume sees the sha256 differs, takes and verifies a new backup before the upgrade, and the record verifies', async () => withTarget(engine, async target => {
			const run = await startRun(target, demoMigrations, false);
			let first: string;
			try {
				await toUpgradeGate(run.terminal, target.name);
				const finished = await waitForKind(run.journal, 'backup.finished');
				first = (finished.event['artifact'] as {path: string}).path;
				// A stop while the console waits at the gate: the run is left resumable.
				process.kill(run.pid, 'SIGTERM');
				await waitForExit(run.pid);
				assert.equal(journalLines(run.journal).at(-1)?.kind, 'run.interrupted');
			} finally {
				run.terminal.close();
			}

			const {journal} = run;
			flipByte(first);
			// Backup files are named by the second they start in: a resume within the same second would find the name taken.
			await sleep(1000);
			const resumed = resume(target, journal);
			const output = resumed.stdout + resumed.stderr;
			assert.equal(resumed.code, 0, output);
			assertClearMessage(output, /has changed \(sha256 differs\)/, /a new backup will be taken/, /outcome: upgraded/);

			const lines = journalLines(journal);
			const resumedAt = lines.findIndex(l => l.kind === 'run.resumed');
			const after = lines.slice(resumedAt);
			const failedCheck = after.find(l => l.kind === 'verify.finished');
			assert.equal((failedCheck?.event['verification'] as {ok: boolean}).ok, false, 'the changed backup is recorded as failing verification');
			const second = after.find(l => l.kind === 'backup.finished')?.event['artifact'] as {path: string; sha256: string} | undefined;
			assert.ok(second !== undefined && second.path !== first, 'a new backup was taken');
			const secondAt = after.findIndex(l => l.kind === 'backup.finished');
			const verifiedAt = after.findIndex((l, i) => i > secondAt && l.kind === 'verify.finished' && (l.event['verification'] as {ok: boolean}).ok);
			const upgradeAt = after.findIndex(l => l.kind === 'migration.started');
			assert.ok(verifiedAt > secondAt && upgradeAt > verifiedAt, 'the new backup is verified before the first migration');
			await assertMigrationsWhole(target, demoProbes(target));
			assertVerifies(target, journal);
		}));
	});
}
