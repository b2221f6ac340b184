import path from 'node:path';
import {CutoverError} from '../../../errors/index.js';
import {dbmate} from './dbmate.js';
import {flyway, isRepeatable, readScriptConfig} from './flyway.js';
import {golangMigrate} from './golang-migrate.js';
import {goose} from './goose.js';
import {maragu} from './maragu.js';
import {isPopOnly, pop} from './pop.js';
import {prisma, prismaFolder} from './prisma.js';
import {oneFileRole, type FileRole, type FormatName, type FormatReader} from './types.js';

export const readers: Record<FormatName, FormatReader> = {'golang-migrate': golangMigrate, pop, dbmate, goose, flyway, maragu, prisma};

export type FolderEntry = {name: string; directory: boolean};

/** The folder's files as its format reads them; `ignored` are the names that are no migration (a folder ends in /). */
export type Detected = {format: FormatName; roles: Array<{file: string; role: FileRole}>; ignored: string[]};

/** Reads a file's bytes once: detection looks into one-file migrations, and the reader reuses what it read. */
export type ReadBytes = (file: string) => Promise<Uint8Array>;

const moduleExtension = /\.(?:js|mjs|ts|mts)$/;
/** Names only maragu.dev/migrate writes: `_up.sql` for `.up.sql`, or a version with no name (`0188.up.sql`). */
const maraguOnly = /^(?:[\w-]+_(?:up|down)|\d+\.(?:up|down))\.sql$/;
const nameOnly = [golangMigrate, pop, flyway, maragu];
const oneFile = [goose, dbmate];
const shown = 4;

/**
 * Tells the folder's format from its files (or takes the one named with --format) and what each
 * file is to it. Files that cannot be SQL migrations (README.md, atlas.sum, .keep) are ignored;
 * a .sql file that does not fit is refused, since skipping it would skip a migration.
 */
export async function detectFormat(directory: string, entries: readonly FolderEntry[], named: FormatName | null, read: ReadBytes): Promise<Detected> {
	const prismaRead = await readPrisma(directory, entries, named, read);
	if (prismaRead !== null) {
		return prismaRead;
	}

	const ignored: string[] = [];
	const sqlFiles: string[] = [];
	const modules: string[] = [];
	const foreign: string[] = [];
	for (const entry of entries) {
		if (entry.directory) {
			ignored.push(`${entry.name}/`);
		} else if (/\.sql$/i.test(entry.name) && !entry.name.startsWith('.')) {
			sqlFiles.push(entry.name);
		} else if (moduleExtension.test(entry.name) && golangMigrate.match(entry.name)) {
			modules.push(entry.name);
		} else if (/^\d+_.*\.(?:go|fizz)$/.test(entry.name) && !entry.name.endsWith('_test.go')) {
			// Go migrations and fizz files; a Go test file beside them is no migration (goose skips it too).
			foreign.push(entry.name);
		} else {
			ignored.push(entry.name);
		}
	}

	const repeatable = sqlFiles.filter(file => isRepeatable(file));
	if (repeatable.length > 0) {
		throw folderError(directory, `${list(repeatable)} ${repeatable.length === 1 ? 'is a' : 'are'} Flyway repeatable migration${repeatable.length === 1 ? '' : 's'} (R__), which cutover does not run`, 'a repeatable migration runs again whenever it changes, outside any version order; turn it into a versioned V<version>__ migration, or move it out of the folder');
	}

	const candidates = new Map<string, Set<FormatName>>();
	for (const file of sqlFiles) {
		const fits = new Set<FormatName>(nameOnly.filter(reader => reader.match(file) !== null).map(reader => reader.name));
		if (fits.size === 0 && oneFile.some(reader => reader.match(file) !== null)) {
			// eslint-disable-next-line no-await-in-loop -- one after the other
			const text = Buffer.from(await read(file)).toString('utf8');
			for (const reader of oneFile) {
				if (reader.match(file) !== null && reader.claims!(text)) {
					fits.add(reader.name);
				}
			}
		}

		candidates.set(file, fits);
	}

	// maragu reads nearly any name (add_users.up.sql too) and orders as strings (10_x before 2_y):
	// told from the files only on what no other tool writes, never as a fallback for a misnamed file.
	if (named === null && !(sqlFiles.some(file => maraguOnly.test(file)) && sameOrderAsNumbers(sqlFiles))) {
		for (const fits of candidates.values()) {
			fits.delete('maragu');
		}
	}

	// Folders and no migration at all: pointed at the folder above the migrations (app/migrate holding
	// postgres/ and sqlite/), which would read as a first deployment with nothing to run.
	const folders = entries.filter(entry => entry.directory).map(entry => `${entry.name}/`);
	if (sqlFiles.length === 0 && modules.length === 0 && folders.length > 0) {
		throw folderError(directory, `holds no migration, only folders: ${list(folders)}`, `point --migrations at the folder that holds the migration files (for example ${path.join(directory, folders[0]!.slice(0, -1))})`);
	}

	const format = named ?? choose(directory, candidates, foreign.some(file => file.endsWith('.fizz')));
	const misfits = sqlFiles.filter(file => !candidates.get(file)!.has(format));
	if (misfits.length > 0) {
		throw folderError(directory, `${list(misfits)} ${misfits.length === 1 ? 'is not a' : 'are not'} ${format} migration${misfits.length === 1 ? '' : 's'}${format === 'goose' || format === 'dbmate' ? ` (${format === 'goose' ? 'no -- +goose Up line' : 'no -- migrate:up line'}, or another name)` : ''}`, `${hintFor(format)}; move other files out of the folder${named === null ? '' : ', or name another --format'}`);
	}

	const unsupported = foreign.filter(file => format === 'pop' && file.endsWith('.fizz'));
	if (unsupported.length > 0) {
		throw folderError(directory, `${list(unsupported)}: fizz migrations are not supported, only SQL`, 'write the migration in SQL (.up.sql / .down.sql), or run it with pop');
	}

	// goose Go migrations take their place in the order: cutover plans them and names them, and
	// stops before one (goose runs it), rather than refusing the whole folder or skipping them.
	const external = format === 'goose' ? foreign.filter(file => file.endsWith('.go')) : [];
	ignored.push(...foreign.filter(file => !external.includes(file)));
	const roles = [
		...sqlFiles.map(file => ({file, role: readers[format].match(file)!})),
		...external.map(file => ({file, role: {...oneFileRole(file, /^(\d+)_(.+)\.go$/)!, id: file.slice(0, -'.go'.length), key: file.slice(0, -'.go'.length), kind: 'external' as const}})),
	];
	if (format === 'flyway') {
		await applyScriptConfigs(directory, roles, ignored, read);
	}

	if (format === 'golang-migrate') {
		roles.push(...modules.map(file => ({file, role: golangMigrate.match(file)!})));
	} else {
		ignored.push(...modules);
	}

	return {format, roles, ignored: ignored.sort()};
}

/**
 * Prisma's layout: every migration a folder (<timestamp>_<name>/migration.sql). Told from the
 * folders when no .sql file sits at the top, or named with --format prisma; a folder of that shape
 * without its migration.sql is refused, since skipping it would skip a migration. Null: not Prisma's.
 */
async function readPrisma(directory: string, entries: readonly FolderEntry[], named: FormatName | null, read: ReadBytes): Promise<Detected | null> {
	const folders = entries.filter(entry => entry.directory && prismaFolder.test(entry.name));
	const topSql = entries.some(entry => !entry.directory && /\.sql$/i.test(entry.name));
	if (named !== 'prisma' && (named !== null || folders.length === 0 || topSql)) {
		return null;
	}

	const roles: Detected['roles'] = [];
	const empty: string[] = [];
	for (const folder of folders) {
		const file = `${folder.name}/migration.sql`;
		try {
			// eslint-disable-next-line no-await-in-loop -- one folder at a time; the bytes are kept for the reader
			await read(file);
			roles.push({file, role: prisma.match(file)!});
		} catch {
			empty.push(`${folder.name}/`);
		}
	}

	if (empty.length > 0) {
		throw folderError(directory, `${list(empty)} ${empty.length === 1 ? 'holds' : 'hold'} no migration.sql`, 'each Prisma migration is a folder with its migration.sql; restore the file, or move the folder out');
	}

	const sqlAtTop = entries.filter(entry => !entry.directory && /\.sql$/i.test(entry.name)).map(entry => entry.name);
	if (sqlAtTop.length > 0) {
		throw folderError(directory, `${list(sqlAtTop)} ${sqlAtTop.length === 1 ? 'is' : 'are'} no Prisma migration (Prisma's are folders: <timestamp>_<name>/migration.sql)`, 'move the file into a migration folder, or out of the folder');
	}

	const ignored = entries.filter(entry => !folders.includes(entry)).map(entry => entry.directory ? `${entry.name}/` : entry.name);
	return {format: 'prisma', roles, ignored: ignored.sort()};
}

/**
 * Whether maragu's string order keeps the leading numbers in order (0000_a, 0000_b, 0001, 0188_x):
 * where it does not (1_init, 10_col, 2_seed), a misnamed file in a golang-migrate folder would
 * reorder the whole folder, so the format is only taken when named.
 */
function sameOrderAsNumbers(files: readonly string[]): boolean {
	const ids = files.map(file => maragu.match(file)?.id).filter(id => id !== undefined).sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
	let previous = -1n;
	for (const id of ids) {
		const digits = /^\d+/.exec(id)?.[0];
		if (digits === undefined) {
			return false;
		}

		const number = BigInt(digits);
		if (number < previous) {
			return false;
		}

		previous = number;
	}

	return true;
}

/** Flyway's V1__x.sql.conf beside its script: executeInTransaction=false makes it a no-transaction migration. */
async function applyScriptConfigs(directory: string, roles: Array<{file: string; role: FileRole}>, ignored: string[], read: ReadBytes): Promise<void> {
	for (const item of roles) {
		const config = `${item.file}.conf`;
		const at = ignored.indexOf(config);
		if (at === -1) {
			continue;
		}

		ignored.splice(at, 1);
		// eslint-disable-next-line no-await-in-loop -- one after the other
		const settings = readScriptConfig(Buffer.from(await read(config)).toString('utf8'));
		if ('problem' in settings) {
			throw folderError(directory, `${config}, line ${settings.line}: ${settings.problem}`, `remove the setting from ${config}, or run this migration with Flyway`);
		}

		item.role = {...item.role, transaction: settings.transaction};
	}
}

function choose(directory: string, candidates: ReadonlyMap<string, ReadonlySet<FormatName>>, fizz: boolean): FormatName {
	if (candidates.size === 0) {
		return 'golang-migrate';
	}

	const unknown = [...candidates].filter(([, fits]) => fits.size === 0).map(([file]) => file);
	if (unknown.length > 0) {
		throw folderError(directory, `${list(unknown)} ${unknown.length === 1 ? 'is not a migration file name' : 'are not migration file names'}`, 'name migrations NNNN_name.up.sql / .down.sql (cutover\'s own and golang-migrate\'s layout), or as your tool does: NNNN_name.sql with -- +goose Up (goose) or -- migrate:up (dbmate), V1__name.sql (Flyway), NNNN_name.postgres.up.sql (pop), <version>.up.sql or <version>_up.sql (maragu.dev/migrate); move other .sql files out of the folder');
	}

	const all = [...candidates.values()];
	const common = (Object.keys(readers) as FormatName[]).filter(format => all.every(fits => fits.has(format)));
	const popOnly = [...candidates.keys()].filter(file => isPopOnly(file));
	if (common.includes('pop') && popOnly.length > 0) {
		// Read as pop, x.sqlite.up.sql runs on SQLite only; read as golang-migrate, it is titled
		// "x.sqlite" and runs everywhere. Guessing wrong skips or runs a migration, so pop is
		// chosen only on what no golang-migrate folder has; otherwise the operator says which.
		if (fizz || popEvidence(popOnly)) {
			return 'pop';
		}

		throw folderError(directory, `${list(popOnly)} ${popOnly.length === 1 ? 'reads' : 'read'} two ways: as pop, for one engine only (skipped on the others); as golang-migrate, a migration whose title has a dot in it, run on every engine`, 'name the format: --format pop, or --format golang-migrate');
	}

	if (common.includes('golang-migrate')) {
		return 'golang-migrate';
	}

	if (common.length === 1) {
		return common[0]!;
	}

	const byFormat = new Map<FormatName, string[]>();
	for (const [file, fits] of candidates) {
		for (const format of fits) {
			byFormat.set(format, [...byFormat.get(format) ?? [], file]);
		}
	}

	const seen = [...byFormat].map(([format, files]) => `${format} (${list(files)})`).join(', ');
	throw folderError(directory, common.length === 0 ? `the folder mixes migration formats: ${seen}` : `the files fit more than one format: ${common.join(', ')}`, `keep one tool's migrations in the folder, or name the format: --format ${common[0] ?? [...byFormat.keys()][0]!}`);
}

/** What only pop folders have (besides .fizz files): a MySQL or CockroachDB variant, .autocommit, or one version written for two engines. */
function popEvidence(popOnly: readonly string[]): boolean {
	const dialects = new Map<string, Set<string>>();
	for (const file of popOnly) {
		const [, version = '', dialect = ''] = /^(\d+)_[^.]+(?:\.([a-z0-9]+))?/.exec(file) ?? [];
		if (dialect === 'mysql' || dialect === 'cockroach' || file.includes('.autocommit.')) {
			return true;
		}

		dialects.set(version, new Set([...dialects.get(version) ?? [], dialect]));
	}

	return [...dialects.values()].some(set => set.size >= 2);
}

function hintFor(format: FormatName): string {
	switch (format) {
		case 'golang-migrate': {
			return 'name them NNNN_name.up.sql / NNNN_name.down.sql (optionally .up.sqlite.sql / .up.postgres.sql) or NNNN_name.js / .mjs';
		}

		case 'pop': {
			return 'name them NNNN_name[.postgres|.sqlite3|.mysql|.cockroach][.autocommit].up.sql / .down.sql';
		}

		case 'dbmate': {
			return 'name them NNNN_name.sql with a -- migrate:up line (and optionally -- migrate:down)';
		}

		case 'goose': {
			return 'name them NNNN_name.sql with a -- +goose Up line (and optionally -- +goose Down)';
		}

		case 'flyway': {
			return 'name them V<version>__<description>.sql, and undo files U<version>__<description>.sql';
		}

		case 'prisma': {
			return 'make each migration a folder <timestamp>_<name> holding migration.sql';
		}

		case 'maragu': {
			return 'name them <version>.up.sql / <version>.down.sql (or _up.sql / _down.sql), the version of letters, digits, _ and -';
		}
	}
}

/** The first few names, then how many more. */
export function list(files: readonly string[]): string {
	return files.length <= shown ? files.join(', ') : `${files.slice(0, shown).join(', ')} and ${files.length - shown} more`;
}

function folderError(directory: string, problem: string, hint: string): CutoverError {
	return new CutoverError(`${directory}: ${problem}`, {hint});
}
