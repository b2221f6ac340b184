import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {CutoverError, ScratchCopyError} from '../../errors/index.js';
import type {ScratchCopy, ScratchMode} from '../../ports/scratch-copy.js';
import {readSqliteCatalog} from './catalog.js';
import {openSqliteFile} from './open-file.js';
import {runBackup} from './run-backup.js';
import {BOOKKEEPING_TABLE, quoteIdentifier} from './user-tables.js';

/**
 * A copy of the SQLite file in a temporary directory of its own: taken with SQLite's online
 * backup (as cutover's backups are), so a live file is copied as one consistent moment; for
 * schema-only, a new file holding the source's schema and its migration log; for empty, a new
 * database. The source is opened read-only, or by the backup, and never written.
 */
export async function createScratchFile(sourcePath: string, mode: ScratchMode, signal?: AbortSignal): Promise<ScratchCopy> {
	const directory = await mkdtemp(path.join(os.tmpdir(), 'cutover-rt-'));
	const file = path.join(directory, path.basename(sourcePath));
	const remove = async (): Promise<string | null> => rm(directory, {recursive: true, force: true}).then(() => null, (error: unknown) =>
		`the scratch copy in ${directory} could not be removed (${error instanceof Error ? error.message : String(error)}): remove that directory`);
	try {
		if (mode === 'full') {
			await runBackup(sourcePath, {directory, fileName: path.basename(file), onProgress() {}, ...(signal === undefined ? {} : {signal})});
		} else {
			copySchema(sourcePath, file, mode === 'schema-only');
		}
	} catch (error) {
		await remove();
		throw new ScratchCopyError(`cannot copy ${sourcePath} for the round trip: ${error instanceof Error ? error.message : String(error)}`, {
			source: `sqlite:${sourcePath}`,
			hint: error instanceof CutoverError ? error.hint : 'check that the file is a readable SQLite database and the temporary directory has room; the source was not touched',
			cause: error,
		});
	}

	const what = mode === 'empty' ? 'a new empty database' : mode === 'schema-only' ? 'the schema of the source' : 'a copy of the source';
	return {
		target: {engine: 'sqlite', path: file, display: `sqlite:${file}`},
		description: `file ${file}, ${what}`,
		async readCatalog() {
			const db = openSqliteFile(file, {readonly: true});
			try {
				db.exec('BEGIN');
				return readSqliteCatalog(db);
			} finally {
				db.close();
			}
		},
		remove,
	};
}

/** A new file with the source's tables, indexes, views and triggers (none of their rows), and, unless empty, cutover_migrations' rows. */
function copySchema(sourcePath: string, file: string, withSchema: boolean): void {
	const copy = new BetterSqlite3(file);
	try {
		// A database file has its header once something is written; VACUUM writes it for an empty one.
		copy.exec('VACUUM');
		if (!withSchema) {
			return;
		}

		const source = openSqliteFile(sourcePath, {readonly: true});
		try {
			source.exec('BEGIN');
			const order = {table: 0, index: 1, view: 2, trigger: 3} as const;
			const entries = (source.prepare(String.raw`SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`).all() as Array<{type: keyof typeof order; name: string; sql: string}>)
				.sort((a, b) => order[a.type] - order[b.type]);
			const log = entries.some(e => e.type === 'table' && e.name === BOOKKEEPING_TABLE)
				? source.prepare(`SELECT * FROM ${quoteIdentifier(BOOKKEEPING_TABLE)}`).all() as Array<Record<string, unknown>>
				: [];
			copy.transaction(() => {
				for (const entry of entries) {
					copy.exec(entry.sql);
				}

				for (const row of log) {
					const columns = Object.keys(row);
					copy.prepare(`INSERT INTO ${quoteIdentifier(BOOKKEEPING_TABLE)} (${columns.map(c => quoteIdentifier(c)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...Object.values(row));
				}
			})();
		} finally {
			source.close();
		}
	} finally {
		copy.close();
	}
}
