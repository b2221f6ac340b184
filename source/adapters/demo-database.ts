import BetterSqlite3 from 'better-sqlite3';
import {existsSync} from 'node:fs';
import {openMigrator} from './migrator/index.js';

/**
 * Makes the demo's database: a new SQLite file at the first migration, as if deployed long
 * ago, with data that includes a few duplicate meters. Refuses to touch an existing file.
 */
export async function createDemoDatabase(options: {file: string; migrationsDir: string; firstMigration: string; seedSql: string}): Promise<void> {
	if (existsSync(options.file)) {
		throw new Error(`${options.file} already exists; the demo only creates new databases`);
	}

	new BetterSqlite3(options.file).pragma('journal_mode = WAL');
	const migrator = await openMigrator({target: {engine: 'sqlite', path: options.file, display: `sqlite:${options.file}`}, directory: options.migrationsDir});
	try {
		await migrator.up(options.firstMigration, {runId: 'demo-setup', appliedBy: 'demo setup'});
	} finally {
		await migrator.close();
	}

	const db = new BetterSqlite3(options.file, {fileMustExist: true});
	try {
		db.exec('BEGIN');
		db.exec(options.seedSql);
		db.exec('COMMIT');
	} finally {
		db.close();
	}
}
