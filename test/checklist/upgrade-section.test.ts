import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {loadChecklist} from '../../source/checklist/index.js';
import {parseDuration} from '../../source/checklist/duration.js';
import {ChecklistError} from '../../source/errors/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-checklist-upgrade-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
function write(upgrade: string): string {
	const file = path.join(dir, `checklist-${counter++}.yaml`);
	writeFileSync(file, `name: small\nwindow:\n  expected-minutes: 15\nchecks:\n  pre: []\n${upgrade}`);
	return file;
}

test('durations need their unit', () => {
	assert.deepEqual(['500ms', '5s', '1.5s', '2m', ' 3S ', '5', '5 sec', '-1s', 's', ''].map(parseDuration), [500, 5000, 1500, 120_000, 3000, null, null, null, null, null]);
});

test('no upgrade section: the migrator\'s defaults apply', async () => {
	assert.deepEqual((await loadChecklist(write(''))).upgrade, {});
});

test('an upgrade section sets lock timeout, attempts and backoff', async () => {
	const checklist = await loadChecklist(write('upgrade:\n  lock-timeout: 2s\n  attempts: 4\n  backoff: 250ms\n'));
	assert.deepEqual(checklist.upgrade, {lockTimeoutMs: 2000, maxAttempts: 4, backoffMs: 250});
});

test('each key is optional; the flow form works too', async () => {
	assert.deepEqual((await loadChecklist(write('upgrade: {attempts: 1}\n'))).upgrade, {maxAttempts: 1});
	assert.deepEqual((await loadChecklist(write('upgrade:\n'))).upgrade, {});
});

const cases: Array<{name: string; upgrade: string; where: string; problem: RegExp}> = [
	{name: 'a bare number of seconds', upgrade: 'upgrade:\n  lock-timeout: 5\n', where: 'upgrade.lock-timeout', problem: /expected a duration with its unit, such as 500ms, 5s or 2m, found 5 \(line 7\)/},
	{name: 'a lock timeout of zero', upgrade: 'upgrade:\n  lock-timeout: 0s\n', where: 'upgrade.lock-timeout', problem: /0s is out of range/},
	{name: 'a lock timeout of an hour', upgrade: 'upgrade:\n  lock-timeout: 60m\n', where: 'upgrade.lock-timeout', problem: /60m is out of range: give between 1ms and 600s/},
	{name: 'zero attempts', upgrade: 'upgrade:\n  attempts: 0\n', where: 'upgrade.attempts', problem: /expected a whole number from 1 to 20, found 0/},
	{name: 'a fractional attempt count', upgrade: 'upgrade:\n  attempts: 2.5\n', where: 'upgrade.attempts', problem: /whole number/},
	{name: 'a misspelt key', upgrade: 'upgrade:\n  lock-timout: 5s\n', where: 'upgrade.lock-timout', problem: /unknown key "lock-timout"; did you mean "lock-timeout"\?/},
	{name: 'a list instead of a mapping', upgrade: 'upgrade:\n  - 5s\n', where: 'upgrade', problem: /expected a mapping/},
];

for (const {name, upgrade, where, problem} of cases) {
	test(`refused: ${name}`, async () => {
		const file = write(upgrade);
		await assert.rejects(loadChecklist(file), (error: unknown) => {
			assert.ok(error instanceof ChecklistError, String(error));
			assert.equal(error.where, where);
			assert.match(error.message, problem);
			return true;
		});
	});
}
