import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {prepareDemoTarget} from '../support/demo-targets.js';
import {cutover, records, resume} from './interrupted-runs.js';

describe('cutover resume: what it refuses', () => {
	it('lists nothing when every run finished, refuses to resume a finished run, and needs --confirm-db in plain mode', async () => {
		const target = await prepareDemoTarget('sqlite');
		try {
			const dirs = ['--records', records(target), '--backups', path.join(target.dir, 'backups')];
			const run = cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, ...dirs]);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			const journal = path.join(records(target), readdirSync(records(target)).find(f => f.endsWith('.jsonl'))!);
			const before = readFileSync(journal, 'utf8');

			const listed = cutover(target, ['resume', ...dirs]);
			assert.equal(listed.code, 0);
			assert.match(listed.stdout, /no unfinished runs/);

			const finished = resume(target, journal);
			assert.equal(finished.code, 1);
			assert.match(finished.stderr, /already finished \(upgraded\)/);

			const noName = cutover(target, ['resume', journal, '--plain', ...dirs]);
			assert.equal(noName.code, 2);
			assert.match(noName.stderr, /--confirm-db/);
			assert.equal(readFileSync(journal, 'utf8'), before, 'a refused resume writes nothing');
		} finally {
			await target.cleanup();
		}
	});
});
