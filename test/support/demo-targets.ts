import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {createDemoDatabase} from '../../source/adapters/demo-database.js';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {demoSeedSql} from '../../source/demo/seed.js';
import type {Engine} from '../../source/engine/model.js';
import {packageRoot} from '../../source/package-root.js';
import {parseTarget} from '../../source/target.js';
import {createThrowawayDatabase} from './postgres.js';

export const demoMigrations = path.join(packageRoot, 'migrations');
export const productionChecklist = path.join(packageRoot, 'checklists/production.yaml');
export const cli = path.join(packageRoot, 'dist/source/cli/main.js');
/** What `bin` and `npm start` run: dist/source bundled by scripts/bundle.mjs (`npm run build`). */
export const bundledCli = path.join(packageRoot, 'dist/bundle/main.js');

/** A target at the demo's starting point (0001 applied, seeded), on either engine, plus a scratch directory. */
export type DemoTarget = {
	engine: Engine;
	/** The --db argument. */
	db: string;
	/** The name the operator types. */
	name: string;
	/** Records, backups and settings go here. */
	dir: string;
	/** Rows as objects, read with the driver directly: the end state, not what cutover says of it. */
	rows(sql: string): Promise<Array<Record<string, unknown>>>;
	cleanup(): Promise<void>;
};

export async function prepareDemoTarget(engine: Engine): Promise<DemoTarget> {
	const dir = mkdtempSync(path.join(os.tmpdir(), `cutover-${engine}-`));
	if (engine === 'sqlite') {
		const file = path.join(dir, 'demo.db');
		await createDemoDatabase({file, migrationsDir: demoMigrations, firstMigration: '0001_create_users_and_meters', seedSql: demoSeedSql});
		return {
			engine,
			db: `sqlite:${file}`,
			name: 'demo',
			dir,
			async rows(sql) {
				const db = new BetterSqlite3(file, {readonly: true, fileMustExist: true});
				try {
					return db.prepare(sql).all() as Array<Record<string, unknown>>;
				} finally {
					db.close();
				}
			},
			async cleanup() {
				rmSync(dir, {recursive: true, force: true});
			},
		};
	}

	const database = await createThrowawayDatabase('cutover_demo');
	const migrator = await openMigrator({target: parseTarget(database.url), directory: demoMigrations});
	try {
		await migrator.up('0001_create_users_and_meters', {runId: 'demo-setup', appliedBy: 'test setup'});
	} finally {
		await migrator.close();
	}

	await database.sql(demoSeedSql);
	return {
		engine,
		db: database.url,
		name: database.name,
		dir,
		rows: async sql => (await database.sql(sql)).rows as Array<Record<string, unknown>>,
		async cleanup() {
			await database.drop();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

export type JournalLine = {seq: number; kind: string; event: Record<string, unknown> & {type: string}};

export function readJournal(text: string): JournalLine[] {
	return text.split('\n').filter(Boolean).map(line => JSON.parse(line) as JournalLine);
}

/** The settings a test's cutover uses: its own, in the target's scratch directory. */
export const cliEnv = (target: DemoTarget) => ({CUTOVER_CONFIG_DIR: path.join(target.dir, 'config'), NO_COLOR: '1'});

/** Runs the built CLI to its end, off a terminal, with the target's own settings. */
export function cutover(target: DemoTarget, args: string[], timeoutMs = 180_000) {
	const result = spawnSync(process.execPath, [cli, ...args], {
		encoding: 'utf8',
		env: {...process.env, ...cliEnv(target)},
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: timeoutMs,
	});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}
