import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {WATCH_ACTIONS_FILE} from '../../source/cli/commands/watch.js';
import {listRecords} from '../../source/verify/record-list.js';
import {cli, cliEnv, cutover, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';

/** One line as cutover watch logs a cancel. */
const watchLine = (pid: number) => `${JSON.stringify({at: new Date().toISOString(), osUser: 'root', operator: 'root', host: 'vm', target: 'postgres://db/x', kind: 'cancel', pid, ok: true, detail: `pg_cancel_backend(${pid}) sent`, query: 'SELECT 1', user: 'app', database: 'x'})}\n`;

describe('files in a records directory that are not records', () => {
	let target: DemoTarget;
	let records: string;
	before(async () => {
		target = await prepareDemoTarget('sqlite');
		records = path.join(target.dir, 'records');
		const run = cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')]);
		assert.equal(run.code, 0, run.stdout + run.stderr);
	});
	after(async () => target.cleanup());

	it('the watch\'s action log lives in a folder of its own, which verify does not read as a record', () => {
		assert.equal(path.dirname(WATCH_ACTIONS_FILE), 'watch');
		mkdirSync(path.join(records, 'watch'));
		writeFileSync(path.join(records, WATCH_ACTIONS_FILE), watchLine(4242));
		const verified = cutover(target, ['verify', records]);
		assert.equal(verified.code, 0, verified.stdout + verified.stderr);
		assert.match(verified.stdout, /verified: 1 record,/);
	});

	it('an older cutover\'s watch-actions.jsonl beside the records is reported as skipped, not as a broken record', () => {
		writeFileSync(path.join(records, 'watch-actions.jsonl'), watchLine(4242) + watchLine(4343));
		const verified = cutover(target, ['verify', records]);
		assert.equal(verified.code, 0, verified.stdout + verified.stderr);
		assert.match(verified.stdout, /^skip watch-actions\.jsonl: not a change record/m);
		assert.doesNotMatch(verified.stdout, /FAIL/);
		assert.deepEqual(listRecords(records).map(r => r.name).filter(n => n.includes('watch')), []);
		// The next run chains to the record, not to the log.
		const run = cutover(target, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', target.name, '--records', records, '--backups', path.join(target.dir, 'backups')]);
		assert.equal(run.code, 0, run.stdout + run.stderr);
		assert.equal(cutover(target, ['verify', records]).code, 0);
	});

	it('a record cutover named is never skipped: a damaged first line fails it', () => {
		const [record] = listRecords(records);
		const text = readFileSync(record!.path, 'utf8');
		writeFileSync(record!.path, `garbage${text.slice(text.indexOf('\n'))}`);
		const result = spawnSync(process.execPath, [cli, 'verify', records], {encoding: 'utf8', env: {...process.env, ...cliEnv(target)}});
		assert.equal(result.status, 1, result.stdout);
		assert.match(result.stdout, new RegExp(`FAIL ${record!.name.replaceAll('.', '\\.')}`));
		assert.match(result.stdout, /NOT VERIFIED/);
	});
});
