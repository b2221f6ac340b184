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

	return sql.length > WHOLE_PARSE_CHARS ? splitInChunks(sql, parse) : splitWhole(sql, parse);
}

/**
 * The parser holds a script's whole tree at once, about 16 times its size, in a WebAssembly memory
 * that never shrinks: a 43 MB script ran it out of memory, and 8 MB left the process 640 MB larger.
 */
const WHOLE_PARSE_CHARS = 4 * 1024 * 1024;
const CHUNK_CHARS = 1024 * 1024;

/**
 * A large script, parsed a chunk of about a megabyte at a time, each chunk a run of the statements
 * the hand-written splitter cut. Where each chunk parses into exactly its statements, the cuts are
 * the parser's. A cut inside a statement (a `;` in CREATE RULE … DO ALSO (…)) leaves a chunk the
 * parser rejects, or one with another count: such a script is judged as one the parser rejects.
 */
function splitInChunks(sql: string, parse: ParseSync): PostgresSplit {
	const cut = splitStatementsAt(sql);
	// A newline before each `;`: a line comment at a statement's end would swallow it.
	const separator = '\n;\n';
	for (let first = 0; first < cut.length;) {
		let last = first;
		let chars = cut[first]!.text.length;
		while (last + 1 < cut.length && chars + cut[last + 1]!.text.length <= CHUNK_CHARS) {
			last++;
			chars += cut[last]!.text.length + separator.length;
		}

		const chunk = cut.slice(first, last + 1);
		const result = splitWhole(chunk.map(statement => statement.text).join(separator), parse);
		if ('failed' in result) {
			return result;
		}

		if ('problem' in result) {
			// A statement the hand-written cut split in two reads as a rejection too: only the whole parse can tell.
			return wholeElse(sql, parse, {problem: result.problem, line: lineInScript(chunk, result.line)});
		}

		const differs = chunk.findIndex((statement, i) => result.statements[i]?.text !== statement.text);
		if (differs !== -1 || result.statements.length !== chunk.length) {
			const at = chunk[differs === -1 ? chunk.length - 1 : differs]!.line;
			return wholeElse(sql, parse, {problem: `PostgreSQL's parser cuts the statement at line ${at} otherwise than at each semicolon outside quotes and comments, and this ${(sql.length / (1024 * 1024)).toFixed(1)} MB script is too large for it to read whole`, line: at});
		}

		first = last + 1;
	}

	return {statements: cut};
}

/** Where the chunks disagree with the hand-written cut: the whole parse, as for a smaller script, unless it runs out of memory. */
function wholeElse(sql: string, parse: ParseSync, chunked: {problem: string; line: number}): PostgresSplit {
	const whole = splitWhole(sql, parse);
	return 'failed' in whole ? chunked : whole;
}

/**
 * The script's line of a line of a chunk: each statement's text takes its own lines in the chunk,
 * then one line holding the separator's `;`. A text starts with its leading comments, on the
 * lines before its first word's.
 */
function lineInScript(chunk: readonly Statement[], chunkLine: number): number {
	let left = chunkLine;
	for (const statement of chunk) {
		const lines = countNewlines(statement.text) + 1;
		const first = statement.line - linesBeforeCode(statement.text);
		if (left <= lines) {
			return first + left - 1;
		}

		// The separator's line: its `;` stands for the one that ended this statement, after its last line.
		if (left === lines + 1) {
			return first + lines - 1;
		}

		left -= lines + 1;
	}

	return chunk.at(-1)?.line ?? 1;
}

/** The newlines before a text's first word: in the blanks and comments (-- and nested /* *\/) it starts with. */
function linesBeforeCode(text: string): number {
	let newlines = 0;
	let i = 0;
	while (i < text.length) {
		if (text.startsWith('--', i)) {
			const end = text.indexOf('\n', i);
			i = end === -1 ? text.length : end;
		} else if (text.startsWith('/*', i)) {
			let depth = 0;
			do {
				if (text.startsWith('/*', i)) {
					depth++;
					i += 2;
				} else if (text.startsWith('*/', i)) {
					depth--;
					i += 2;
				} else {
					newlines += text.charCodeAt(i) === 10 ? 1 : 0;
					i++;
				}
			} while (depth > 0 && i < text.length);
		} else if (/\s/.test(text[i]!)) {
			newlines += text.charCodeAt(i) === 10 ? 1 : 0;
			i++;
		} else {
			break;
		}
	}

	return newlines;
}

function splitWhole(sql: string, parse: ParseSync): PostgresSplit {

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
		// it would cut further inside the statement does not matter here. A lone carriage return ends a -- comment
		// for PostgreSQL only: read as a newline there, or the statement after it was dropped as a comment.
		const lead = splitStatementsAt(piece.replaceAll(/\r(?!\n)/g, '\n'))[0];
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
