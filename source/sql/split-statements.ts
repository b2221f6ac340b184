/** One statement of a script, with where it starts and its leading words (outside quotes and comments, upper case). */
export type Statement = {
	text: string;
	/** 1-based line of the statement's first word. */
	line: number;
	words: string[];
};

/**
 * Splits a SQL script into its statements so each can run (and fail) on its own, which lets a
 * migration error name the statement that broke. A `;` ends a statement only outside quotes,
 * comments, dollar-quoted bodies and BEGIN … END blocks of triggers and SQL-bodied routines.
 * Returns each statement trimmed; pieces holding nothing but comments and blanks are dropped.
 */
export function splitStatements(sql: string): string[] {
	return splitStatementsAt(sql).map(statement => statement.text);
}

/** splitStatements, keeping each statement's line and first words. */
export function splitStatementsAt(sql: string): Statement[] {
	const statements: Statement[] = [];
	let start = 0;
	let hasCode = false;
	let codeStart = 0;
	let words: string[] = [];
	let depth = 0;
	let i = 0;
	// Lines counted so far, up to `counted`: statements start in order, so one pass counts them all.
	let line = 1;
	let counted = 0;
	const lineAt = (index: number) => {
		for (; counted < index; counted++) {
			if (sql.charCodeAt(counted) === 10) {
				line++;
			}
		}

		return line;
	};

	const code = (at: number) => {
		if (!hasCode) {
			hasCode = true;
			codeStart = at;
		}
	};

	const finish = (end: number) => {
		const text = sql.slice(start, end).trim();
		if (hasCode && text !== '') {
			statements.push({text, line: lineAt(codeStart), words: words.slice(0, 4)});
		}

		start = end + 1;
		hasCode = false;
		words = [];
		depth = 0;
	};

	while (i < sql.length) {
		const char = sql[i]!;
		const next = sql[i + 1];

		if (char === '-' && next === '-') {
			i = skipLineComment(sql, i);
			continue;
		}

		if (char === '/' && next === '*') {
			i = skipBlockComment(sql, i);
			continue;
		}

		if (char === '\'') {
			code(i);
			i = skipQuoted(sql, i, '\'', backslashEscapes(sql, i));
			continue;
		}

		if (char === '"' || char === '`') {
			code(i);
			i = skipQuoted(sql, i, char, false);
			continue;
		}

		if (char === '[' && words.length > 0) {
			// SQLite also quotes identifiers as [name]; PostgreSQL uses [ only for arrays, whose contents cannot hold a bare ;.
			code(i);
			const close = sql.indexOf(']', i + 1);
			i = close === -1 ? sql.length : close + 1;
			continue;
		}

		if (char === '$') {
			const tag = dollarTag(sql, i);
			if (tag !== null) {
				code(i);
				const close = sql.indexOf(tag, i + tag.length);
				i = close === -1 ? sql.length : close + tag.length;
				continue;
			}
		}

		if (isWordStart(char)) {
			code(i);
			let end = i + 1;
			while (end < sql.length && isWordPart(sql[end]!)) {
				end++;
			}

			const word = sql.slice(i, end).toUpperCase();
			words.push(word);
			if (opensBlocks(words)) {
				if (word === 'BEGIN' || word === 'CASE') {
					depth++;
				} else if (word === 'END' && depth > 0) {
					depth--;
				}
			}

			i = end;
			continue;
		}

		if (char === ';' && depth === 0) {
			finish(i);
			i++;
			continue;
		}

		if (!/\s/.test(char)) {
			code(i);
		}

		i++;
	}

	finish(sql.length);
	return statements;
}

/** CREATE [OR REPLACE] [TEMP|TEMPORARY] TRIGGER | FUNCTION | PROCEDURE: the statements whose bodies may hold BEGIN … END. */
function opensBlocks(words: readonly string[]): boolean {
	if (words[0] !== 'CREATE') {
		return false;
	}

	let k = 1;
	if (words[k] === 'OR' && words[k + 1] === 'REPLACE') {
		k += 2;
	}

	if (words[k] === 'TEMP' || words[k] === 'TEMPORARY') {
		k++;
	}

	const kind = words[k];
	return kind === 'TRIGGER' || kind === 'FUNCTION' || kind === 'PROCEDURE';
}

function skipLineComment(sql: string, i: number): number {
	const end = sql.indexOf('\n', i);
	return end === -1 ? sql.length : end + 1;
}

// PostgreSQL block comments nest; SQLite's do not, but a nested opener inside a SQLite comment is rare enough to accept.
function skipBlockComment(sql: string, i: number): number {
	let level = 0;
	let k = i;
	while (k < sql.length) {
		if (sql[k] === '/' && sql[k + 1] === '*') {
			level++;
			k += 2;
		} else if (sql[k] === '*' && sql[k + 1] === '/') {
			level--;
			k += 2;
			if (level === 0) {
				return k;
			}
		} else {
			k++;
		}
	}

	return sql.length;
}

/** Skips a quoted run starting at i; a doubled quote is an escaped quote. Returns the index after the closing quote. */
function skipQuoted(sql: string, i: number, quote: string, backslash: boolean): number {
	let k = i + 1;
	while (k < sql.length) {
		const char = sql[k];
		if (backslash && char === '\\') {
			k += 2;
			continue;
		}

		if (char === quote) {
			if (sql[k + 1] === quote) {
				k += 2;
				continue;
			}

			return k + 1;
		}

		k++;
	}

	return sql.length;
}

/** PostgreSQL E'…' strings take backslash escapes. */
function backslashEscapes(sql: string, i: number): boolean {
	const prefix = sql[i - 1];
	return (prefix === 'E' || prefix === 'e') && (i < 2 || !isWordPart(sql[i - 2]!));
}

/** The $tag$ opening a dollar-quoted string at i, or null ($1 parameters and identifiers containing $ are not quotes). */
function dollarTag(sql: string, i: number): string | null {
	if (i > 0 && isWordPart(sql[i - 1]!)) {
		return null;
	}

	const match = /^\$(?:[A-Za-z_\u0080-\uFFFF][\w\u0080-\uFFFF]*)?\$/.exec(sql.slice(i, i + 64));
	return match ? match[0] : null;
}

function isWordStart(char: string): boolean {
	return /[A-Za-z_\u0080-\uFFFF]/.test(char);
}

function isWordPart(char: string): boolean {
	return /[\w$\u0080-\uFFFF]/.test(char);
}
