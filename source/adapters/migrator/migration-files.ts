import {createHash} from 'node:crypto';
import {readdir, readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import type {Engine} from '../../engine/model.js';
import {CutoverError, MigrationFileError} from '../../errors/index.js';
import {decodeUtf8, lineOfOffset} from '../../sql/decode-utf8.js';
import {splitStatementsAt} from '../../sql/split-statements.js';
import {absorbTransactionWrapper} from '../../sql/transaction-wrapper.js';
import {loadModule, type ModuleMigration} from './load-module.js';
import {readDirectives} from './lock-directive.js';

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
	| {kind: 'module'; file: string; run: ModuleMigration; lockTimeoutMs: number | null; transaction: boolean};

/** One migration as found on disk for one engine. */
export type MigrationSource = {
	name: string;
	/** sha256 (hex) of the up source this engine uses. */
	checksum: string;
	up: Script;
	down: Script | null;
};

const sqlFile = /^(\d{4,}_[A-Za-z0-9_-]+)\.(up|down)(?:\.(sqlite|postgres))?\.sql$/;
const moduleFile = /^(\d{4,}_[A-Za-z0-9_-]+)\.(js|mjs|ts|mts)$/;
// Files that may sit next to migrations without being one.
const ignored = /^\.|\.(md|txt|map)$|\.d\.m?ts$/i;

type Found = {
	sql: {up: Map<string, string>; down: Map<string, string>};
	module: string | null;
};

/**
 * Reads a migrations directory for one engine: `NNNN_name.up.sql` with an optional
 * `.down.sql`, engine variants (`.up.sqlite.sql`, `.up.postgres.sql`) that win over the generic
 * file, or a `NNNN_name.js`/`.mjs` module exporting up and optional down. Sorted by name.
 * A script's own lock timeout: `-- cutover: lock-timeout=30s` above the first statement of a
 * SQL file, or `export const lockTimeoutMs = 30_000` in a module (for its up and its down).
 */
export async function readMigrations(directory: string, engine: Engine): Promise<MigrationSource[]> {
	const entries = await listDirectory(directory);
	const found = new Map<string, Found>();
	const entry = (name: string): Found => {
		let value = found.get(name);
		if (!value) {
			value = {sql: {up: new Map(), down: new Map()}, module: null};
			found.set(name, value);
		}

		return value;
	};

	for (const file of entries) {
		if (ignored.test(file) || (await stat(path.join(directory, file))).isDirectory()) {
			continue;
		}

		const sql = sqlFile.exec(file);
		if (sql) {
			const [, name, direction, variant] = sql as unknown as [string, string, 'up' | 'down', string | undefined];
			entry(name).sql[direction].set(variant ?? 'generic', file);
			continue;
		}

		const module = moduleFile.exec(file);
		if (module) {
			const name = module[1]!;
			const previous = entry(name).module;
			if (previous !== null) {
				throw directoryError(directory, `${file} and ${previous} are both migration ${name}`, 'keep one of them');
			}

			entry(name).module = file;
			continue;
		}

		throw directoryError(
			directory,
			`${file} is not a migration file name`,
			'name migrations NNNN_name.up.sql, NNNN_name.down.sql (optionally .up.sqlite.sql / .up.postgres.sql) or NNNN_name.js / .mjs; move other files elsewhere',
		);
	}

	const names = [...found.keys()].sort();
	checkNumbers(directory, names);
	const sources: MigrationSource[] = [];
	for (const name of names) {
		sources.push(await toSource(directory, name, found.get(name)!, engine));
	}

	return sources;
}

async function toSource(directory: string, name: string, found: Found, engine: Engine): Promise<MigrationSource> {
	const {up, down} = found.sql;
	if (found.module !== null) {
		const sqlFiles = [...up.values(), ...down.values()];
		if (sqlFiles.length > 0) {
			throw directoryError(directory, `${found.module} and ${sqlFiles.join(', ')} are both migration ${name}`, 'keep either the module or the SQL files');
		}

		const file = path.join(directory, found.module);
		const bytes = await readFile(file);
		const checksum = sha256(bytes);
		const loaded = await loadModule(name, file, checksum);
		return {
			name,
			checksum,
			up: {kind: 'module', file, run: loaded.up, lockTimeoutMs: loaded.lockTimeoutMs, transaction: loaded.transaction},
			down: loaded.down ? {kind: 'module', file, run: loaded.down, lockTimeoutMs: loaded.lockTimeoutMs, transaction: loaded.transaction} : null,
		};
	}

	const upFile = up.get(engine) ?? up.get('generic');
	if (upFile === undefined) {
		const stray = [...up.values(), ...down.values()].join(', ');
		throw directoryError(directory, `${stray} ${up.size > 0 ? `has no up migration for ${engine}` : 'has no up migration'}`, `add ${name}.up.sql${up.size > 0 ? ` or ${name}.up.${engine}.sql` : ''}`);
	}

	const downFile = down.get(engine) ?? down.get('generic');
	const upScript = await sqlScript(directory, upFile);
	return {
		name,
		checksum: sha256(upScript.text),
		up: upScript,
		down: downFile === undefined ? null : await sqlScript(directory, downFile),
	};
}

async function sqlScript(directory: string, name: string): Promise<Extract<Script, {kind: 'sql'}>> {
	const file = path.join(directory, name);
	const bytes = await readFile(file);
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
	const shape = absorbTransactionWrapper(splitStatementsAt(text.replace(/^\uFEFF/, '')));
	if (!shape.ok) {
		throw new MigrationFileError(file, shape.problem, {
			line: shape.line,
			hint: `remove it from ${name}: cutover already runs the whole file in one transaction (a file wrapped whole in BEGIN; … COMMIT; is accepted); work that must commit on its own belongs in a migration of its own`,
		});
	}

	if (shape.statements.length === 0) {
		throw new MigrationFileError(file, bytes.length === 0 ? 'is empty' : 'holds no statement, only comments or blanks', {
			hint: name.includes('.down.')
				? `write the statements that undo the up migration, or delete ${name} to mark the migration irreversible`
				: `write the migration's statements in ${name}, or delete it`,
		});
	}

	return {kind: 'sql', file, text, statements: shape.statements.map(s => s.text), wrapperAbsorbed: shape.wrapperAbsorbed, lockTimeoutMs: directive.lockTimeoutMs, transaction: directive.transaction};
}

/** Two names with one number leave the order to chance. */
function checkNumbers(directory: string, names: readonly string[]): void {
	const seen = new Map<string, string>();
	for (const name of names) {
		const number = name.slice(0, name.indexOf('_'));
		const other = seen.get(number);
		if (other !== undefined) {
			throw directoryError(directory, `${other} and ${name} share the number ${number}`, 'give each migration its own number');
		}

		seen.set(number, name);
	}
}

async function listDirectory(directory: string): Promise<string[]> {
	try {
		return await readdir(directory);
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
