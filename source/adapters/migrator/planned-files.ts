import {statSync, type BigIntStats} from 'node:fs';
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import type {Engine} from '../../engine/model.js';
import {MigrationError} from '../../errors/index.js';
import {readMigrationFolder, sha256, type FormatName, type MigrationFolder, type MigrationSource, type Script} from './migration-files.js';

type Stamp = {mtimeNs: bigint; size: bigint; ino: bigint};

/**
 * The migrations folder as read once, for a plan: what runs is exactly what was read and
 * hashed then, so the checksums the plan shows are the ones applied and logged. Each file's
 * stat is taken BEFORE it is read, so an edit made at any time after shows as a changed stamp.
 */
export type PlannedFiles = {
	/** The folder as read: its format, its migrations in order, what it ignored and skipped. */
	readonly folder: MigrationFolder;
	find(name: string): MigrationSource | undefined;
	/**
	 * Before a script runs: one stat of its file. A changed stamp re-reads that one file, and a
	 * file whose content differs from what was planned is refused (a touch alone is not).
	 */
	check(source: MigrationSource, direction: 'up' | 'down'): Promise<void>;
};

export async function readPlannedFiles(directory: string, engine: Engine, format: FormatName | null): Promise<PlannedFiles> {
	const stamps = await stampAll(directory);
	const folder = await readMigrationFolder(directory, engine, {format});
	const byName = new Map(folder.sources.map(source => [source.name, source]));
	// A file whose content was found to be as planned after its stamp changed (a touch) is not re-read again.
	const confirmed = new Map<string, Stamp>();
	return {
		folder,
		find: name => byName.get(name),
		async check(source, direction) {
			const script = direction === 'up' ? source.up : source.down;
			if (script === null) {
				return;
			}

			let now: Stamp;
			try {
				// Synchronous: one stat costs less than the hop to the thread pool and back, once per migration.
				now = toStamp(statSync(script.file, {bigint: true}));
			} catch (error) {
				throw changed(source.name, direction, script.file, `cannot be read any more (${error instanceof Error ? error.message : String(error)})`);
			}

			const planned = confirmed.get(script.file) ?? stamps.get(script.file);
			if (planned !== undefined && sameStamp(planned, now)) {
				return;
			}

			if (!await asPlanned(source, script)) {
				throw changed(source.name, direction, script.file, 'was changed after the plan was made');
			}

			confirmed.set(script.file, now);
		},
	};
}

/** The file holds what was planned: a module hashes as its checksum, a SQL file is byte for byte the text that was split. */
async function asPlanned(source: MigrationSource, script: Script): Promise<boolean> {
	let bytes: Buffer;
	try {
		bytes = await readFile(script.file);
	} catch {
		return false;
	}

	return script.kind !== 'sql' ? sha256(bytes) === source.checksum : bytes.equals(Buffer.from(script.text, 'utf8'));
}

function changed(name: string, direction: 'up' | 'down', file: string, what: string): MigrationError {
	return new MigrationError(`${path.basename(file)} ${what}; ${name} (${direction}) did not run`, {
		migration: name,
		direction,
		statement: null,
		hint: `the plan and the record hold the file as it was read before the window, and only that may run: put it back as it was, or start again (a new run or cutover resume) so the edited file is read, checked and recorded before it runs`,
	});
}

/** Every entry of the folder, stamped before any is read. */
async function stampAll(directory: string): Promise<Map<string, Stamp>> {
	const stamps = new Map<string, Stamp>();
	let entries: string[];
	try {
		entries = await readdir(directory);
	} catch {
		// readMigrations says why the folder cannot be read.
		return stamps;
	}

	// Synchronous, as a stat is far cheaper than a hop to the thread pool and back.
	for (const entry of entries) {
		const file = path.join(directory, entry);
		try {
			stamps.set(file, toStamp(statSync(file, {bigint: true})));
		} catch {
			// Gone since the listing: readMigrations says so, or it is not a migration.
		}
	}

	return stamps;
}

const toStamp = (info: BigIntStats): Stamp => ({mtimeNs: info.mtimeNs, size: info.size, ino: info.ino});

const sameStamp = (a: Stamp, b: Stamp) => a.mtimeNs === b.mtimeNs && a.size === b.size && a.ino === b.ino;
