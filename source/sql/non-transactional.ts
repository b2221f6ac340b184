import type {Engine} from '../engine/model.js';

/**
 * The leading words of one statement (as the splitter gives it), upper case, with comments,
 * string literals and quoted identifiers taken out: a CONCURRENTLY inside a comment or a string
 * is no keyword. Quoted identifiers count as one word `"…"` so positions still line up.
 */
export function leadingWords(text: string, limit = 12): string[] {
	const words: string[] = [];
	let i = 0;
	while (i < text.length && words.length < limit) {
		const char = text[i]!;
		const next = text[i + 1];
		if (char === '-' && next === '-') {
			const end = text.indexOf('\n', i);
			i = end === -1 ? text.length : end + 1;
		} else if (char === '/' && next === '*') {
			const end = text.indexOf('*/', i + 2);
			i = end === -1 ? text.length : end + 2;
		} else if (char === '\'' || char === '"' || char === '`') {
			let k = i + 1;
			while (k < text.length && !(text[k] === char && text[k + 1] !== char)) {
				k += text[k] === char ? 2 : 1;
			}

			if (char !== '\'') {
				words.push('"…"');
			}

			i = k + 1;
		} else if (char === '$' && /^\$\w*\$/.test(text.slice(i, i + 64))) {
			const tag = /^\$\w*\$/.exec(text.slice(i, i + 64))![0];
			const end = text.indexOf(tag, i + tag.length);
			i = end === -1 ? text.length : end + tag.length;
		} else if (/[A-Za-z_]/.test(char)) {
			let end = i + 1;
			while (end < text.length && /[\w$]/.test(text[end]!)) {
				end++;
			}

			words.push(text.slice(i, end).toUpperCase());
			i = end;
		} else {
			if (char === '(' || char === ')' || char === '=') {
				words.push(char);
			}

			i++;
		}
	}

	return words;
}

/**
 * What keeps a statement out of a transaction block, or null when it can run in one.
 * PostgreSQL refuses these inside BEGIN … COMMIT ("cannot run inside a transaction block");
 * SQLite refuses VACUUM. ALTER TYPE … ADD VALUE is allowed in a transaction since
 * PostgreSQL 12, so it is not named here.
 */
export function nonTransactional(text: string, engine: Engine): string | null {
	const words = leadingWords(text);
	const [first, second] = words;
	if (engine === 'sqlite') {
		return first === 'VACUUM' ? 'VACUUM' : null;
	}

	switch (first) {
		case 'VACUUM': {
			return 'VACUUM';
		}

		case 'CREATE': {
			const k = second === 'UNIQUE' ? 2 : 1;
			if (words[k] === 'INDEX' && words[k + 1] === 'CONCURRENTLY') {
				return 'CREATE INDEX CONCURRENTLY';
			}

			if (second === 'DATABASE' || second === 'TABLESPACE') {
				return `CREATE ${second}`;
			}

			// Creating its replication slot (the default) cannot be undone by a rollback.
			if (second === 'SUBSCRIPTION' && !/\bcreate_slot\s*=\s*(false|off|0)\b/i.test(text)) {
				return 'CREATE SUBSCRIPTION (with its replication slot)';
			}

			return null;
		}

		case 'DROP': {
			if (second === 'INDEX' && words[2] === 'CONCURRENTLY') {
				return 'DROP INDEX CONCURRENTLY';
			}

			return second === 'DATABASE' || second === 'TABLESPACE' ? `DROP ${second}` : null;
		}

		case 'REINDEX': {
			if (words.includes('CONCURRENTLY')) {
				return 'REINDEX … CONCURRENTLY';
			}

			const kind = words.find(w => w !== '(' && w !== ')' && w !== 'VERBOSE' && w !== 'TRUE' && w !== 'FALSE' && w !== 'REINDEX');
			return kind === 'SCHEMA' || kind === 'DATABASE' || kind === 'SYSTEM' ? `REINDEX ${kind}` : null;
		}

		case 'ALTER': {
			if (second === 'SYSTEM') {
				return 'ALTER SYSTEM';
			}

			if (second === 'DATABASE' && words[3] === 'SET' && words[4] === 'TABLESPACE') {
				return 'ALTER DATABASE … SET TABLESPACE';
			}

			if (second === 'TABLE' && words.includes('DETACH') && words.includes('CONCURRENTLY')) {
				return 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY';
			}

			return null;
		}

		case 'CLUSTER': {
			// Only the form without a table reclusters every table, and that one needs its own transactions.
			const rest = words.slice(1).filter(w => w !== 'VERBOSE' && w !== '(' && w !== ')' && w !== 'TRUE' && w !== 'FALSE');
			return rest.length === 0 ? 'CLUSTER without a table' : null;
		}

		case 'DISCARD': {
			return second === 'ALL' ? 'DISCARD ALL' : null;
		}

		default: {
			return null;
		}
	}
}

/**
 * Why a statement is not safe to run a second time, or null. In a migration outside a
 * transaction, a statement that failed or was interrupted may have taken effect, and the
 * retry (a lock timeout, a resume) runs it again: without IF [NOT] EXISTS it then fails.
 */
export function notRetrySafe(text: string): string | null {
	const words = leadingWords(text);
	const [first, second] = words;
	const has = (...sequence: string[]) => words.some((_, i) => sequence.every((w, k) => words[i + k] === w));
	if (first === 'CREATE') {
		const k = second === 'UNIQUE' ? 2 : 1;
		if (words[k] === 'INDEX') {
			return has('IF', 'NOT', 'EXISTS') ? null : `CREATE ${k === 2 ? 'UNIQUE ' : ''}INDEX${words[k + 1] === 'CONCURRENTLY' ? ' CONCURRENTLY' : ''} without IF NOT EXISTS`;
		}

		if (second === 'TABLE' || second === 'SCHEMA' || second === 'SEQUENCE' || second === 'VIEW' || second === 'EXTENSION') {
			return has('IF', 'NOT', 'EXISTS') ? null : `CREATE ${second} without IF NOT EXISTS`;
		}

		return null;
	}

	if (first === 'DROP' && ['INDEX', 'TABLE', 'SCHEMA', 'SEQUENCE', 'VIEW', 'EXTENSION', 'TYPE'].includes(second ?? '')) {
		return has('IF', 'EXISTS') ? null : `DROP ${second} without IF EXISTS`;
	}

	if (first === 'ALTER' && second === 'TABLE' && has('ADD', 'COLUMN') && !has('IF', 'NOT', 'EXISTS')) {
		return 'ALTER TABLE … ADD COLUMN without IF NOT EXISTS';
	}

	if (first === 'ALTER' && second === 'TYPE' && has('ADD', 'VALUE') && !has('IF', 'NOT', 'EXISTS')) {
		return 'ALTER TYPE … ADD VALUE without IF NOT EXISTS';
	}

	if (first === 'INSERT') {
		return has('ON', 'CONFLICT') ? null : 'INSERT without ON CONFLICT';
	}

	return null;
}

/** The index a CREATE INDEX CONCURRENTLY builds, as written (unquoted names folded to lower case), or null. */
export function concurrentIndexName(text: string): string | null {
	const words = leadingWords(text);
	const k = words[1] === 'UNIQUE' ? 2 : 1;
	if (words[0] !== 'CREATE' || words[k] !== 'INDEX' || words[k + 1] !== 'CONCURRENTLY') {
		return null;
	}

	// The name follows CONCURRENTLY [IF NOT EXISTS]; read it from the text, where its case and quotes are.
	const match = /\bconcurrently\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*(?:\s*\.\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?)/i.exec(stripComments(text));
	const name = match?.[1];
	if (name === undefined || /^on$/i.test(name)) {
		return null;
	}

	// A schema-qualified name: the index's own name is the last part.
	const last = name.split(/\s*\.\s*/).at(-1)!;
	return last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last.toLowerCase();
}

const identifier = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const dotted = String.raw`${identifier}(?:\s*\.\s*${identifier}){0,2}`;

/**
 * The table a CREATE INDEX CONCURRENTLY's ON clause names, as written (quotes kept, schema if
 * given), for to_regclass to resolve as PostgreSQL does: an explicit schema, else the
 * search_path. Null when the statement is no such CREATE INDEX.
 */
export function concurrentIndexTable(text: string): string | null {
	if (nonTransactional(text, 'postgres') !== 'CREATE INDEX CONCURRENTLY') {
		return null;
	}

	// The optional name sits between CONCURRENTLY [IF NOT EXISTS] and ON; ON is reserved, so no bare name is "on".
	const match = new RegExp(String.raw`\bconcurrently\s+(?:if\s+not\s+exists\s+)?(?:(?!on\b)${dotted}\s+)?on\s+(?:only\s+)?(${dotted})`, 'i').exec(stripComments(text));
	// to_regclass splits on the dots itself, spaces around them allowed, quotes respected.
	return match?.[1] ?? null;
}

function stripComments(text: string): string {
	return text.replaceAll(/--[^\n]*/g, ' ').replaceAll(/\/\*[\s\S]*?\*\//g, ' ');
}
