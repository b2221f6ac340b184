import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';
import type {Engine, SkippedMigration} from '../../engine/model.js';
import {CutoverError, MigrationFileError} from '../../errors/index.js';
import {decodeUtf8, lineOfOffset} from '../../sql/decode-utf8.js';
import {loadParseSync} from '../../sql/postgres-parser-module.js';
import {splitAlike, splitParsed, splitScript, type ScriptSplit} from '../../sql/split-script.js';
import {splitStatementsAt, type Statement} from '../../sql/split-statements.js';
import {absorbTransactionWrapper} from '../../sql/transaction-wrapper.js';
import {loadModule, type ModuleMigration} from './load-module.js';
import {readDirectives} from './lock-directive.js';
import {refuseNonTransactional} from './transaction-check.js';
import {nonTransactional} from '../../sql/non-transactional.js';
import {detectFormat, readers, type FolderEntry, type ReadBytes} from './formats/detect.js';
import {groupByMigration, pickFiles, type Picked} from './formats/group-files.js';
import type {FileRole, FormatName, FormatReader, Sections} from './formats/types.js';

export type {FormatName} from './formats/types.js';

/**
 * `lockTimeoutMs` is the script's own lock timeout (a directive or an export), null for the migrator's.
 * `transaction` is false for a script that must run outside a transaction (`-- cutover: no-transaction`
 * in SQL, `export const transaction = false` in a module): its statements then commit one by one.
 */
export type Script =
	| {
		kind: 'sql';
		file: string;
		/** The file as written: what the checksum covers. */
		text: string;
		/** What runs, in order: the file's statements, without a BEGIN/COMMIT wrapper. */
		statements: string[];
		/** The file was wrapped whole in BEGIN; … COMMIT; and runs in cutover's transaction instead. */
		wrapperAbsorbed: boolean;
		lockTimeoutMs: number | null;
		transaction: boolean;
	}
	| {kind: 'module'; file: string; run: ModuleMigration; lockTimeoutMs: number | null; transaction: boolean}
	/** Code only its own tool runs (a goose Go migration): in the plan and the log, never run by cutover. */
	| {kind: 'external'; file: string; tool: 'goose'; lockTimeoutMs: null; transaction: true};

/** One migration as found on disk for one engine. */
export type MigrationSource = {
	name: string;
	/** sha256 (hex) of the up source this engine uses. */
	checksum: string;
	up: Script;
	down: Script | null;
};

/** The folder as read for one engine: its format, its migrations in order, and what it holds besides. */
export type MigrationFolder = {
	format: FormatName;
	sources: MigrationSource[];
	/** File names that are no migration (README.md, atlas.sum, .keep; a folder ends in /). */
	ignored: string[];
	skipped: SkippedMigration[];
};

export type ReadOptions = {
	/** The format named with --format; detected from the files when null or absent. */
	format?: FormatName | null;
	/** False to read a transactional migration that holds CREATE INDEX CONCURRENTLY and the like (the lint reports it as a finding instead). */
	refuseNonTransactional?: boolean;
};

/**
 * Reads a migrations directory for one engine, in the layout of the tool the team already uses
 * (golang-migrate, pop, dbmate, goose, Flyway; see formats/), ordered by version.
 * cutover's own layout is golang-migrate's: `NNNN_name.up.sql` with an optional `.down.sql`,
 * engine variants (`.up.sqlite.sql`, `.up.postgres.sql`) that win over the generic file, or a
 * `NNNN_name.js`/`.mjs` module exporting up and optional down.
 * A script's own lock timeout: `-- cutover: lock-timeout=30s` above the first statement of a
 * SQL file, or `export const lockTimeoutMs = 30_000` in a module (for its up and its down).
 */
export async function readMigrations(directory: string, engine: Engine, options: ReadOptions = {}): Promise<MigrationSource[]> {
	return (await readMigrationFolder(directory, engine, options)).sources;
}

/** readMigrations, with the format it read, the files it ignored and the migrations it skipped on this engine. */
export async function readMigrationFolder(directory: string, engine: Engine, options: ReadOptions = {}): Promise<MigrationFolder> {
	const entries = await listDirectory(directory);
	const cache = new Map<string, Uint8Array>();
	// Synchronous: a small file read whole costs less than the four hops (open, fstat, read, close)
	// readFile makes to the thread pool and back; 700 migrations were a second of waiting that way.
	const read = async (file: string) => {
		let bytes = cache.get(file);
		if (bytes === undefined) {
			bytes = readFileSync(path.join(directory, file));
			cache.set(file, bytes);
		}

		return bytes;
	};

	const detected = await detectFormat(directory, entries, options.format ?? null, read);
	const reader = readers[detected.format];
	const ordered = groupByMigration(directory, detected.roles);
	const sources: MigrationSource[] = [];
	const skipped: SkippedMigration[] = [];
	for (const files of ordered) {
		const chosen = pickFiles(directory, files, engine);
		if ('skipped' in chosen) {
			skipped.push(chosen.skipped);
			continue;
		}

		// eslint-disable-next-line no-await-in-loop -- one after the other
		sources.push(await toSource(directory, chosen, reader, engine, read, options.refuseNonTransactional ?? true));
	}

	return {format: detected.format, sources, ignored: detected.ignored, skipped};
}

async function toSource(directory: string, picked: Picked, reader: FormatReader, engine: Engine, read: ReadBytes, refuse: boolean): Promise<MigrationSource> {
	const name = picked.id;
	if (picked.up.role.kind === 'external') {
		// Its down is in the same file, and only goose can run either: for cutover it has none.
		return {name, checksum: sha256(await read(picked.up.file)), up: {kind: 'external', file: path.join(directory, picked.up.file), tool: 'goose', lockTimeoutMs: null, transaction: true}, down: null};
	}

	if (picked.up.role.kind === 'module') {
		const file = path.join(directory, picked.up.file);
		const bytes = await read(picked.up.file);
		const checksum = sha256(bytes);
		const loaded = await loadModule(name, file, checksum);
		return {
			name,
			checksum,
			up: {kind: 'module', file, run: loaded.up, lockTimeoutMs: loaded.lockTimeoutMs, transaction: loaded.transaction},
			down: loaded.down ? {kind: 'module', file, run: loaded.down, lockTimeoutMs: loaded.lockTimeoutMs, transaction: loaded.transaction} : null,
		};
	}

	const script = async (item: {file: string; role: FileRole}, direction: 'up' | 'down', emptyDown: ScriptOptions['emptyDown'] = 'irreversible') => sqlScript(directory, item.file, await read(item.file), {direction, reader, engine, transaction: item.role.transaction, refuse, emptyDown});
	const upScript = await script(picked.up, 'up');
	if (upScript === null) {
		throw new MigrationFileError(path.join(directory, picked.up.file), 'has no up section', {hint: `write the migration's statements in ${picked.up.file}`});
	}

	return {
		name,
		checksum: sha256(upScript.text),
		up: upScript,
		// An up that does nothing leaves nothing to undo: its empty down undoes it, rather than making it irreversible.
		down: picked.down === null ? null : await script(picked.down, 'down', upScript.statements.length === 0 ? 'noop' : 'irreversible'),
	};
}

type ScriptOptions = {
	direction: 'up' | 'down';
	reader: FormatReader;
	engine: Engine;
	transaction: boolean;
	refuse: boolean;
	/** Where the format runs an empty file: whether an empty down makes the migration irreversible, or undoes an up that did nothing. */
	emptyDown?: 'irreversible' | 'noop';
};

/**
 * One direction of a SQL migration: the file, or its section in a one-file format. Null for a
 * down that holds nothing where the tool allows an empty file (golang-migrate, pop, dbmate, goose,
 * Flyway): such a migration cannot be reverted by its down, so cutover counts it irreversible;
 * unless its up does nothing too, when the empty down is what undoes it.
 */
async function sqlScript(directory: string, name: string, bytes: Uint8Array, options: ScriptOptions): Promise<Extract<Script, {kind: 'sql'}> | null> {
	const file = path.join(directory, name);
	const {reader} = options;
	const decoded = decodeUtf8(bytes);
	if ('offset' in decoded) {
		const byte = bytes[decoded.offset];
		throw new MigrationFileError(file, `byte ${decoded.offset}${byte === undefined ? ' (a character cut short at the end)' : ` (0x${byte.toString(16).padStart(2, '0')})`} is not UTF-8`, {
			line: lineOfOffset(bytes, decoded.offset),
			offset: decoded.offset,
			hint: `save ${name} as UTF-8 (for a Latin-1 file: iconv -f latin1 -t utf-8); cutover does not guess an encoding, nor apply a replacement character in place of a byte`,
		});
	}

	const {text} = decoded;
	const directive = readDirectives(text);
	if ('problem' in directive) {
		throw directoryError(directory, `${name}: ${directive.problem}`, `fix the comment at the top of ${name}`);
	}

	// The byte order mark is no part of the first statement (the checksum above still covers it).
	const bare = text.replace(/^\uFEFF/, '');
	if (reader.name === 'flyway') {
		refusePlaceholder(file, name, bare);
	}

	let transaction = directive.transaction && options.transaction;
	let statements: Statement[];
	if (reader.sections === undefined) {
		statements = await split(file, bare, options.engine, transaction, options.refuse);
		// Flyway runs a script holding CREATE INDEX CONCURRENTLY and the like outside a transaction by
		// itself (its parser's detectCanExecuteInTransaction): such a file is valid as it stands.
		if (transaction && reader.name === 'flyway' && statements.some(s => nonTransactional(s.text, options.engine) !== null)) {
			transaction = false;
			statements = await split(file, bare, options.engine, transaction, options.refuse);
		}
	} else {
		// Whether the parser's objection would be refused: the section read runs outside a transaction.
		const judged = (cut: Sections) => {
			const section = 'problem' in cut ? null : cut[options.direction];
			return options.refuse && section !== null && !(transaction && section.transaction);
		};
		const {sections, rejected} = await readSections(bare, reader.sections.bind(reader), options.engine, judged);
		if ('problem' in sections) {
			throw new MigrationFileError(file, sections.problem, {line: sections.line, hint: `fix ${name} (a ${reader.name} migration)`});
		}

		const section = sections[options.direction];
		if (section === null) {
			return null;
		}

		transaction &&= section.transaction;
		if (rejected !== null && options.refuse && !transaction) {
			throw unparsed(file, rejected);
		}

		// SQLite prepares one statement at a time: a goose block holding several runs them one by one, in the same transaction.
		statements = section.statements?.flatMap(s => options.engine === 'sqlite' && s.pieces.length > 1 ? s.pieces : [s]) ?? await split(file, section.text, options.engine, transaction, options.refuse);
	}

	const shape = absorbTransactionWrapper(statements, options.engine);
	if (!shape.ok) {
		throw new MigrationFileError(file, shape.problem, {
			line: shape.line,
			hint: `remove it from ${name}: cutover already runs the whole file in one transaction (a file wrapped whole in BEGIN; … COMMIT; is accepted); work that must commit on its own belongs in a migration of its own`,
		});
	}

	// Every tool cutover reads runs an empty file (golang-migrate's docs allow one; pop's and ory's folders
	// hold hundreds; Flyway and Prisma record it): an up that does nothing, a down that makes it irreversible.
	if (shape.statements.length === 0 && options.direction === 'down' && options.emptyDown !== 'noop') {
		return null;
	}

	if (options.refuse) {
		refuseNonTransactional(file, shape.statements, transaction, options.engine);
	}

	return {kind: 'sql', file, text, statements: shape.statements.map(s => s.text), wrapperAbsorbed: shape.wrapperAbsorbed, lockTimeoutMs: directive.lockTimeoutMs, transaction};
}

type SectionsOf = (text: string, split?: (text: string, options?: {whole?: boolean}) => Statement[]) => Sections;

/**
 * A one-file migration's sections, the SQL the format leaves to a splitter (goose's blocks too) cut as
 * a plain file is, with the parser's first objection to any of it. The parser is loaded only where a
 * piece may be cut otherwise without it, or where `judged` says an objection would be refused.
 */
async function readSections(text: string, sectionsOf: SectionsOf, engine: Engine, judged: (sections: Sections) => boolean): Promise<{sections: Sections; rejected: ScriptSplit['rejected']}> {
	if (engine !== 'postgres') {
		return {sections: sectionsOf(text), rejected: null};
	}

	let asked = false;
	let alike = true;
	const first = sectionsOf(text, chunk => {
		const statements = splitAlike(chunk);
		asked = true;
		alike &&= statements !== null;
		return statements ?? splitStatementsAt(chunk);
	});
	// dbmate leaves its sections whole to split() below, which asks the parser itself where it must.
	if (!asked || (alike && !judged(first))) {
		return {sections: first, rejected: null};
	}

	const parse = await loadParseSync();
	let rejected: ScriptSplit['rejected'] = null;
	const sections = sectionsOf(text, (chunk, options) => {
		const result = splitParsed(chunk, parse);
		// A goose block is sent whole: the server judges it, as goose would; only what cutover cuts must parse.
		if (options?.whole !== true) {
			rejected ??= result.rejected;
		}

		return result.statements;
	});
	return {sections, rejected};
}

/**
 * A script's statements. PostgreSQL's are cut by PostgreSQL's own parser (loaded on the first
 * PostgreSQL script, once); SQLite's by the hand-written splitter, as SQLite prepares them.
 * When the parser rejects the script, the hand-written splitter cuts it and the server judges each
 * statement as it runs, as it did before the parser split anything: the server may be newer than the
 * parser's PostgreSQL 17 grammar, and a statement it rejects in a transaction rolls the migration back
 * whole, nothing lost (the lint names the file and line). Outside a transaction the statements before
 * it would commit first, so such a script is refused here, naming the line, before anything runs.
 */
async function split(file: string, text: string, engine: Engine, transaction: boolean, refuse: boolean): Promise<Statement[]> {
	// Outside a transaction a rejection is refused, so the parser reads even a script both splitters cut alike.
	const judged = refuse && !transaction;
	const result = await splitScript(text, engine, {verdict: judged});
	if (result.rejected !== null && judged) {
		throw unparsed(file, result.rejected);
	}

	return result.statements;
}

function unparsed(file: string, result: NonNullable<ScriptSplit['rejected']>): MigrationFileError {
	if ('failed' in result) {
		return new MigrationFileError(file, `cannot be cut into statements: ${result.failed}; it runs outside a transaction, so cutover cuts it only where the parser ends each statement`, {
			hint: `split ${path.basename(file)} into several migrations of a few MB each`,
		});
	}

	return new MigrationFileError(file, `does not parse as PostgreSQL (${result.problem}), and it runs outside a transaction: the statements above this one would commit before the server refused it`, {
		line: result.line,
		hint: `fix the statement at line ${result.line} of ${path.basename(file)}; cutover sends plain SQL to the server, so psql's backslash commands (\\set, \\i, \\connect) cannot run: write the SQL they stand for`,
	});
}

async function listDirectory(directory: string): Promise<FolderEntry[]> {
	try {
		const entries = await readdir(directory, {withFileTypes: true});
		return await Promise.all(entries.map(async entry => ({
			name: entry.name,
			// A symbolic link counts as what it points at.
			directory: entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path.join(directory, entry.name))).isDirectory()),
		})));
	} catch (error) {
		throw new CutoverError(`cannot read the migrations directory ${directory}: ${error instanceof Error ? error.message : String(error)}`, {
			hint: 'check the --migrations path',
			cause: error,
		});
	}
}

function directoryError(directory: string, problem: string, hint: string): CutoverError {
	return new CutoverError(`${directory}: ${problem}`, {hint});
}

export function sha256(data: string | Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

/**
 * Flyway replaces `${name}` placeholders (its own `${flyway:user}` and the project's) throughout a
 * script before running it, and fails on one it has no value for. cutover replaces none: such a
 * script would run with the placeholder's text in it, so it is refused, naming the line.
 */
function refusePlaceholder(file: string, name: string, text: string): void {
	const found = /\$\{([^{}\n]*)\}/.exec(text);
	if (found === null) {
		return;
	}

	throw new MigrationFileError(file, `\${${found[1]}} is a Flyway placeholder: Flyway replaces it with a value before the script runs, cutover does not`, {
		line: text.slice(0, found.index).split('\n').length,
		hint: `write the value itself in ${name} where the placeholder stands (the checksum then differs from the one Flyway logged: cutover import names that migration), or run this migration with Flyway`,
	});
}
