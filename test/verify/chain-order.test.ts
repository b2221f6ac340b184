import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {listRecords} from '../../source/verify/record-list.js';
import {cli, demoMigrations, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';
import {exitPattern, openTerminal} from '../support/tmux.js';

/** Runs started at once, each on a database of its own, and how many times. */
const PARALLEL = 4;
const ROUNDS = 3;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-chain-'));
const config = path.join(scratch, 'config');

/** `cutover <args>` as a child process, resolved with its exit code and output. */
function cutover(args: string[]): Promise<{code: number | null; out: string}> {
	return new Promise(resolve => {
		const child = spawn(process.execPath, [cli, ...args], {env: {...process.env, CUTOVER_CONFIG_DIR: config, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString('utf8');
		});
		child.stderr.on('data', (chunk: Buffer) => {
			out += chunk.toString('utf8');
		});
		child.on('exit', code => resolve({code, out}));
	});
}

/** A plain run with nothing to do (the demo at 0004), quick enough for several to start within one second. */
const quickRun = (target: DemoTarget, records: string) => cutover(['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(scratch, 'backups')]);

/** Each record names the one before it in start order, and the first names none. */
function assertLinkedInOrder(records: string, count: number) {
	const listed = listRecords(records);
	assert.equal(listed.length, count);
	for (const [i, record] of listed.entries()) {
		const first = readJournal(readFileSync(record.path, 'utf8'))[0]!;
		const previous = first.event['previousRecord'] as {file: string} | null;
		assert.equal(previous?.file ?? null, i === 0 ? null : listed[i - 1]!.name, `${record.name} links to the record started just before it`);
	}
}

describe('runs started into one records directory within a second', () => {
	const targets: DemoTarget[] = [];
	after(async () => {
		for (const target of targets) {
			// eslint-disable-next-line no-await-in-loop -- cleanup
			await target.cleanup();
		}

		rmSync(scratch, {recursive: true, force: true});
	});

	it('concurrently, each on its own database: the chain links them in start order and verify accepts the directory', async () => {
		for (let i = 0; i < PARALLEL; i++) {
			// eslint-disable-next-line no-await-in-loop -- setup
			targets.push(await prepareDemoTarget('sqlite'));
		}

		const prepared = path.join(scratch, 'prepare');
		// Bring each to 0004 first, so the runs under test are quick.
		for (const target of targets) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const run = await quickRun(target, prepared);
			assert.equal(run.code, 0, run.out);
		}

		const records = path.join(scratch, 'concurrent');
		for (let round = 0; round < ROUNDS; round++) {
			// eslint-disable-next-line no-await-in-loop -- rounds one after the other, each with every database at once
			const runs = await Promise.all(targets.map(async target => quickRun(target, records)));
			for (const run of runs) {
				assert.equal(run.code, 0, run.out);
			}
		}

		const verified = await cutover(['verify', records]);
		assert.equal(verified.code, 0, verified.out);
		assert.match(verified.out, new RegExp(`verified: ${PARALLEL * ROUNDS} records`));
		assertLinkedInOrder(records, PARALLEL * ROUNDS);
	});

	it('in consoles started at once (each journals run.started only once its screen is up): verify accepts the directory', async () => {
		const records = path.join(scratch, 'consoles');
		const terminals = targets.map(target => openTerminal([process.execPath, cli, 'run', '--db', target.db, '--migrations', demoMigrations, '--checklist', productionChecklist, '--records', records, '--backups', path.join(scratch, 'backups')], {
			env: {CUTOVER_CONFIG_DIR: config, NO_COLOR: '1'},
			cwd: scratch,
		}));
		try {
			for (const terminal of terminals) {
				// eslint-disable-next-line no-await-in-loop -- each console to its summary, then out
				await terminal.waitFor('NOTHING TO DO', 60_000);
				// eslint-disable-next-line no-await-in-loop -- one key, then its frame
				await terminal.keys('q');
				// eslint-disable-next-line no-await-in-loop -- one key, then its frame
				assert.equal(exitPattern.exec(await terminal.waitFor(exitPattern))?.[1], '0');
			}
		} finally {
			for (const terminal of terminals) {
				terminal.close();
			}
		}

		const verified = await cutover(['verify', records]);
		assert.equal(verified.code, 0, verified.out);
		assertLinkedInOrder(records, PARALLEL);
	});

	it('one after the other within a second: verify accepts the directory', async () => {
		const [a] = targets as [DemoTarget];
		const records = path.join(scratch, 'sequential');
		const started = Date.now();
		for (let i = 0; i < 3; i++) {
			// eslint-disable-next-line no-await-in-loop -- sequential on purpose
			const run = await quickRun(a, records);
			assert.equal(run.code, 0, run.out);
		}

		const names = listRecords(records).map(r => r.name);
		assertLinkedInOrder(records, 3);
		const verified = await cutover(['verify', records]);
		assert.equal(verified.code, 0, `${verified.out}\n(${Date.now() - started} ms for the three runs: ${names.join(', ')})`);
	});
});
