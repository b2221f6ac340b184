// Fault matrix: the disk of the backups directory fills up during the backup: a 2 MB tmpfs (where
// mounting is allowed), and RLIMIT_FSIZE on the run (everywhere). Expected: the backup fails with a clear
// message, no upgrade, the partial file removed, every table as before.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {constants} from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type {Engine} from '../../source/engine/model.js';
import {cli, cliEnv, cutover, prepareDemoTarget, readJournal, type DemoTarget} from '../support/demo-targets.js';
import {assertClearMessage, assertNothingLost, assertVerifies, filesIn, smallDisk, snapshotTables} from '../support/faults.js';

const DISK = 2 * 1024 * 1024;

/** About 4 MB of incompressible rows: more than the small disk holds, in any backup format. */
async function addBallast(target: DemoTarget) {
	if (target.engine === 'postgres') {
		await target.rows("CREATE TABLE ballast (id integer PRIMARY KEY, b bytea); INSERT INTO ballast SELECT i, decode(string_agg(md5(random()::text || i || j), ''), 'hex') FROM generate_series(1, 4000) i, generate_series(1, 64) j GROUP BY i");
		return;
	}

	const db = new BetterSqlite3(target.db.slice('sqlite:'.length));
	try {
		db.exec('CREATE TABLE ballast (id integer PRIMARY KEY, b blob); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000) INSERT INTO ballast SELECT x, randomblob(1024) FROM c;');
	} finally {
		db.close();
	}
}

/** The run under RLIMIT_FSIZE: no file it (or pg_dump) writes may grow past the small disk's size. */
function limited(target: DemoTarget, args: string[]) {
	const result = spawnSync('prlimit', [`--fsize=${DISK}`, '--', process.execPath, cli, ...args], {encoding: 'utf8', env: {...process.env, ...cliEnv(target)}, timeout: 120_000});
	return {code: result.status, stdout: result.stdout, stderr: `${result.stderr}${result.signal === null ? '' : `\n(killed by ${result.signal})`}`};
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
	describe(`the backups disk fills up during the backup, on ${engine}`, () => {
		for (const method of ['tmpfs', 'RLIMIT_FSIZE'] as const) {
			it(`${method}: the backup fails saying the disk is full, the partial file is removed, nothing is upgraded, the record verifies`, async t => withTarget(engine, async target => {
				// A tmpfs where mounting is allowed; RLIMIT_FSIZE on the run fails the write of any file past the size, anywhere.
				const disk = method === 'tmpfs' ? smallDisk(DISK) : undefined;
				if (method === 'tmpfs' && disk === undefined) {
					t.skip('mounting a tmpfs is not allowed here; the RLIMIT_FSIZE case stands for it');
					return;
				}

				const backups = disk?.dir ?? path.join(target.dir, 'backups');
				try {
					await addBallast(target);
					const before = await snapshotTables(target);
					const records = path.join(target.dir, 'records');
					const args = ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', backups];
					const run = disk === undefined ? limited(target, args) : cutover(target, args);
					assert.equal(run.code, 1, run.stdout + run.stderr);
					// The backup fails on the full disk; a preflight that checks the room first may refuse before it starts.
					assertClearMessage(run.stdout + run.stderr, /(backup FAILED: .*(No space left|disk is full|SIGXFSZ|disk I\/O error))|(\b(space|room|free)\b.*backup)|(backup.*\b(space|room|free)\b)/i);
					assert.deepEqual(filesIn(backups), [], 'the partial backup is removed');
					const record = filesIn(records).find(f => f.endsWith('.jsonl'));
					if (record !== undefined) {
						const kinds = readJournal(readFileSync(path.join(records, record), 'utf8')).map(l => l.kind);
						assert.ok(!kinds.includes('backup.finished') && !kinds.includes('upgrade.started'), kinds.join(' '));
						assert.equal(kinds.at(-1), 'run.finished');
						if (engine === 'postgres' && method === 'RLIMIT_FSIZE') {
							const lines = readJournal(readFileSync(path.join(records, record), 'utf8'));
							const dump = lines.find(l => l.kind === 'command.started' && String(l.event['command']).startsWith('pg_dump'));
							const end = lines.find(l => l.kind === 'command.finished' && l.event['id'] === dump?.event['id']);
							assert.equal(end?.event['exitCode'], 128 + constants.signals.SIGXFSZ, 'pg_dump ended by SIGXFSZ is recorded as a shell reports it');
						}

						assertVerifies(target, path.join(records, record));
					}

					await assertNothingLost(target, before, 'the failed backup');
				} finally {
					disk?.unmount();
				}
			}));
		}
	});
}
