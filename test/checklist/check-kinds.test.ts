// How a checklist gives each check kind, and what it is told when it gets one wrong: the file,
// the step, the line and the fix.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {loadChecklist, sqlFor} from '../../source/checklist/index.js';
import {parseInterval} from '../../source/checklist/data-tests.js';
import {describeExpectation} from '../../source/engine/judge.js';
import {ChecklistError} from '../../source/errors/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cutover-kinds-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

let counter = 0;
function write(text: string): string {
	const file = path.join(dir, `kinds-${counter++}.yaml`);
	writeFileSync(file, text);
	return file;
}

/** The case's lines start at line 11, in pre (or in post, at line 16). */
const checklist = (lines: string, phase: 'pre' | 'post' = 'pre') => `name: kinds
window:
  expected-minutes: 5
checks:
  pre:
    - id: meter-count
      title: Meters before
      row_count: {table: meters, min: 0}
    - id: c
      title: C
${phase === 'pre' ? lines : '      sql: SELECT 1\n      expect: some-rows\n'}  post:
    - id: d
      title: D
${phase === 'post' ? lines : '      sql: SELECT 1\n      expect: some-rows\n'}`;

const cases: Array<{name: string; lines: string; phase?: 'pre' | 'post'; where: string; problem: RegExp}> = [
	{name: 'severity contradicting blocking', lines: '      blocking: true\n      severity: warn\n      sql: SELECT 1\n      expect: no-rows\n', where: 'checks.pre[1].severity', problem: /severity: warn contradicts blocking: true: keep severity: and remove blocking: \(line 12\)/},
	{name: 'a severity that is not block or warn', lines: '      severity: low\n      sql: SELECT 1\n      expect: no-rows\n', where: 'checks.pre[1].severity', problem: /expected block or warn, found "low" \(line 11\)/},
	{name: 'an evidence limit of 0', lines: '      evidence: 0\n      sql: SELECT 1\n      expect: no-rows\n', where: 'checks.pre[1].evidence', problem: /expected a whole number from 1 to 1000, found 0 \(line 11\)/},
	{name: 'sql without expect', lines: '      sql: SELECT 1\n', where: 'checks.pre[1].expect', problem: /"expect" is missing: say what the SQL's rows must be/},
	{name: 'neither sql nor a kind', lines: '      severity: warn\n', where: 'checks.pre[1].sql', problem: /"sql" is missing: give sql: with expect:, or one of unique, not_null, accepted_values, accepted_range, recency, row_count, exists, absent, version, unexpected-tables/},
	{name: 'sql and a kind', lines: '      sql: SELECT 1\n      expect: no-rows\n      unique: {table: t, columns: [a]}\n', where: 'checks.pre[1].unique', problem: /unique brings its own SQL: give sql: with expect:, or unique:, not both \(line 13\)/},
	{name: 'two kinds in one check', lines: '      unique: {table: t, columns: [a]}\n      not_null: {table: t, column: a}\n', where: 'checks.pre[1].not_null', problem: /one kind per check: unique and not_null are separate checks, each with its own id \(line 12\)/},
	{name: 'expect beside a kind', lines: '      unique: {table: t, columns: [a]}\n      expect: no-rows\n', where: 'checks.pre[1].expect', problem: /unique brings its own expectation: remove expect: \(line 12\)/},
	{name: 'a kind misspelt', lines: '      not-null: {table: t, column: a}\n', where: 'checks.pre[1].not-null', problem: /unknown key "not-null"; did you mean "not_null"\?.* \(line 11\)/},
	{name: 'a scalar without its operator', lines: '      sql: SELECT 1\n      expect: {scalar: 5}\n', where: 'checks.pre[1].expect.scalar', problem: /expected an operator \(= != <= >= < >\) and a number in quotes, for example '<= 5', found 5 \(line 12\)/},
	{name: 'a comparison YAML reads as folded text', lines: '      sql: SELECT 1\n      expect: {scalar: >= 5}\n', where: '', problem: /YAML syntax error at line 12: .*; a value starting with > or \| must be quoted, for example scalar: '>= 5'$/},
	{name: 'at-least 0', lines: '      sql: SELECT 1\n      expect: {at-least: 0}\n', where: 'checks.pre[1].expect.at-least', problem: /expected a whole number from 1 to/},
	{name: 'columns-equal with three columns', lines: '      sql: SELECT 1\n      expect: {columns-equal: [a, b, c]}\n', where: 'checks.pre[1].expect.columns-equal', problem: /expected two columns, for example \[total, unique\], found 3 \(line 12\)/},
	{name: 'two expectations at once', lines: '      sql: SELECT 1\n      expect: {at-least: 1, scalar: \'< 3\'}\n', where: 'checks.pre[1].expect.scalar', problem: /give one expectation: no-rows, some-rows, \{at-least: N\}/},
	{name: 'a typo inside unique', lines: '      unique:\n        table: meters\n        colums: [a]\n', where: 'checks.pre[1].unique.colums', problem: /unknown key "colums"; did you mean "columns"\?.*\(line 13\)/},
	{name: 'unique columns that are not a list', lines: '      unique: {table: meters, columns: a}\n', where: 'checks.pre[1].unique.columns', problem: /expected a list \(lines starting with "- "\), found "a"/},
	{name: 'a column listed twice', lines: '      unique: {table: meters, columns: [a, a]}\n', where: 'checks.pre[1].unique.columns', problem: /"a" is listed twice/},
	{name: 'a table name with three parts', lines: '      not_null: {table: a.b.c, column: x}\n', where: 'checks.pre[1].not_null.table', problem: /"a\.b\.c" is not a table name: give table or schema\.table/},
	{name: 'a recency interval without a unit', lines: '      recency: {table: t, column: at, within: 1 hour}\n', where: 'checks.pre[1].recency.within', problem: /expected an interval with its unit, such as 90s, 15m, 1h or 2d, found "1 hour"/},
	{name: 'a range with neither end', lines: '      accepted_range: {table: t, column: x}\n', where: 'checks.pre[1].accepted_range', problem: /give min:, max: or both \(line 11\)/},
	{name: 'a range upside down', lines: '      accepted_range: {table: t, column: x, min: 5, max: 1}\n', where: 'checks.pre[1].accepted_range.min', problem: /min 5 is above max 1/},
	{name: 'no accepted values', lines: '      accepted_values: {table: t, column: x, values: []}\n', where: 'checks.pre[1].accepted_values.values', problem: /expected a list of the accepted values/},
	{name: 'NULL as an accepted value', lines: '      accepted_values:\n        table: t\n        column: x\n        values: [a, null]\n', where: 'checks.pre[1].accepted_values.values[1]', problem: /NULL is not a value: use not_null for that/},
	{name: 'a row_count with no bound', lines: '      row_count: {table: t}\n', where: 'checks.pre[1].row_count', problem: /give min:, max: or both \(min: 1 for a table that must not be empty\)/},
	{name: 'a row_count tolerance before the upgrade', lines: '      row_count: {table: meters, within: 10%}\n', where: 'checks.pre[1].row_count.within', problem: /use it in checks\.post, with a row_count of the same table in checks\.pre/},
	{name: 'a row_count tolerance with no baseline', lines: '      row_count: {table: users, within: 10%}\n', phase: 'post', where: 'checks.post[0].row_count.within', problem: /no pre check counts users: add one to checks\.pre, for example \{id: users-count, .* \(line 16\)/},
	{name: 'a tolerance that is no percentage', lines: '      row_count: {table: meters, within: 10}\n', phase: 'post', where: 'checks.post[0].row_count.within', problem: /expected a percentage such as 10%, found 10/},
	{name: 'a tolerance beside min', lines: '      row_count: {table: meters, within: 10%, min: 1}\n', phase: 'post', where: 'checks.post[0].row_count.within', problem: /give within: .* or min:\/max:, not both/},
	{name: 'a column without its table', lines: '      exists: {column: email}\n', where: 'checks.pre[1].exists.table', problem: /"table" is missing: say whose column email is \(line 11\)/},
	{name: 'an index and a constraint at once', lines: '      absent: {index: a, constraint: b}\n', where: 'checks.pre[1].absent.constraint', problem: /one object per check: index and constraint are two checks/},
	{name: 'no object named', lines: '      exists: {}\n', where: 'checks.pre[1].exists', problem: /name the object: \{table: t\}, \{column: c, table: t\}/},
	{name: 'an unknown object kind', lines: '      exists: {view: v}\n', where: 'checks.pre[1].exists.view', problem: /unknown key "view" \(allowed: table, column, index, constraint\)/},
	{name: 'a version YAML reads as a number', lines: '      version: {equals: 0004}\n', where: 'checks.pre[1].version.equals', problem: /YAML reads 4 as a number: quote the migration's name/},
	{name: 'unexpected-tables with both lists', lines: '      unexpected-tables: {allowed: [a], belong-elsewhere: [b]}\n', where: 'checks.pre[1].unexpected-tables.belong-elsewhere', problem: /give allowed: \[the tables that belong here\] or belong-elsewhere: \[the tables that must not be here\], one of them/},
];

describe('check kinds: errors name the file, the step, the line and the fix', () => {
	for (const {name, lines, phase, where, problem} of cases) {
		it(name, async () => {
			const file = write(checklist(lines, phase));
			await assert.rejects(loadChecklist(file), (error: unknown) => {
				assert.ok(error instanceof ChecklistError, String(error));
				assert.equal(error.where, where, error.message);
				assert.match(error.message, problem);
				assert.ok(error.message.startsWith(`${file}: `), error.message);
				return true;
			});
		});
	}
});

describe('check kinds: what a valid checklist becomes', () => {
	it('severity and its older spelling blocking:, agreeing or alone; block by default; an evidence limit', async () => {
		const loaded = await loadChecklist(write(`name: s
window: {expected-minutes: 5}
checks:
  pre:
    - {id: a, title: A, severity: warn, sql: SELECT 1, expect: no-rows}
    - {id: b, title: B, blocking: false, sql: SELECT 1, expect: no-rows}
    - {id: c, title: C, severity: block, blocking: true, sql: SELECT 1, expect: no-rows, evidence: 5}
    - {id: d, title: D, sql: SELECT 1, expect: no-rows}
`));
		assert.deepEqual(loaded.checks.pre.map(c => [c.id, c.blocking, c.evidenceLimit]), [['a', false, undefined], ['b', false, undefined], ['c', true, 5], ['d', true, undefined]]);
	});

	it('declarative kinds compile to quoted SQL for each engine; the expectation reads as the rule', async () => {
		const loaded = await loadChecklist(write(`name: s
window: {expected-minutes: 5}
checks:
  pre:
    - {id: u, title: U, unique: {table: billing.meter "x", columns: [unit_id, kind]}}
    - {id: v, title: V, accepted_values: {table: users, column: role, values: [admin, "it's", 3, true]}}
    - {id: n, title: N, row_count: {table: meters, min: 1}}
  post:
    - {id: n2, title: N2, row_count: {table: meters, within: 2.5%}}
    - {id: gone, title: Gone, absent: {index: uq_meter_unit_kind_slot}}
    - {id: at, title: At, version: {}}
`));
		const [u, v, n] = loaded.checks.pre;
		assert.equal(sqlFor(u!, 'postgres'), 'SELECT "unit_id", "kind", count(*) AS count FROM "billing"."meter ""x""" WHERE "unit_id" IS NOT NULL AND "kind" IS NOT NULL GROUP BY "unit_id", "kind" HAVING count(*) > 1 ORDER BY count(*) DESC, "unit_id", "kind"');
		assert.equal(sqlFor(u!, 'sqlite'), sqlFor(u!, 'postgres'));
		assert.match(sqlFor(v!, 'sqlite')!, /WHERE "role" NOT IN \('admin', 'it''s', 3, TRUE\)/);
		assert.equal(describeExpectation(n!.expect), 'rows in meters: at least 1');
		const [n2, gone, at] = loaded.checks.post;
		assert.deepEqual(n2!.expect, {kind: 'count-within', what: 'rows in meters', check: 'pre.n', percent: 2.5});
		assert.equal(describeExpectation(n2!.expect), 'rows in meters within 2.5% of pre.n');
		assert.equal(describeExpectation(gone!.expect), 'index uq_meter_unit_kind_slot does not exist');
		assert.match(sqlFor(gone!, 'postgres')!, /to_regclass\('"uq_meter_unit_kind_slot"'\)/);
		assert.match(sqlFor(at!, 'sqlite')!, /:target_migration AS expected$/);
	});

	it('recency intervals read s, m, h and d', () => {
		assert.deepEqual(['90s', '15m', '1h', '2d', '1.5h', '1 hour', '5'].map(t => parseInterval(t)), [90, 900, 3600, 172_800, 5400, null, null]);
	});
});
