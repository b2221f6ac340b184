import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {CHAIN_LOCK_FILE, lockChain} from '../../source/verify/chain-lock.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-chain-lock-'));

describe('the chain lock of a records directory', () => {
	after(() => rmSync(dir, {recursive: true, force: true}));

	it('a second start waits until the first has its place, then takes it', async () => {
		const first = await lockChain(dir);
		const order: string[] = [];
		const second = lockChain(dir).then(lock => {
			order.push('second');
			return lock;
		});
		await new Promise(resolve => setTimeout(resolve, 100));
		order.push('first released');
		first.release();
		(await second).release();
		assert.deepEqual(order, ['first released', 'second']);
		assert.equal(existsSync(path.join(dir, CHAIN_LOCK_FILE)), false);
	});

	it('a records directory that cannot be written is a clear error', async () => {
		const file = path.join(dir, 'not-a-directory');
		writeFileSync(file, '');
		await assert.rejects(lockChain(path.join(file, 'records')), /cannot write in the records directory .*not-a-directory\/records/);
	});

	it('a lock left by a process that is gone is taken over', async () => {
		const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
		writeFileSync(path.join(dir, CHAIN_LOCK_FILE), `${gone.stdout}\n`);
		const lock = await lockChain(dir);
		lock.release();
	});
});
