import {parserMessage, type ParseSync} from './postgres-parser-module.js';
import {splitStatementsAt, type Statement} from './split-statements.js';

/**
 * A PostgreSQL script cut at the statements its parser sees; or where the parser rejected it; or
 * `failed`: the parser itself gave up (out of memory), which says nothing of the SQL.
 */
export type PostgresSplit = {statements: Statement[]} | {problem: string; line: number} | {failed: string};

type RawStmt = {stmt_location?: number; stmt_len?: number};

/**
 * Splits a PostgreSQL script where PostgreSQL's own parser ends its statements (each RawStmt's
 * location and length), so a `;` inside CREATE RULE … DO ALSO (…; …), a dollar-quoted body, a
 * string or a comment never cuts one. Statements come back as splitStatementsAt gives them: the
 * text trimmed (its leading comments kept, its `;` left off), the line of its first word, its
 * leading words. A script the parser rejects comes back as the parser's message and the line it
 * stopped at.
 */
export function splitPostgres(sql: string, parse: ParseSync): PostgresSplit {
	// The parser refuses an empty query; one of only comments it reads as no statement.
	if (sql.trim() === '') {
		return {statements: []};
	}

	// Locations and lengths count UTF-8 bytes.
	const bytes = Buffer.from(sql, 'utf8');
	let raws: RawStmt[];
	try {
		raws = (parse(sql) as {stmts?: RawStmt[]}).stmts ?? [];
	} catch (error) {
		const details = (error as {sqlDetails?: {cursorPosition?: number}} | null)?.sqlDetails;
		// Every rejection of the SQL comes with sqlDetails; a throw without them is the parser failing.
		if (details === undefined) {
			const mb = (bytes.length / (1024 * 1024)).toFixed(1);
			return {failed: `PostgreSQL's parser gave up on this ${mb} MB script (${parserMessage(error)}), as it does when it runs out of memory: it holds the whole script's tree at once`};
		}

		const position = details.cursorPosition;
		// The error's position counts code points, not bytes nor UTF-16 units (an emoji is one).
		const line = position === undefined ? 1 : 1 + countNewlines(Array.from(sql).slice(0, position).join(''));
		return {problem: parserMessage(error), line};
	}

	const statements: Statement[] = [];
	// Lines before `from`, counted piece by piece: statements come in order.
	let from = 0;
	let line = 1;
	for (const raw of raws) {
		// Zero is left out of the parser's JSON: a missing location is the start, a missing length runs to the end.
		const start = raw.stmt_location ?? 0;
		const end = raw.stmt_len === undefined || raw.stmt_len === 0 ? bytes.length : start + raw.stmt_len;
		line += countNewlines(bytes.subarray(from, start).toString('utf8'));
		from = start;
		const piece = bytes.subarray(start, end).toString('utf8');
		// The old splitter finds where the statement's code starts (past comments) and its leading words; what
		// it would cut further inside the statement does not matter here.
		const lead = splitStatementsAt(piece)[0];
		if (lead === undefined) {
			continue;
		}

		statements.push({text: piece.trim(), line: line + lead.line - 1, words: lead.words});
	}

	return {statements};
}

function countNewlines(text: string): number {
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		if (text.charCodeAt(i) === 10) {
			n++;
		}
	}

	return n;
}

/**
 * Words after which PostgreSQL may keep a `;` inside a statement (BEGIN ATOMIC … END; CREATE RULE …
 * DO (…; …)), or the hand-written splitter counts BEGIN … END blocks (CREATE FUNCTION, PROCEDURE,
 * TRIGGER). Matched anywhere, comments and strings too: one too many only costs the parser.
 */
const mayHoldSemicolons = /(?<![A-Za-z_\u0080-\uFFFF])(?:BEGIN|RULE|FUNCTION|PROCEDURE|TRIGGER)(?![\w$\u0080-\uFFFF])/i;

/**
 * Whether the hand-written splitter cuts `sql` exactly where PostgreSQL's parser would, should the
 * parser accept it: then the parser has nothing to add, and a script it rejects is cut by the
 * hand-written splitter anyway (see split in migration-files.ts). True only for scripts made of what
 * both read alike: words, numbers, operators, parentheses, '…' strings without backslashes and --
 * comments. Anything else ($ quotes and parameters, backslashes, "identifiers", /* comments *\/, [,
 * a lone carriage return, which ends a -- comment for PostgreSQL only, a NUL, a `;` inside
 * parentheses, or a word of mayHoldSemicolons) leaves the cut to the parser.
 */
export function cutsAsPostgres(sql: string): boolean {
	if (mayHoldSemicolons.test(sql)) {
		return false;
	}

	let depth = 0;
	for (let i = 0; i < sql.length; i++) {
		const char = sql[i]!;
		if (char === '-' && sql[i + 1] === '-') {
			// To the end of the line, as the splitter reads it (a lone \r was refused below, or is inside this comment: see after the loop).
			const end = sql.indexOf('\n', i);
			if (sql.slice(i, end === -1 ? sql.length : end).replace(/\r$/, '').includes('\r')) {
				return false;
			}

			i = end === -1 ? sql.length : end;
		} else if (char === '\'') {
			// A doubled quote stays inside; without backslashes E'…' reads the same.
			let k = i + 1;
			while (k < sql.length && !(sql[k] === '\'' && sql[k + 1] !== '\'')) {
				k += sql[k] === '\'' ? 2 : 1;
			}

			if (/[\\\0]/.test(sql.slice(i, k))) {
				return false;
			}

			i = k;
		} else if (char === '(') {
			depth++;
		} else if (char === ')') {
			depth = Math.max(0, depth - 1);
		} else if ((char === ';' && depth > 0) || (char === '/' && sql[i + 1] === '*') || (char === '\r' && sql[i + 1] !== '\n') || '$\\"`[\0'.includes(char)) {
			return false;
		}
	}

	return true;
}
