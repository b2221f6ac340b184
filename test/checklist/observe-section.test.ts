import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {loadChecklist} from '../../source/checklist/index.js';
import {ChecklistError} from '../../source/errors/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-checklist-observe-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
function write(observe: string): string {
	const file = path.join(dir, `checklist-${counter++}.yaml`);
	writeFileSync(file, `name: small\nwindow:\n  expected-minutes: 15\nchecks:\n  pre: []\n${observe}`);
	return file;
}

test('no observe section, or 0 minutes: no observation period', async () => {
	assert.equal((await loadChecklist(write(''))).observe, undefined);
	assert.equal((await loadChecklist(write('observe: {minutes: 0}\n'))).observe, undefined);
	assert.equal((await loadChecklist(write('observe: {duration: 0s}\n'))).observe, undefined);
});

test('minutes (fractional too) or a duration, read every 5 s unless every: says otherwise', async () => {
	assert.deepEqual((await loadChecklist(write('observe: {minutes: 15}\n'))).observe, {durationMs: 900_000, everyMs: 5000});
	assert.deepEqual((await loadChecklist(write('observe: {minutes: 0.5}\n'))).observe, {durationMs: 30_000, everyMs: 5000});
	assert.deepEqual((await loadChecklist(write('observe:\n  duration: 2s\n  every: 500ms\n'))).observe, {durationMs: 2000, everyMs: 500});
});

const cases: Array<{observe: string; where: string; problem: RegExp}> = [
	{observe: 'observe: {minutes: 5, duration: 5m}\n', where: 'observe', problem: /give one of minutes: or duration:.*\(line 6\)/},
	{observe: 'observe: {}\n', where: 'observe', problem: /give one of minutes: or duration:/},
	{observe: 'observe: {minutes: -1}\n', where: 'observe.minutes', problem: /from 0 to 1440 \(0: no observation\), found -1 \(line 6\)/},
	{observe: 'observe: {minutes: "15"}\n', where: 'observe.minutes', problem: /found "15"/},
	{observe: 'observe:\n  duration: 15\n', where: 'observe.duration', problem: /duration with its unit.*\(line 7\)/},
	{observe: 'observe: {minutes: 1, every: 10ms}\n', where: 'observe.every', problem: /out of range/},
	{observe: 'observe: {minutes: 1, evry: 5s}\n', where: 'observe.evry', problem: /unknown key "evry"; did you mean "every"\?/},
	{observe: 'observe: 15\n', where: 'observe', problem: /expected a mapping/},
];

for (const c of cases) {
	test(`refused: ${c.observe.trim()}`, async () => {
		const file = write(c.observe);
		await assert.rejects(loadChecklist(file), (error: unknown) => {
			assert.ok(error instanceof ChecklistError, String(error));
			assert.match(error.message, new RegExp(path.basename(file)));
			assert.match(error.message, new RegExp(c.where.replace('.', '\\.')));
			assert.match(error.message, c.problem);
			return true;
		});
	});
}
