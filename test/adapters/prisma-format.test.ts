// Prisma Migrate's layout (a folder per migration holding migration.sql, no downs) read as it is,
// applied on both engines, and a database Prisma migrated adopted from _prisma_migrations.
import assert from 'node:assert/strict';
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {readMigrationFolder} from '../../source/adapters/migrator/migration-files.js';
import {CutoverError} from '../../source/errors/index.js';
import {parseTarget} from '../../source/target.js';
import {psqlDatabase, scratch, sha256} from '../adopt/adopt-support.js';
import {createThrowawayDatabase} from '../support/postgres.js';

const fixture = path.resolve('test/fixtures/formats/prisma');
const names = ['20240101000000_init', '20240102093000_accounts_email', '20240103000000_audit'];
const context = {runId: 'run-prisma', appliedBy: 'tester@host'};
const made: string[] = [];
after(() => {
	for (const dir of made) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function folder(files: Record<string, string>): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'cutover-prisma-'));
	made.push(dir);
	for (const [name, text] of Object.entries(files)) {
		if (name.endsWith('/')) {
			mkdirSync(path.join(dir, name), {recursive: true});
		} else {
			mkdirSync(path.dirname(path.join(dir, name)), {recursive: true});
			writeFileSync(path.join(dir, name), text);
		}
	}

	return dir;
}

async function refusal(directory: string, format: 'prisma' | null = null): Promise<CutoverError> {
	try {
		await readMigrationFolder(directory, 'postgres', {format});
	} catch (error) {
		assert.ok(error instanceof CutoverError, String(error));
		return error;
	}

	assert.fail('the folder was read');
}

describe('Prisma migrations folder', () => {
	test('is told from its folders: each migration its folder\'s name, in timestamp order, none reversible, migration_lock.toml ignored', async () => {
		const read = await readMigrationFolder(fixture, 'postgres');
		assert.equal(read.format, 'prisma');
		assert.deepEqual(read.sources.map(s => s.name), names);
		assert.deepEqual(read.ignored, ['migration_lock.toml']);
		assert.ok(read.sources.every(s => s.down === null), 'Prisma has no downs');
		// The checksum is the file's sha256: what _prisma_migrations holds for it.
		assert.equal(read.sources[0]!.checksum, sha256(readFileSync(path.join(fixture, names[0]!, 'migration.sql'), 'utf8')));
	});

	test('a migration folder without its migration.sql is refused, not skipped; so is a .sql file beside the folders', async () => {
		const missing = await refusal(folder({'20240101000000_init/migration.sql': 'SELECT 1;', '20240102000000_gone/': ''}));
		assert.match(missing.message, /20240102000000_gone\/ holds no migration\.sql/);
		const beside = await refusal(folder({'20240101000000_init/migration.sql': 'SELECT 1;', 'seed.sql': 'SELECT 2;'}), 'prisma');
		assert.match(beside.message, /seed\.sql is no Prisma migration/);
		// Without --format, a .sql file at the top makes it another tool's folder, refused by that tool's rules.
		const other = await refusal(folder({'20240101000000_init/migration.sql': 'SELECT 1;', 'seed.sql': 'SELECT 2;'}));
		assert.match(other.message, /seed\.sql is not a migration file name/);
	});

	for (const engine of ['sqlite', 'postgres'] as const) {
		test(`applies on ${engine}, one migration at a time, with cutover's log`, async () => {
			let target;
			let drop = async () => {};
			let tables: () => Promise<string[]>;
			if (engine === 'sqlite') {
				const file = path.join(folder({}), 'prisma.db');
				new BetterSqlite3(file).exec('VACUUM');
				target = parseTarget(`sqlite:${file}`);
				tables = async () => {
					const db = new BetterSqlite3(file, {readonly: true});
					try {
						return (db.prepare('SELECT name FROM sqlite_master WHERE type = \'table\' ORDER BY name').all() as Array<{name: string}>).map(r => r.name);
					} finally {
						db.close();
					}
				};
			} else {
				const db = await createThrowawayDatabase('cutover_prisma');
				target = parseTarget(db.url);
				drop = async () => db.drop();
				tables = async () => ((await db.sql('SELECT tablename AS name FROM pg_tables WHERE schemaname = \'public\' ORDER BY tablename')).rows as Array<{name: string}>).map(r => r.name);
			}

			const migrator = await openMigrator({target, directory: fixture});
			try {
				const plan = await migrator.plan();
				assert.equal(plan.format, 'prisma');
				for (const m of plan.pending) {
					// eslint-disable-next-line no-await-in-loop -- in order
					await migrator.up(m.name, context);
				}

				assert.deepEqual((await migrator.plan()).applied.map(m => m.name), names);
				assert.deepEqual(await tables(), ['accounts', 'audit_log', 'cutover_migrations']);
			} finally {
				await migrator.close();
				await drop();
			}
		});
	}
});

describe('cutover import --from prisma', () => {
	const files = Object.fromEntries(names.map(name => [name, readFileSync(path.join(fixture, name, 'migration.sql'), 'utf8')]));
	const schema = 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL); CREATE INDEX accounts_email ON accounts (email);';
	const history = (rows: string) => `CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz, migration_name varchar(255) NOT NULL,
		logs text, rolled_back_at timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0); ${rows}`;
	const row = (id: number, name: string, checksum: string, finished = true, rolledBack = false) =>
		`INSERT INTO _prisma_migrations VALUES ('${id}', '${checksum}', ${finished ? 'now()' : 'NULL'}, '${name}', NULL, ${rolledBack ? 'now()' : 'NULL'}, now() + interval '${id} second', 1);`;

	const withFolder = async (sql: string, work: (s: ReturnType<typeof scratch>, db: Awaited<ReturnType<typeof psqlDatabase>>) => Promise<void>) => {
		const db = await psqlDatabase(sql);
		const s = scratch();
		try {
			cpSync(fixture, s.migrations, {recursive: true});
			await work(s, db);
		} finally {
			s.cleanup();
			await db.drop();
		}
	};

	test('maps finished rows by folder name, compares each sha256, and writes the applied ones', async () => withFolder(
		`${schema}${history(`${row(1, names[0]!, sha256(files[names[0]!]!))}${row(2, names[1]!, sha256(files[names[1]!]!))}`)}`,
		async (s, db) => {
			const run = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--yes', '--confirm-db', db.name]);
			assert.equal(run.code, 0, run.stdout + run.stderr);
			assert.match(run.stdout, /sha256 matches/);
			const rows = await db.sql('SELECT name, checksum FROM cutover_migrations ORDER BY name');
			assert.deepEqual(rows.rows.map(r => r.name), names.slice(0, 2));
			assert.deepEqual(rows.rows.map(r => r.checksum), names.slice(0, 2).map(name => sha256(files[name]!)));
			const [record] = s.recordFiles();
			assert.equal(s.cutover(['verify', record!]).code, 0);
		},
	));

	test('refuses a file changed since Prisma ran it, and a migration Prisma left unfinished, writing nothing', async () => {
		await withFolder(`${schema}${history(row(1, names[0]!, sha256('something else')))}`, async (s, db) => {
			const run = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--from', 'prisma', '--yes', '--confirm-db', db.name]);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			assert.match(run.stdout + run.stderr, /20240101000000_init was changed after prisma applied it/);
			assert.equal((await db.sql('SELECT to_regclass(\'cutover_migrations\') IS NOT NULL AS present')).rows[0].present, false);
		});
		await withFolder(`${schema}${history(`${row(1, names[0]!, sha256(files[names[0]!]!))}${row(2, names[1]!, sha256(files[names[1]!]!), false)}`)}`, async (s, db) => {
			const run = s.cutover(['import', '--db', db.url, '--migrations', s.migrations, '--from', 'prisma', '--yes', '--confirm-db', db.name]);
			assert.equal(run.code, 1, run.stdout + run.stderr);
			assert.match(run.stdout + run.stderr, /prisma migrate resolve --applied or --rolled-back 20240102093000_accounts_email/);
		});
	});
});
