import {test} from 'node:test';
import assert from 'node:assert/strict';
import {splitStatements, splitStatementsAt} from '../../source/sql/split-statements.js';

const cases: Array<{name: string; sql: string; expected: string[]}> = [
	{name: 'plain statements, trimmed', sql: 'SELECT 1;\n  SELECT 2 ;\nSELECT 3', expected: ['SELECT 1', 'SELECT 2', 'SELECT 3']},
	{name: 'empty pieces dropped', sql: ';;\n SELECT 1;;  ;', expected: ['SELECT 1']},
	{name: 'nothing at all', sql: '  \n\t', expected: []},
	{name: 'semicolon in a string', sql: 'INSERT INTO t VALUES (\'a;b\'); SELECT 2', expected: ['INSERT INTO t VALUES (\'a;b\')', 'SELECT 2']},
	{name: 'doubled quote escape', sql: 'SELECT \'it\'\';s\'; SELECT 2', expected: ['SELECT \'it\'\';s\'', 'SELECT 2']},
	{name: 'E string with backslash escape', sql: 'SELECT E\'a\\\';b\'; SELECT 2', expected: ['SELECT E\'a\\\';b\'', 'SELECT 2']},
	{name: 'backslash in a standard string is literal', sql: 'SELECT \'a\\\'; SELECT 2', expected: ['SELECT \'a\\\'', 'SELECT 2']},
	{name: 'semicolon in a quoted identifier', sql: 'CREATE TABLE "we;ird" ("x;""y" int); SELECT 2', expected: ['CREATE TABLE "we;ird" ("x;""y" int)', 'SELECT 2']},
	{name: 'backtick and bracket identifiers (SQLite)', sql: 'SELECT `a;b`, [c;d] FROM t; SELECT 2', expected: ['SELECT `a;b`, [c;d] FROM t', 'SELECT 2']},
	{name: 'line comment', sql: 'SELECT 1 -- not here; really\n; SELECT 2', expected: ['SELECT 1 -- not here; really', 'SELECT 2']},
	{name: 'block comment', sql: 'SELECT /* a; b */ 1; SELECT 2', expected: ['SELECT /* a; b */ 1', 'SELECT 2']},
	{name: 'nested block comment (PostgreSQL)', sql: 'SELECT /* a /* b; */ c; */ 1; SELECT 2', expected: ['SELECT /* a /* b; */ c; */ 1', 'SELECT 2']},
	{name: 'comment-only pieces dropped', sql: '-- header\n;\nSELECT 1;\n/* trailing; */\n-- end', expected: ['SELECT 1']},
	{name: 'leading comment kept with its statement', sql: '-- add it\nALTER TABLE t ADD c int;', expected: ['-- add it\nALTER TABLE t ADD c int']},
	{
		name: 'dollar-quoted body',
		sql: 'CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql; SELECT f()',
		expected: ['CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql', 'SELECT f()'],
	},
	{
		name: 'tagged dollar quote containing $$',
		sql: 'DO $body$ BEGIN PERFORM \'$$;\'; END $body$; SELECT 2',
		expected: ['DO $body$ BEGIN PERFORM \'$$;\'; END $body$', 'SELECT 2'],
	},
	{name: 'positional parameter is not a dollar quote', sql: 'SELECT $1; SELECT $2', expected: ['SELECT $1', 'SELECT $2']},
	{name: 'identifier containing $ is not a dollar quote', sql: 'SELECT a$b$c FROM t; SELECT 2', expected: ['SELECT a$b$c FROM t', 'SELECT 2']},
	{
		name: 'SQLite trigger body',
		sql: 'CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; DELETE FROM u; END; SELECT 2',
		expected: ['CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; DELETE FROM u; END', 'SELECT 2'],
	},
	{
		name: 'temp trigger with CASE … END inside the body',
		sql: 'create temp trigger if not exists tr after update on t begin\n  update t set a = case when new.a > 1 then 1 else 0 end;\n  select 1;\nend;\nselect 2;',
		expected: ['create temp trigger if not exists tr after update on t begin\n  update t set a = case when new.a > 1 then 1 else 0 end;\n  select 1;\nend', 'select 2'],
	},
	{
		name: 'SQL-standard function body (PostgreSQL BEGIN ATOMIC)',
		sql: 'CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3',
		expected: ['CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END', 'SELECT 3'],
	},
	{name: 'BEGIN as a transaction is a statement of its own', sql: 'BEGIN; SELECT 1; END;', expected: ['BEGIN', 'SELECT 1', 'END']},
	{name: 'CASE … END outside a trigger does not block', sql: 'SELECT CASE WHEN 1 THEN 2 END; SELECT 3', expected: ['SELECT CASE WHEN 1 THEN 2 END', 'SELECT 3']},
	{name: 'unterminated string runs to the end', sql: 'SELECT 1; SELECT \'oops;', expected: ['SELECT 1', 'SELECT \'oops;']},
	{name: 'unterminated dollar quote runs to the end', sql: 'SELECT 1; DO $$ x; y', expected: ['SELECT 1', 'DO $$ x; y']},
];

for (const {name, sql, expected} of cases) {
	test(`splitStatements: ${name}`, () => {
		assert.deepEqual(splitStatements(sql), expected);
	});
}

test('splitStatementsAt: each statement\'s first line and leading words, past comments and blank lines', () => {
	const sql = '-- header\n\nBEGIN;\n/* note */ CREATE TABLE a (\n  id int\n);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\nEND;\n\n  commit work;';
	assert.deepEqual(splitStatementsAt(sql).map(s => [s.line, s.words.join(' ')]), [
		[3, 'BEGIN'],
		[4, 'CREATE TABLE A ID'],
		[7, 'CREATE TRIGGER T AFTER'],
		[11, 'COMMIT WORK'],
	]);
});

test('splitStatementsAt: lines count newlines inside strings and dollar quotes', () => {
	const sql = 'SELECT \'a\nb\';\nDO $$\nBEGIN\nEND\n$$;\nSELECT 3;';
	assert.deepEqual(splitStatementsAt(sql).map(s => s.line), [1, 3, 7]);
});
