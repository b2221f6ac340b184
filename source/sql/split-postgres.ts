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
