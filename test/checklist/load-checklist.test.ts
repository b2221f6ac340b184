import {createHash} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import assert from 'node:assert/strict';
import {loadChecklist, sqlFor} from '../../source/checklist/index.js';
import {ChecklistError} from '../../source/errors/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-checklist-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
function write(text: string): string {
	const file = path.join(dir, `checklist-${counter++}.yaml`);
	writeFileSync(file, text);
	return file;
}

const valid = `name: small
window:
  expected-minutes: 15
preparation:
  - id: told
    text: People were told
maintenance:
  on: echo on
checks:
  pre:
    - id: dupes
      title: Duplicates
      blocking: false
      expect: no-rows
      sql: SELECT id FROM t
    - id: engine-specific
      title: Only on SQLite
      expect: some-rows
      sql:
        sqlite: SELECT 1
  post:
    - id: same
      title: Same as before
      expect: {same-rows-as: pre.dupes}
      sql: SELECT id FROM archive
    - id: same-again
      title: Same as the post check above, named without its phase
      expect:
        same-rows-as: same
      sql: SELECT id FROM archive
`;

test('a valid checklist loads with defaults filled in', async () => {
	const file = write(valid);
	const checklist = await loadChecklist(path.relative(process.cwd(), file));
	assert.equal(checklist.path, file);
	assert.equal(checklist.sha256, createHash('sha256').update(valid).digest('hex'));
	assert.equal(checklist.name, 'small');
	assert.deepEqual(checklist.window, {expectedMinutes: 15});
	assert.deepEqual(checklist.preparation, [{id: 'told', text: 'People were told'}]);
	assert.deepEqual(checklist.maintenance, {on: 'echo on', off: null, offWhenMidChange: false});
	assert.deepEqual(checklist.checks.pre.map(c => [c.id, c.blocking, c.expect]), [
		['dupes', false, {kind: 'no-rows'}],
		['engine-specific', true, {kind: 'some-rows'}],
	]);
	assert.deepEqual(checklist.checks.post.map(c => c.expect), [
		{kind: 'same-rows-as', check: 'pre.dupes'},
		{kind: 'same-rows-as', check: 'post.same'},
	]);
	const [dupes, engineSpecific] = checklist.checks.pre;
	assert.equal(sqlFor(dupes!, 'postgres'), 'SELECT id FROM t');
	assert.equal(sqlFor(dupes!, 'sqlite'), 'SELECT id FROM t');
	assert.equal(sqlFor(engineSpecific!, 'sqlite'), 'SELECT 1');
	assert.equal(sqlFor(engineSpecific!, 'postgres'), null);
});

test('maintenance: off-when-mid-change: true is read', async () => {
	const checklist = await loadChecklist(write(valid.replace('  on: echo on\n', '  on: echo on\n  off: echo off\n  off-when-mid-change: true\n')));
	assert.deepEqual(checklist.maintenance, {on: 'echo on', off: 'echo off', offWhenMidChange: true});
});

const cases: Array<{name: string; edit: (text: string) => string; where: string; problem: RegExp}> = [
	{name: 'a typo in a check key', edit: t => t.replace('      blocking: false', '      blockng: false'), where: 'checks.pre[0].blockng', problem: /unknown key "blockng"; did you mean "blocking"\?.*\(line 13\)/},
	{name: 'an unknown top-level key', edit: t => `${t}rollback: never\n`, where: 'rollback', problem: /unknown key "rollback"/},
	{name: 'a missing name', edit: t => t.replace('name: small\n', ''), where: 'name', problem: /"name" is missing/},
	{name: 'a missing sql', edit: t => t.replace('      sql: SELECT id FROM t\n', ''), where: 'checks.pre[0].sql', problem: /"sql" is missing: give sql: with expect:, or one of unique, not_null, .* \(line 11\)/},
	{name: 'a missing expected-minutes', edit: t => t.replace('  expected-minutes: 15\n', '  minutes: 15\n'), where: 'window.minutes', problem: /unknown key "minutes"/},
	{name: 'minutes that are not a number', edit: t => t.replace('expected-minutes: 15', 'expected-minutes: soon'), where: 'window.expected-minutes', problem: /expected a number of minutes above 0, found "soon"/},
	{name: 'a duplicate check id', edit: t => t.replace('id: engine-specific', 'id: dupes'), where: 'checks.pre[1].id', problem: /duplicate id "dupes" in checks\.pre/},
	{name: 'a duplicate preparation id', edit: t => t.replace('    text: People were told\n', '    text: People were told\n  - id: told\n    text: Again\n'), where: 'preparation[1].id', problem: /duplicate id "told"/},
	{name: 'an unknown expectation', edit: t => t.replace('expect: no-rows', 'expect: no-row'), where: 'checks.pre[0].expect', problem: /unknown expectation "no-row": use no-rows, some-rows, \{at-least: N\}, \{scalar: '<= 5'\}, \{columns-equal: \[a, b\]\} or \{same-rows-as: pre\.<check id>\} \(line 14\)/},
	{name: 'an expectation of the wrong shape', edit: t => t.replace('expect: no-rows', 'expect: 3'), where: 'checks.pre[0].expect', problem: /expected no-rows, some-rows/},
	{name: 'a typo inside same-rows-as', edit: t => t.replace('{same-rows-as: pre.dupes}', '{same-rows: pre.dupes}'), where: 'checks.post[0].expect.same-rows', problem: /unknown key "same-rows"; did you mean "same-rows-as"\?/},
	{name: 'same-rows-as an unknown check', edit: t => t.replace('pre.dupes}', 'pre.nope}'), where: 'checks.post[0].expect.same-rows-as', problem: /"pre\.nope" is not a check that runs before post\.same \(earlier checks: pre\.dupes, pre\.engine-specific\)/},
	{name: 'same-rows-as a later check', edit: t => t.replace('same-rows-as: same\n', 'same-rows-as: post.later\n').replace('      sql: SELECT id FROM archive\n', '      sql: SELECT id FROM archive\n    - id: later\n      title: Later\n      expect: no-rows\n      sql: SELECT 1\n').replace('pre.dupes}', 'post.same-again}'), where: 'checks.post[0].expect.same-rows-as', problem: /"post\.same-again" is not a check that runs before post\.same/},
	{name: 'same-rows-as itself', edit: t => t.replace('same-rows-as: same\n', 'same-rows-as: same-again\n'), where: 'checks.post[1].expect.same-rows-as', problem: /same-again cannot compare with itself/},
	{name: 'a pre check pointing at a post check', edit: t => t.replace('expect: some-rows', 'expect: {same-rows-as: post.same}'), where: 'checks.pre[1].expect.same-rows-as', problem: /"post\.same" is not a check that runs before pre\.engine-specific/},
	{name: 'sql for an unknown engine', edit: t => t.replace('        sqlite: SELECT 1', '        mysql: SELECT 1'), where: 'checks.pre[1].sql.mysql', problem: /unknown key "mysql" \(allowed: sqlite, postgres\)/},
	{name: 'empty sql', edit: t => t.replace('sql: SELECT id FROM t', 'sql: ""'), where: 'checks.pre[0].sql', problem: /expected non-empty text, found empty text/},
	{name: 'an sql map with no engine', edit: t => t.replace('        sqlite: SELECT 1\n', '        {}\n'), where: 'checks.pre[1].sql', problem: /give the SQL as text for both engines/},
	{name: 'off-when-mid-change that is not a boolean', edit: t => t.replace('  on: echo on\n', '  on: echo on\n  off-when-mid-change: sometimes\n'), where: 'maintenance.off-when-mid-change', problem: /expected true or false, found "sometimes"/},
	{name: 'a typo in off-when-mid-change', edit: t => t.replace('  on: echo on\n', '  on: echo on\n  off-when-midchange: true\n'), where: 'maintenance.off-when-midchange', problem: /unknown key "off-when-midchange"; did you mean "off-when-mid-change"\?/},
	{name: 'blocking that is not a boolean', edit: t => t.replace('blocking: false', 'blocking: "no"'), where: 'checks.pre[0].blocking', problem: /expected true or false, found "no"/},
	{name: 'a bad id', edit: t => t.replace('id: dupes', 'id: Dupes Check'), where: 'checks.pre[0].id', problem: /"Dupes Check" is not a valid id/},
	{name: 'checks that are not a list', edit: t => t.replace(/ {2}post:\n[\s\S]*$/, '  post: SELECT 1\n'), where: 'checks.post', problem: /expected a list/},
	{name: 'a check that is not a mapping', edit: t => t.replace('  pre:\n', '  pre:\n    - just text\n'), where: 'checks.pre[0]', problem: /expected a mapping \(key: value lines\), found "just text" \(line 11\)/},
	{name: 'a YAML syntax error', edit: t => t.replace('      title: Duplicates\n', '      title: Duplicates\n     broken: [\n'), where: '', problem: /YAML syntax error at line 1[34]:/},
	{name: 'a repeated YAML key', edit: t => t.replace('      title: Duplicates\n', '      title: Duplicates\n      title: Again\n'), where: '', problem: /YAML syntax error at line 13: Map keys must be unique/},
	{name: 'two documents', edit: t => `${t}---\nname: other\n`, where: '', problem: /holds 2 YAML documents \(a second starts at line 31\)/},
	{name: 'an empty file', edit: () => '', where: '', problem: /the file holds no checklist: it is empty or only comments/},
	{name: 'a file of comments only', edit: () => '# nothing yet\n', where: '', problem: /the file holds no checklist: it is empty or only comments/},
];

for (const {name, edit, where, problem} of cases) {
	test(`checklist error: ${name}`, async () => {
		const text = edit(valid);
		assert.notEqual(text, valid, 'the edit must change the checklist');
		const file = write(text);
		await assert.rejects(loadChecklist(file), (error: unknown) => {
			assert.ok(error instanceof ChecklistError, String(error));
			assert.equal(error.file, file);
			assert.equal(error.where, where);
			assert.match(error.message, problem);
			assert.ok(error.message.startsWith(`${file}: `), error.message);
			return true;
		});
	});
}

test('checklist error: a file that does not exist', async () => {
	const file = path.join(dir, 'missing.yaml');
	await assert.rejects(loadChecklist(file), (error: unknown) => error instanceof ChecklistError && /cannot read the checklist: ENOENT/.test(error.message));
});

test('every check has a timeout: its own, else the checklist\'s default, else 30 s', async () => {
	const plain = await loadChecklist(write(valid));
	assert.deepEqual([...plain.checks.pre, ...plain.checks.post].map(c => c.timeoutMs), [30_000, 30_000, 30_000, 30_000]);
	const timed = await loadChecklist(write(valid
		.replace('checks:\n', 'checks:\n  timeout: 2m\n')
		.replace('      expect: some-rows\n', '      expect: some-rows\n      timeout: 1.5s\n')));
	assert.deepEqual([...timed.checks.pre, ...timed.checks.post].map(c => [c.id, c.timeoutMs]), [['dupes', 120_000], ['engine-specific', 1500], ['same', 120_000], ['same-again', 120_000]]);
});

const timeoutCases: Array<{name: string; edit: (text: string) => string; where: string; problem: RegExp}> = [
	{name: 'a check timeout without its unit', edit: t => t.replace('      blocking: false\n', '      blocking: false\n      timeout: 5\n'), where: 'checks.pre[0].timeout', problem: /expected a duration with its unit, such as 500ms, 5s or 2m, found 5 \(line 14\)/},
	{name: 'a check timeout out of range', edit: t => t.replace('      blocking: false\n', '      blocking: false\n      timeout: 2h\n'), where: 'checks.pre[0].timeout', problem: /expected a duration with its unit.*found "2h" \(line 14\)/},
	{name: 'a check timeout too short', edit: t => t.replace('      blocking: false\n', '      blocking: false\n      timeout: 10ms\n'), where: 'checks.pre[0].timeout', problem: /10ms is out of range: give between 100ms and 3600s \(line 14\)/},
	{name: 'a default timeout that is not a duration', edit: t => t.replace('checks:\n', 'checks:\n  timeout: soon\n'), where: 'checks.timeout', problem: /expected a duration with its unit.*found "soon" \(line 10\)/},
	{name: 'a typo in the timeout key', edit: t => t.replace('      blocking: false\n', '      blocking: false\n      timout: 5s\n'), where: 'checks.pre[0].timout', problem: /unknown key "timout"; did you mean "timeout"\?/},
];

for (const {name, edit, where, problem} of timeoutCases) {
	test(`checklist error: ${name}`, async () => {
		const file = write(edit(valid));
		await assert.rejects(loadChecklist(file), (error: unknown) => {
			assert.ok(error instanceof ChecklistError, String(error));
			assert.equal(error.where, where);
			assert.match(error.message, problem);
			assert.ok(error.message.startsWith(`${file}: `), error.message);
			return true;
		});
	});
}
