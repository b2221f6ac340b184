import assert from 'node:assert/strict';
import {test} from 'node:test';
import {loadParseSync} from '../../source/sql/postgres-parser-module.js';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {packageRoot} from '../../source/package-root.js';
import {cutsAsPostgres, splitPostgres} from '../../source/sql/split-postgres.js';
import {splitStatementsAt} from '../../source/sql/split-statements.js';

const parse = await loadParseSync();

function split(sql: string) {
	const result = splitPostgres(sql, parse);
	assert.ok('statements' in result, `does not parse: ${JSON.stringify(result)}`);
	return result.statements;
}

test('CREATE RULE … DO ALSO (…; …) is one statement, where the hand-written splitter cut it in two', () => {
	const sql = 'CREATE TABLE t (a int);\nCREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\nSELECT 1;\n';
	assert.deepEqual(split(sql).map(s => [s.line, s.text]), [
		[1, 'CREATE TABLE t (a int)'],
		[2, 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))'],
		[3, 'SELECT 1'],
	]);
	assert.equal(splitStatementsAt(sql).length, 4);
	assert.deepEqual(split(sql)[1]!.words, ['CREATE', 'RULE', 'R', 'AS']);
});

test('dollar-quoted bodies, tagged and nested, and BEGIN ATOMIC keep their semicolons', () => {
	const sql = [
		'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$',
		'BEGIN',
		'  RETURN 1;',
		'END;',
		'$$;',
		'DO $outer$ BEGIN EXECUTE $q$SELECT 1; SELECT 2$q$; END $outer$;',
		'CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
	].join('\n');
	assert.deepEqual(split(sql).map(s => [s.line, s.words[0], s.text.endsWith(';')]), [[1, 'CREATE', false], [6, 'DO', false], [7, 'CREATE', false]]);
	assert.match(split(sql)[0]!.text, /RETURN 1;\nEND;\n\$\$$/);
});

test('comments holding semicolons: kept with the statement they precede, lines counted past them', () => {
	const sql = '-- header; not a statement\n/* a /* nested; */ comment; */\n\nALTER TABLE t ADD b int; -- after; this\nSELECT 2 /* ; */;\n-- trailing; comment\n';
	assert.deepEqual(split(sql).map(s => [s.line, s.text]), [
		[4, '-- header; not a statement\n/* a /* nested; */ comment; */\n\nALTER TABLE t ADD b int'],
		[5, '-- after; this\nSELECT 2 /* ; */'],
	]);
});

test('E\'\' strings with backslash escapes, doubled quotes and quoted identifiers', () => {
	const sql = 'INSERT INTO t VALUES (E\'it\\\'s; fine\');\nINSERT INTO t VALUES (\'a;\'\'b\');\nCREATE TABLE "x;y" (a int);';
	assert.deepEqual(split(sql).map(s => s.text), ['INSERT INTO t VALUES (E\'it\\\'s; fine\')', 'INSERT INTO t VALUES (\'a;\'\'b\')', 'CREATE TABLE "x;y" (a int)']);
});

test('characters of more than one byte before a statement: its text and line are still right (the parser counts bytes)', () => {
	const sql = 'COMMENT ON TABLE t IS \'größe — 日本\';\n\nSELECT \'ü\';\nSELECT 3';
	assert.deepEqual(split(sql).map(s => [s.line, s.text]), [[1, 'COMMENT ON TABLE t IS \'größe — 日本\''], [3, 'SELECT \'ü\''], [4, 'SELECT 3']]);
});

test('empty pieces, blanks and comments alone are no statement', () => {
	assert.deepEqual(split(''), []);
	assert.deepEqual(split('  \n\t'), []);
	assert.deepEqual(split('-- nothing; here\n'), []);
	assert.deepEqual(split(';;\n SELECT 1;;  ;').map(s => s.text), ['SELECT 1']);
});

test('BEGIN and COMMIT are statements of their own, with their words (the transaction wrapper reads them)', () => {
	assert.deepEqual(split('BEGIN;\nSELECT 1;\nCOMMIT;').map(s => s.words.join(' ')), ['BEGIN', 'SELECT', 'COMMIT']);
});

test('a script the parser rejects comes back as its message and the line it stopped at', () => {
	assert.deepEqual(splitPostgres('SELECT \'é\';\n\nSELEC 2;\n', parse), {problem: 'syntax error at or near "SELEC"', line: 3});
	assert.deepEqual(splitPostgres('SELECT 1;\n\\set x 1\n', parse), {problem: 'syntax error at or near "\\"', line: 2});
	// Emoji before the error: the position counts code points, each emoji one (two UTF-16 units).
	assert.deepEqual(splitPostgres('SELECT \'😀😀😀😀😀😀\';\nSELEC 2;\n', parse), {problem: 'syntax error at or near "SELEC"', line: 2});
});

test('the parser is loaded once, however many callers ask', async () => {
	assert.equal(await loadParseSync(), parse);
});

test('the parser giving up (out of memory, it throws emscripten\'s ExitStatus, no Error) is told apart from a rejection, in words', () => {
	// What libpg-query threw on a 43 MB script of INSERTs: its WebAssembly program exits.
	const exit = {name: 'ExitStatus', message: 'Program terminated with exit(1)', status: 1};
	const result = splitPostgres('INSERT INTO t VALUES (1);\n'.repeat(50_000), () => {
		throw exit;
	});
	assert.ok('failed' in result, JSON.stringify(result));
	assert.equal(result.failed, 'PostgreSQL\'s parser gave up on this 1.2 MB script (Program terminated with exit(1)), as it does when it runs out of memory: it holds the whole script\'s tree at once');
	assert.doesNotMatch(result.failed, /object Object/);
});

/** A script of about `mb` MB: many small statements, each after a comment, with `middle` at about its half. */
function largeScript(mb: number, middle: string): {sql: string; middleLine: number} {
	const piece = '-- a row\nINSERT INTO t (a, b) VALUES (1, \'a; b\');\n';
	const half = Math.ceil(mb * 1024 * 1024 / piece.length / 2);
	const before = piece.repeat(half);
	return {sql: `${before}-- the middle\n${middle}\n${piece.repeat(half)}`, middleLine: 2 * half + 2};
}

test('a script over 4 MB is parsed a megabyte at a time at the cuts of the hand-written splitter: the same statements as the parser cuts whole', () => {
	const {sql, middleLine} = largeScript(5, 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;');
	const statements = split(sql);
	// The parser on the whole script, as it was cut before: the same count, and each text the same.
	const whole = (parse(sql) as {stmts: unknown[]}).stmts.length;
	assert.equal(statements.length, whole);
	assert.deepEqual(statements, splitStatementsAt(sql));
	const middle = statements.find(s => s.words[0] === 'CREATE');
	assert.equal(middle?.line, middleLine);
	assert.equal(middle?.text, '-- the middle\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$');
});

test('a script over 4 MB that a chunk rejects is parsed whole, as a smaller one: CREATE RULE … DO ALSO is one statement, a syntax error at its line', () => {
	const rule = largeScript(5, 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));');
	const statements = split(rule.sql);
	assert.equal(statements.length, splitStatementsAt(rule.sql).length - 1);
	assert.equal(statements.find(s => s.words[1] === 'RULE')?.line, rule.middleLine);

	const typo = largeScript(5, 'SELEC 2;');
	assert.deepEqual(splitPostgres(typo.sql, parse), {problem: 'syntax error at or near "SELEC"', line: typo.middleLine});
});

test('a script over 4 MB whose whole parse runs out of memory: the chunk\'s rejection, at the script\'s line', () => {
	const exit = {name: 'ExitStatus', message: 'Program terminated with exit(1)', status: 1};
	// The parser as it is, but out of memory on anything over 4 MB.
	const small = (sql: string) => {
		if (sql.length > 4 * 1024 * 1024) {
			throw exit;
		}

		return parse(sql);
	};

	const typo = largeScript(5, 'SELEC 2;');
	assert.deepEqual(splitPostgres(typo.sql, small), {problem: 'syntax error at or near "SELEC"', line: typo.middleLine});
	// After comments of several lines, the line is still the statement's own.
	const commented = largeScript(5, '/* two\nlines */\nSELECT 1,\n  FROM t;');
	assert.deepEqual(splitPostgres(commented.sql, small), {problem: 'syntax error at or near "FROM"', line: commented.middleLine + 3});
	// An error at a statement's `;` is at the line of that `;`, not at the blanks after it.
	const end = largeScript(5, 'SELECT 1 +;\n\n');
	assert.deepEqual(splitPostgres(end.sql, small), {problem: 'syntax error at or near ";"', line: end.middleLine});
	// A cut inside a statement: named at that statement.
	const rule = largeScript(5, 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));');
	const result = splitPostgres(rule.sql, small);
	assert.ok('problem' in result, JSON.stringify(result).slice(0, 300));
	assert.equal(result.line, rule.middleLine);
	assert.match(result.problem, /cuts the statement at line \d+ otherwise than at each semicolon/);
});

test('the parser running out of memory prints nothing and leaves the exit status alone (a child process parses 43 MB whole)', async () => {
	const {execa} = await import('execa');
	const module = path.join(packageRoot, 'dist/source/sql/postgres-parser-module.js');
	const script = `import {loadParseSync} from ${JSON.stringify(module)};
const parse = await loadParseSync();
console.log('before');
let threw = false;
try { parse("INSERT INTO t (a, b, c) VALUES (1, 'some text here that is long enough', 3.5);\\n".repeat(620000)); } catch { threw = true; }
console.log('threw', threw, 'exitCode', process.exitCode);
console.error('still speaks');`;
	const child = await execa(process.execPath, ['--input-type=module', '-e', script], {reject: false});
	assert.equal(child.stdout, 'before\nthrew true exitCode undefined');
	assert.equal(child.stderr, 'still speaks');
	assert.equal(child.exitCode, 0);
});

test('a rejection of the SQL still comes back as the parser\'s message and its line', async () => {
	const result = splitPostgres('SELECT 1;\nSELEC 2;\n', await loadParseSync());
	assert.deepEqual(result, {problem: 'syntax error at or near "SELEC"', line: 2});
});

test('cutsAsPostgres leaves to the parser every script whose cut it could change', () => {
	for (const sql of [
		'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;',
		'SELECT $1;',
		'INSERT INTO t VALUES (E\'a\\\';b\');',
		'CREATE TABLE "a;b" (c int);',
		'SELECT 1 /* ; */;',
		'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));',
		'CREATE FUNCTION g() RETURNS int LANGUAGE sql begin atomic SELECT 1; END;',
		'CREATE TRIGGER x AFTER INSERT ON t EXECUTE PROCEDURE p();',
		'SELECT (1; 2);',
		'-- a comment\rSELECT 1; SELECT 2;',
		'SELECT a[1] FROM t;',
		'SELECT `a`;',
		'SELECT 1;\0SELECT 2;',
		'SELECT 1;\n\\set x 1\n',
	]) {
		assert.equal(cutsAsPostgres(sql), false, sql);
	}

	for (const sql of [
		'',
		'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\r\nCREATE INDEX users_email ON users (email);\r\n',
		'-- header; with a semicolon\nALTER TABLE t ADD COLUMN c int; -- trailing; too\nUPDATE t SET c = CASE WHEN a > 0 THEN 1 ELSE 2 END;',
		'INSERT INTO t VALUES (\'it\'\'s; fine\'), (E\'x;y\');\nCOMMENT ON TABLE t IS \'größe; 日本\';',
	]) {
		assert.equal(cutsAsPostgres(sql), true, sql);
	}
});

/** A seeded generator: the same scripts on every run. */
function random(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		return state / 2_147_483_648;
	};
}

test('where cutsAsPostgres says so and the parser accepts a script, both cut it alike: text, line and words', () => {
	const next = random(20_261_202);
	const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
	const statements = [
		'CREATE TABLE t (a int, b text DEFAULT \'x;y\')',
		'ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0',
		'INSERT INTO t (a, b) VALUES (1, \'it\'\'s; here\'), (2, E\'--;\')',
		'UPDATE t SET a = CASE WHEN b = \';\' THEN 1 ELSE 2 END WHERE a > 0',
		'CREATE INDEX CONCURRENTLY t_a ON t (a)',
		'COMMENT ON COLUMN t.a IS \'größe — 日本; 😀\'',
		'DROP TABLE IF EXISTS old_t',
		'SELECT 1 --- 2',
		'SELECT 3 +-- 4',
		'SELEC 5',
		'COMMIT',
		'SELECT \'a\'\n\'b\'',
	];
	const between = ['', ' ', '\n', '\r\n', '\n\n', '\t', '-- note; here\n', '-- x\r\n', '\f', '\u00A0'];
	let compared = 0;
	let checked = 0;
	for (let round = 0; round < 3000; round++) {
		const parts: string[] = [];
		const count = 1 + Math.floor(next() * 5);
		for (let k = 0; k < count; k++) {
			parts.push(pick(between), pick(statements), pick(between), next() < 0.85 ? ';' : next() < 0.5 ? ';;' : '', pick(between));
		}

		const sql = parts.join('');
		if (!cutsAsPostgres(sql)) {
			continue;
		}

		checked++;
		const parsed = splitPostgres(sql, parse);
		if ('statements' in parsed) {
			compared++;
			assert.deepEqual(parsed.statements, splitStatementsAt(sql), JSON.stringify(sql));
		}
	}

	// Enough of both kinds to mean something: scripts the parser accepts, and scripts it rejects (left to the splitter in either case).
	assert.ok(compared > 500 && checked - compared > 100, `${compared} compared of ${checked}`);
});

test('every SQL file of the repository that cutsAsPostgres passes is cut alike by the parser, where it parses', () => {
	const walk = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap(entry => entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist'
		? []
		: entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name.endsWith('.sql') ? [path.join(dir, entry.name)] : []);
	let compared = 0;
	for (const file of walk(packageRoot)) {
		const sql = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
		const parsed = splitPostgres(sql, parse);
		if (cutsAsPostgres(sql) && 'statements' in parsed) {
			compared++;
			assert.deepEqual(parsed.statements, splitStatementsAt(sql), file);
		}
	}

	assert.ok(compared >= 5, `${compared} files compared`);
});

test('a statement after a lone carriage return that ends a -- comment is kept, as PostgreSQL runs it', () => {
	const statements = split('SELECT 1;\n-- old note\rCREATE TABLE x (id int);\nSELECT 2;\n');
	assert.deepEqual(statements.map(s => [s.text, s.words.slice(0, 3)]), [
		['SELECT 1', ['SELECT']],
		['-- old note\rCREATE TABLE x (id int)', ['CREATE', 'TABLE', 'X']],
		['SELECT 2', ['SELECT']],
	]);
});

test('a statement after a lone carriage return keeps its leading words when it goes on over a newline (CONCURRENTLY is seen)', () => {
	const statements = split('-- note\rCREATE INDEX CONCURRENTLY i\nON t (a);\n');
	assert.deepEqual(statements.map(s => s.words.slice(0, 3)), [['CREATE', 'INDEX', 'CONCURRENTLY']]);
});
