import {splitStatementsAt, type Statement} from '../../../sql/split-statements.js';
import {keepLines, oneFileRole, type FormatReader, type Section, type Sections} from './types.js';

// goose: {version}_{name}.sql with `-- +goose Up` and `-- +goose Down`; `-- +goose StatementBegin` …
// `-- +goose StatementEnd` around a statement holding semicolons; `-- +goose NO TRANSACTION`.
const file = /^(\d+)_(.+)\.sql$/;
const annotation = /^--\s*\+goose\s+(.*?)\s*$/i;

export const goose: FormatReader = {
	name: 'goose',
	match(name) {
		return oneFileRole(name, file);
	},
	claims(text) {
		return text.split(/\r?\n/).some(line => /^--\s*\+goose\s+up\b/i.test(line.trim()));
	},
	sections(text, split) {
		return gooseSections(text, split ?? splitStatementsAt);
	},
};

type Block = {direction: 'up' | 'down'; start: number; end: number; whole: boolean};

function gooseSections(text: string, split: (text: string, options?: {whole?: boolean}) => Statement[]): Sections {
	const lines = text.split(/\r?\n/);
	let direction: 'up' | 'down' | null = null;
	let transaction = true;
	let open: number | null = null;
	let chunkStart = 0;
	const blocks: Block[] = [];
	const seen = new Set<'up' | 'down'>();
	const close = (end: number, whole: boolean) => {
		if (direction !== null && end > chunkStart) {
			blocks.push({direction, start: chunkStart, end, whole});
		}
	};

	for (const [index, raw] of lines.entries()) {
		const line = raw.trim();
		const match = annotation.exec(line);
		if (!match) {
			if (direction === null && line !== '' && !line.startsWith('--')) {
				return {problem: 'has SQL above its -- +goose Up line (goose refuses it too)', line: index + 1};
			}

			continue;
		}

		const command = match[1]!.toUpperCase();
		const at = {line: index + 1};
		if (command === 'UP' || command === 'DOWN') {
			const next = command === 'UP' ? 'up' : 'down';
			if (open !== null) {
				return {problem: `-- +goose ${match[1]} inside a StatementBegin block opened at line ${open + 1}`, ...at};
			}

			if (seen.has(next)) {
				return {problem: `has a second -- +goose ${match[1]} line`, ...at};
			}

			close(index, false);
			seen.add(next);
			direction = next;
			chunkStart = index + 1;
		} else if (command === 'STATEMENTBEGIN') {
			if (direction === null || open !== null) {
				return {problem: open === null ? '-- +goose StatementBegin above -- +goose Up' : `-- +goose StatementBegin inside the block opened at line ${open + 1}`, ...at};
			}

			close(index, false);
			open = index;
			chunkStart = index + 1;
		} else if (command === 'STATEMENTEND') {
			if (open === null) {
				return {problem: '-- +goose StatementEnd without a StatementBegin', ...at};
			}

			close(index, true);
			open = null;
			chunkStart = index + 1;
		} else if (command === 'NO TRANSACTION') {
			transaction = false;
		} else if (command.startsWith('ENVSUB')) {
			return {problem: `"${line}": cutover does not substitute environment variables into SQL; write the values in the file`, ...at};
		} else {
			return {problem: `"${line}" is not a goose annotation cutover knows (Up, Down, StatementBegin, StatementEnd, NO TRANSACTION)`, ...at};
		}
	}

	if (open !== null) {
		return {problem: '-- +goose StatementBegin is never ended by -- +goose StatementEnd', line: open + 1};
	}

	if (!seen.has('up')) {
		return {problem: 'has no -- +goose Up line', line: 1};
	}

	close(lines.length, false);
	const section = (want: 'up' | 'down'): Section => {
		const mine = blocks.filter(b => b.direction === want);
		const statements = mine.flatMap(block => {
			if (!block.whole) {
				return split(keepLines(lines, block.start, block.end)).map(piece => ({...piece, pieces: [piece]}));
			}

			// A block is one statement, sent whole; its pieces are for SQLite, which prepares one at a time. They are
			// cut by the same splitter all the same: they tell whether the block holds any statement, and its first words.
			const pieces = split(keepLines(lines, block.start, block.end), {whole: true});
			return pieces.length === 0 ? [] : [wholeBlock(lines, block, pieces)];
		});
		const from = Math.min(...mine.map(b => b.start), lines.length);
		const to = Math.max(...mine.map(b => b.end), 0);
		return {text: keepLines(lines, from, to), statements, transaction};
	};

	return {up: section('up'), down: seen.has('down') ? section('down') : null};
}

/** The block as goose sends it, one statement; a block the splitter also sees as one keeps the splitter's text (no trailing ;). */
function wholeBlock(lines: readonly string[], block: Block, pieces: Statement[]): Statement & {pieces: Statement[]} {
	const first = pieces[0]!;
	if (pieces.length === 1) {
		return {...first, pieces};
	}

	return {text: lines.slice(block.start, block.end).join('\n').trim(), line: first.line, words: first.words, pieces};
}
