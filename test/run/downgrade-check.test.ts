import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import {cli, cliEnv, cutover, demoMigrations, prepareDemoTarget, productionChecklist, readJournal, type DemoTarget} from '../support/demo-targets.js';

const dirs = (target: DemoTarget) => ['--records', path.join(target.dir, 'records'), '--backups', path.join(target.dir, 'backups')];

/** The demo's migrations plus one whose up makes a table and an index; `down` is its down. */
const benchUp = 'CREATE TABLE bench_x (id integer);\nCREATE INDEX i_users_email_bench ON users (email);\n';

function migrations(target: DemoTarget, down: string, up = benchUp): string {
	const dir = path.join(target.dir, 'migrations');
	cpSync(demoMigrations, dir, {recursive: true});
	writeFileSync(path.join(dir, '0005_bench.up.sql'), up);
	writeFileSync(path.join(dir, '0005_bench.down.sql'), down);
	return dir;
}

// The index is made without CONCURRENTLY on purpose: PostgreSQL's lint asks for an acknowledgement.
function downgrade(target: DemoTarget, down: string, up = benchUp) {
	const run = cutover(target, ['run', '--db', target.db, '--migrations', migrations(target, down, up), '--checklist', productionChecklist, '--plain', '--yes', '--confirm-db', target.name, '--at-end', 'downgrade', ...(target.engine === 'postgres' ? ['--ack-lint', 'index-not-concurrent'] : []), ...dirs(target)]);
	const files = readdirSync(path.join(target.dir, 'records')).filter(f => f.endsWith('.jsonl'));
	assert.equal(files.length, 1, run.stdout + run.stderr);
	const lines = readJournal(readFileSync(path.join(target.dir, 'records', files[0]!), 'utf8'));
	const finished = lines.find(l => l.kind === 'rollback.finished')?.event as {ok: boolean; detail: string} | undefined;
	const phases = lines.filter(l => l.kind === 'snapshot.taken').map(l => l.event['phase']);
	return {run, finished, phases, outcome: lines.at(-1)?.event['outcome'], journal: path.join(target.dir, 'records', files[0]!)};
}

for (const engine of ['sqlite', 'postgres'] as const) {
	describe(`a downgrade is checked against the schema before the upgrade (${engine})`, () => {
		it('a down that leaves a table behind fails the rollback, naming the table and the backup to restore', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const {run, finished, phases, outcome, journal} = downgrade(target, 'DROP INDEX i_users_email_bench;\n');
				assert.ok(finished, run.stdout + run.stderr);
				assert.equal(finished.ok, false, finished.detail);
				assert.match(finished.detail, /the downs left behind: table bench_x/);
				assert.match(finished.detail, /restore from the verified backup /);
				assert.deepEqual(phases, ['before', 'after', 'downgraded']);
				assert.equal(outcome, 'failed');
				assert.notEqual(run.code, 0);
				assert.match(run.stdout, /outcome: failed/);
				const replay = cutover(target, ['replay', journal, '--plain']);
				assert.match(replay.stdout, /the downs left behind: table bench_x/, replay.stdout + replay.stderr);
			} finally {
				await target.cleanup();
			}
		});

		it('a down that leaves an index behind fails the rollback, naming the index', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const {finished, outcome} = downgrade(target, 'DROP TABLE bench_x;\n');
				assert.equal(finished?.ok, false);
				assert.match(finished.detail, /the downs left behind: index i_users_email_bench/);
				assert.equal(outcome, 'failed');
			} finally {
				await target.cleanup();
			}
		});

		it(engine === 'postgres'
			? 'a down that leaves a type, a function and a trigger behind fails the rollback, naming them'
			: 'a down that leaves a trigger behind fails the rollback, naming it', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const up = engine === 'postgres'
					? `${benchUp}CREATE TYPE bench_mood AS ENUM ('ok', 'sad');\nCREATE FUNCTION bench_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER bench_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bench_touch();\n`
					: `${benchUp}CREATE TRIGGER bench_touch AFTER UPDATE ON users BEGIN SELECT 1; END;\n`;
				const {finished, outcome} = downgrade(target, 'DROP INDEX i_users_email_bench;\nDROP TABLE bench_x;\n', up);
				assert.equal(finished?.ok, false);
				assert.match(finished.detail, engine === 'postgres'
					? /the downs left behind: trigger users\.bench_touch, function bench_touch\(\), type bench_mood/
					: /the downs left behind: trigger users\.bench_touch/);
				assert.equal(outcome, 'failed');
			} finally {
				await target.cleanup();
			}
		});

		if (engine === 'postgres') {
			it('a down that leaves the extension its up installed, and makes a function again with other indentation, rolls back, saying the extension stays', async t => {
				const target = await prepareDemoTarget(engine);
				try {
					if ((await target.rows('SELECT 1 FROM pg_available_extensions WHERE name = \'pg_trgm\'')).length === 0) {
						t.skip('pg_trgm is not installed on this server');
						return;
					}

					await target.rows('CREATE FUNCTION bench_f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n    RETURN 1;\nEND\n$$');
					const up = `${benchUp}CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE OR REPLACE FUNCTION bench_f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 2; END $$;\n`;
					const down = 'DROP INDEX i_users_email_bench;\nDROP TABLE bench_x;\nCREATE OR REPLACE FUNCTION bench_f() RETURNS int LANGUAGE plpgsql AS $$\n  BEGIN\n\tRETURN 1;\n  END\n$$;\n';
					const {run, finished, outcome} = downgrade(target, down, up);
					assert.equal(finished?.ok, true, finished?.detail ?? run.stdout + run.stderr);
					assert.equal(finished.detail, 'every migration of this run was undone; extension pg_trgm stays installed (no down drops it; an up that creates it without IF NOT EXISTS would fail on it)');
					assert.equal(outcome, 'rolled-back');
				} finally {
					await target.cleanup();
				}
			});
		}

		it('a clean down rolls back as before, with the snapshot after the downs in the record', async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const {run, finished, phases, outcome} = downgrade(target, 'DROP INDEX i_users_email_bench;\nDROP TABLE bench_x;\n');
				assert.equal(finished?.ok, true, finished?.detail ?? run.stdout + run.stderr);
				assert.deepEqual(phases, ['before', 'after', 'downgraded']);
				assert.equal(outcome, 'rolled-back');
				assert.match(run.stdout, /outcome: rolled-back/);
			} finally {
				await target.cleanup();
			}
		});
	});
}

describe('a downgrade is checked, minus the tool history cutover keeps', () => {
	it('a maragu folder rolls back clean though its migrations table, made by cutover with the first migration, stays', () => {
		const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-downgrade-maragu-'));
		try {
			const file = path.join(scratch, 'app.db');
			new BetterSqlite3(file).exec('VACUUM');
			const checklist = path.join(scratch, 'c.yaml');
			writeFileSync(checklist, 'name: t\nwindow:\n  expected-minutes: 10\nchecks: {}\n');
			const run = spawnSync(process.execPath, [cli, 'run', '--db', `sqlite:${file}`, '--migrations', path.resolve('test/fixtures/formats/maragu'), '--checklist', checklist, '--plain', '--yes', '--confirm-db', 'app', '--at-end', 'downgrade', '--records', path.join(scratch, 'records'), '--backups', path.join(scratch, 'backups')], {encoding: 'utf8', env: {...process.env, CUTOVER_CONFIG_DIR: path.join(scratch, 'config')}, timeout: 120_000});
			assert.match(run.stdout, /maragu format · keeps migrations in step/, run.stdout + run.stderr);
			assert.match(run.stdout, /downgrade done: every migration of this run was undone/, run.stdout + run.stderr);
			assert.match(run.stdout, /outcome: rolled-back/);
			const left = new BetterSqlite3(file, {readonly: true}).prepare('SELECT count(*) AS n FROM sqlite_master WHERE name = \'migrations\'').get() as {n: number};
			assert.equal(left.n, 1, 'the tool\'s table stays, as its tool would keep it');
		} finally {
			rmSync(scratch, {recursive: true, force: true});
		}
	});
});

describe('a downgrade whose schema cannot be read after the downs', () => {
	it('fails the rollback, saying the downs ran but could not be checked, and naming the backup to restore', async () => {
		const target = await prepareDemoTarget('postgres');
		const holder = new pg.Client({connectionString: target.db});
		try {
			// A table none of the downs touch: locked by someone else once the downs have begun, so only the snapshot after them waits on it.
			await target.rows('CREATE TABLE bystander (id integer)');
			await holder.connect();
			// The first down waits on this until bystander is locked: no race with the snapshot after the downs.
			await holder.query('SELECT pg_advisory_lock(4242)');
			const records = path.join(target.dir, 'records');
			const child = spawn(process.execPath, [cli, 'run', '--db', target.db, '--migrations', migrations(target, 'SELECT pg_advisory_xact_lock(4242);\nDROP INDEX i_users_email_bench;\nDROP TABLE bench_x;\n'), '--checklist', productionChecklist, '--plain', '--yes', '--confirm-db', target.name, '--at-end', 'downgrade', '--ack-lint', 'index-not-concurrent', ...dirs(target)], {env: {...process.env, ...cliEnv(target)}, stdio: ['ignore', 'pipe', 'pipe']});
			let output = '';
			child.stdout.on('data', (chunk: Buffer) => {
				output += chunk.toString();
			});
			child.stderr.on('data', (chunk: Buffer) => {
				output += chunk.toString();
			});
			const exited = new Promise<number | null>(resolve => {
				child.on('close', resolve);
			});
			const journal = async () => {
				const files = existsSync(records) ? readdirSync(records).filter(f => f.endsWith('.jsonl')) : [];
				return files.length === 1 ? readJournal(readFileSync(path.join(records, files[0]!), 'utf8')) : [];
			};

			const deadline = Date.now() + 120_000;
			// eslint-disable-next-line no-await-in-loop -- polling the record until the first down starts
			while (!(await journal()).some(l => l.kind === 'migration.started' && l.event['direction'] === 'down')) {
				assert.ok(Date.now() < deadline, output);
				assert.equal(child.exitCode, null, output);
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 50));
			}

			await holder.query('BEGIN');
			await holder.query('LOCK TABLE bystander IN ACCESS EXCLUSIVE MODE');
			await holder.query('SELECT pg_advisory_unlock(4242)');
			const code = await exited;
			await holder.query('ROLLBACK');
			const lines = await journal();
			const finished = lines.find(l => l.kind === 'rollback.finished')?.event as {ok: boolean; detail: string} | undefined;
			assert.equal(finished?.ok, false, output);
			assert.match(finished.detail, /^every down ran, but the schema could not be read to check them: .*bystander.*; compare it with the one before the upgrade, or restore from the verified backup \//);
			assert.deepEqual(lines.filter(l => l.kind === 'snapshot.taken').map(l => l.event['phase']), ['before', 'after']);
			assert.equal(lines.at(-1)?.event['outcome'], 'failed');
			assert.notEqual(code, 0);
			// The downs did run: the log is back at 0001.
			assert.deepEqual((await target.rows('SELECT name FROM cutover_migrations ORDER BY name')).map(r => r['name']), ['0001_create_users_and_meters']);
		} finally {
			await holder.end().catch(() => undefined);
			await target.cleanup();
		}
	});
});
