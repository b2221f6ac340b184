import type {Engine} from '../../../engine/model.js';
import type {Statement} from '../../../sql/split-statements.js';

/** The migration folder layouts cutover reads as they are, without renaming a file. */
export const formatNames = ['golang-migrate', 'pop', 'dbmate', 'goose', 'flyway', 'maragu', 'prisma'] as const;
export type FormatName = typeof formatNames[number];

/** A version as ordered numbers: 14-digit timestamps and Flyway's 1.2.3 alike. */
export type Version = readonly bigint[];

/** What one file is to a format: one direction of one migration, or (one-file formats) both. */
export type FileRole = {
	/** The migration's identifier: its name in cutover_migrations (an undo file's is its migration's, found by key). */
	id: string;
	/** What the files of one migration share: the id, or Flyway's version (its V and U files differ in name). */
	key: string;
	version: Version;
	direction: 'up' | 'down' | 'both';
	/** The engine a variant is for; `any` for a file every engine runs; another engine's name (mysql, cockroach) otherwise. */
	engine: Engine | 'any' | {other: string};
	/** False where the name itself says the migration runs outside a transaction (pop's .autocommit). */
	transaction: boolean;
	/** external: code only its own tool runs (a goose Go migration); planned and named, never run by cutover. */
	kind: 'sql' | 'module' | 'external';
};

/** One direction of a one-file migration, cut out of its file. */
export type Section = {
	/** The file's text with every line outside this section blanked, so line numbers stay the file's. */
	text: string;
	/**
	 * Statements the format fixes itself, null to split the text: goose's StatementBegin … End
	 * block is one statement; `pieces` are what the splitter finds in it (SQLite prepares one at a time).
	 */
	statements: Array<Statement & {pieces: Statement[]}> | null;
	/** False where the section says it runs outside a transaction. */
	transaction: boolean;
};

export type Sections = {up: Section; down: Section | null} | {problem: string; line: number};

export type FormatReader = {
	name: FormatName;
	/** The file's role by its name alone, or null when the name is not one of this format's. */
	match(file: string): FileRole | null;
	/** One-file formats (goose, dbmate) share a naming; their markers in the text tell which wrote the file. */
	claims?(text: string): boolean;
	/**
	 * Cuts a one-file migration into its up and down. `split` cuts the SQL the format leaves to a
	 * splitter (goose's outside StatementBegin … End, and each block into its pieces): PostgreSQL's
	 * parser on PostgreSQL, as for a plain file; the hand-written splitter when absent. `whole`: the text
	 * is sent as one statement whatever its pieces (a goose block), so the parser's objection to it refuses nothing.
	 */
	sections?(text: string, split?: (text: string, options?: {whole?: boolean}) => Statement[]): Sections;
};

/** Orders versions number by number; a missing number counts as 0, so Flyway's 1.0 equals 1. */
export function compareVersions(a: Version, b: Version): number {
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const x = a[i] ?? 0n;
		const y = b[i] ?? 0n;
		if (x !== y) {
			return x < y ? -1 : 1;
		}
	}

	return 0;
}

export function formatVersion(version: Version): string {
	return version.join('.');
}

/** Blanks every line of `text` outside [from, to) (0-based line indexes), keeping the line count. */
export function keepLines(lines: readonly string[], from: number, to: number): string {
	return lines.map((line, index) => index >= from && index < to ? line : '').join('\n');
}

/** A one-file migration (goose, dbmate): named by its file without .sql, versioned by its leading digits (the pattern's first group). */
export function oneFileRole(name: string, pattern: RegExp): FileRole | null {
	const match = pattern.exec(name);
	if (!match) {
		return null;
	}

	const id = name.slice(0, -'.sql'.length);
	return {id, key: id, version: [BigInt(match[1]!)], direction: 'both', engine: 'any', transaction: true, kind: 'sql'};
}
