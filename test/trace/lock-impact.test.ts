import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {blocksReads, blocksWrites, judgeStatement, LARGE_TABLE_BYTES, lockModes, SMALL_TABLE_BYTES, type LockImpact, type LockMode} from '../../source/engine/lock-impact.js';

describe('lock modes: what ordinary reads and writes wait for', () => {
	it('follows PostgreSQL\'s conflict table: reads wait only for ACCESS EXCLUSIVE, writes for SHARE and stronger', () => {
		const table: Record<LockMode, [boolean, boolean]> = {
			AccessShareLock: [false, false],
			RowShareLock: [false, false],
			RowExclusiveLock: [false, false],
			ShareUpdateExclusiveLock: [false, false],
			ShareLock: [false, true],
			ShareRowExclusiveLock: [false, true],
			ExclusiveLock: [false, true],
			AccessExclusiveLock: [true, true],
		};
		for (const mode of lockModes) {
			assert.deepEqual([blocksReads(mode), blocksWrites(mode)], table[mode], mode);
		}
	});
});

describe('verdicts scaled by the target\'s sizes', () => {
	const lock = (mode: LockMode, size: LockImpact['size'], rewrite = false, heldSince = 1): LockImpact => ({relation: 'accounts', mode, rewrite, heldSince, size});
	const at = {index: 1, last: true};

	const cases: Array<[string, LockImpact[], string]> = [
		['no lock on a table', [], 'ok: takes no lock on a table of the target'],
		['a lock that blocks nothing, on a large table', [lock('ShareUpdateExclusiveLock', {bytes: 40 * LARGE_TABLE_BYTES, rows: 120e6})], 'ok: blocks no reads or writes'],
		['ACCESS EXCLUSIVE on a small table', [lock('AccessExclusiveLock', {bytes: 16_384, rows: 3})], 'ok: blocks reads and writes on accounts, which is small (16.0 kB, ~3 rows)'],
		['ACCESS EXCLUSIVE on 40 GB', [lock('AccessExclusiveLock', {bytes: 40 * LARGE_TABLE_BYTES, rows: 120e6})], 'danger: blocks reads and writes on accounts (40.0 GB, ~120M rows) for as long as the statement runs'],
		['SHARE on a middling table', [lock('ShareLock', {bytes: 2 * SMALL_TABLE_BYTES, rows: 50_000})], 'caution: blocks writes on accounts (20.0 MB, ~50k rows) for as long as the statement runs'],
		['a rewrite of 2 GB', [lock('AccessExclusiveLock', {bytes: 2 * LARGE_TABLE_BYTES, rows: null}, true)], 'danger: rewrites accounts (2.0 GB, never analysed): reads and writes wait for the whole copy'],
		['a table an earlier pending migration makes', [lock('AccessExclusiveLock', 'new')], 'ok: accounts is not on the target yet (this run makes it first)'],
		['a table not found on the target', [lock('ShareLock', null)], 'caution: blocks writes on accounts (not found on the target: size unknown)'],
		['a million rows in a small file is large', [lock('ShareLock', {bytes: 8 * SMALL_TABLE_BYTES, rows: 1_000_000})], 'danger: blocks writes on accounts (80.0 MB, ~1.0M rows) for as long as the statement runs'],
	];
	for (const [what, impacts, verdict] of cases) {
		it(what, () => {
			assert.equal(judgeStatement(impacts, at).text, verdict);
		});
	}

	it('a lock of an earlier statement blocks until the commit, and says whose it is', () => {
		const verdict = judgeStatement([lock('AccessExclusiveLock', {bytes: 40 * LARGE_TABLE_BYTES, rows: 120e6}, false, 1)], {index: 2, last: false});
		assert.equal(verdict.text, 'danger: blocks reads and writes on accounts (40.0 GB, ~120M rows) from here until the migration commits (the lock of statement 1)');
	});
});
