import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {loadChecklist} from '../../source/checklist/index.js';
import {parseSize} from '../../source/checklist/size.js';
import {ChecklistError} from '../../source/errors/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-checklist-backup-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
function write(backup: string): string {
	const file = path.join(dir, `checklist-${counter++}.yaml`);
	writeFileSync(file, `name: small\nwindow:\n  expected-minutes: 15\nchecks:\n  pre: []\n${backup}`);
	return file;
}

test('sizes need their unit, 1024-based', () => {
	assert.deepEqual(['1GB', '500MB', '64kB', '1.5 gb', '10b', '2TB', '1024', '1 G', 'GB', '-1MB', ''].map(parseSize),
		[1024 ** 3, 500 * 1024 ** 2, 64 * 1024, 1.5 * 1024 ** 3, 10, 2 * 1024 ** 4, null, null, null, null, null]);
});

test('no backup section: the backup tool\'s defaults apply', async () => {
	assert.equal((await loadChecklist(write(''))).backup, undefined);
	assert.equal((await loadChecklist(write('backup:\n'))).backup, undefined);
});

test('a backup section sets format, threshold, jobs and compression; each key optional', async () => {
	assert.deepEqual((await loadChecklist(write('backup:\n  format: auto\n  parallel-threshold: 200MB\n  jobs: 3\n  compression: 0\n'))).backup,
		{format: 'auto', parallelThresholdBytes: 200 * 1024 ** 2, jobs: 3, compression: 0});
	assert.deepEqual((await loadChecklist(write('backup: {format: directory}\n'))).backup, {format: 'directory'});
	assert.deepEqual((await loadChecklist(write('backup: {compression: 6}\n'))).backup, {compression: 6});
});

const cases: Array<{name: string; backup: string; where: string; problem: RegExp}> = [
	{name: 'an unknown format', backup: 'backup:\n  format: tar\n', where: 'backup.format', problem: /expected one of auto, custom, directory .*found "tar" \(line 7\)/},
	{name: 'a threshold without its unit', backup: 'backup:\n  parallel-threshold: 1024\n', where: 'backup.parallel-threshold', problem: /expected a size with its unit, such as 500MB or 1GB, found 1024 \(line 7\)/},
	{name: 'a threshold beyond reason', backup: 'backup:\n  parallel-threshold: 5000TB\n', where: 'backup.parallel-threshold', problem: /5000TB is out of range/},
	{name: 'a threshold with a format that leaves no choice', backup: 'backup:\n  format: custom\n  parallel-threshold: 1GB\n', where: 'backup.parallel-threshold', problem: /format: custom leaves no choice: remove one of them \(line 8\)/},
	{name: 'zero jobs', backup: 'backup:\n  jobs: 0\n', where: 'backup.jobs', problem: /expected a whole number from 1 to 32, found 0/},
	{name: 'a compression level past 9', backup: 'backup:\n  compression: 10\n', where: 'backup.compression', problem: /expected a whole number from 0 to 9, found 10 \(line 7\)/},
	{name: 'a misspelt key', backup: 'backup:\n  parallel_threshold: 1GB\n', where: 'backup.parallel_threshold', problem: /unknown key "parallel_threshold"; did you mean "parallel-threshold"\?/},
	{name: 'a list instead of a mapping', backup: 'backup:\n  - directory\n', where: 'backup', problem: /expected a mapping/},
];

for (const {name, backup, where, problem} of cases) {
	test(`refused: ${name}`, async () => {
		const file = write(backup);
		await assert.rejects(loadChecklist(file), (error: unknown) => {
			assert.ok(error instanceof ChecklistError, String(error));
			assert.equal(error.where, where);
			assert.match(error.message, problem);
			assert.ok(error.message.includes(file), 'the message names the file');
			return true;
		});
	});
}
