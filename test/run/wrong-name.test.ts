import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {cutover, demoMigrations, prepareDemoTarget, type DemoTarget} from '../support/demo-targets.js';
import {exitPattern} from '../support/tmux.js';
import {startRun, waitForExit} from '../resume/interrupted-runs.js';
import {createThrowawayDatabase} from '../support/postgres.js';
import {createSqliteFile} from '../support/sqlite.js';

const dirs = (dir: string) => ['--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups')];

/** Everything a run could have written to the target: its whole schema (PostgreSQL), or the file's bytes and its neighbours (SQLite). */
function snapshot(db: string): string {
	if (db.startsWith('sqlite:')) {
		const file = db.slice('sqlite:'.length);
		const neighbours = readdirSync(path.dirname(file)).filter(name => name.startsWith(path.basename(file))).sort();
		return `${createHash('sha256').update(readFileSync(file)).digest('hex')}\n${neighbours.join('\n')}`;
	}

	// Newer pg_dump brackets its output with a random \restrict key, different on every call.
	return execFileSync('pg_dump', ['--schema-only', db], {encoding: 'utf8'}).replaceAll(/^\\(un)?restrict .*$/gm, '');
}

function wrongName(target: Pick<DemoTarget, 'db' | 'dir'> & {env: DemoTarget}) {
	const before = snapshot(target.db);
	const run = cutover(target.env, ['run', '--db', target.db, '--plain', '--yes', '--confirm-db', 'not-this-one', ...dirs(target.dir)]);
	assert.equal(run.code, 1, run.stdout + run.stderr);
	assert.match(run.stdout, /maintenance window not confirmed/);
	assert.match(run.stdout, /outcome: abandoned/);
	const after = snapshot(target.db);
	assert.equal(after, before, 'the target is exactly as it was');
	return after;
}

describe('a wrong typed name leaves the target exactly as it was', () => {
	for (const engine of ['sqlite', 'postgres'] as const) {
		it(`${engine}: the demo database (WAL mode on SQLite), plain run with a wrong --confirm-db`, async () => {
			const target = await prepareDemoTarget(engine);
			try {
				const after = wrongName({db: target.db, dir: target.dir, env: target});
				if (engine === 'sqlite') {
					assert.deepEqual(after.split('\n').slice(1), ['demo.db'], 'no -wal, -shm, -journal or lock file is left beside it');
				} else {
					assert.doesNotMatch(after, /cutover_run_lock/);
				}
			} finally {
				await target.cleanup();
			}
		});
	}

	it('postgres: a database cutover never touched gets neither cutover_migrations nor cutover_run_lock', async () => {
		const db = await createThrowawayDatabase('cutover_untouched');
		const target = await prepareDemoTarget('sqlite');
		try {
			await db.sql('CREATE TABLE accounts (id integer PRIMARY KEY)');
			const after = wrongName({db: db.url, dir: target.dir, env: target});
			assert.doesNotMatch(after, /cutover_/);
		} finally {
			await target.cleanup();
			await db.drop();
		}
	});

	it('sqlite: a file cutover never touched (rollback journal mode) keeps its bytes, and no lock file is left', async () => {
		const file = await createSqliteFile('CREATE TABLE accounts (id integer PRIMARY KEY); INSERT INTO accounts VALUES (1);');
		const target = await prepareDemoTarget('sqlite');
		try {
			const after = wrongName({db: `sqlite:${file.path}`, dir: target.dir, env: target});
			assert.deepEqual(after.split('\n').slice(1), ['app.db']);
		} finally {
			await target.cleanup();
			await file.cleanup();
		}
	});

	for (const engine of ['sqlite', 'postgres'] as const) {
		it(`${engine}: a console run where the operator types a wrong name and leaves`, async () => {
			const target = await prepareDemoTarget(engine);
			const before = snapshot(target.db);
			const run = await startRun(target, demoMigrations, false);
			try {
				await run.terminal.waitFor('Type the database name');
				await run.terminal.keys('Tab', 'Space', 'Down', 'Space', 'Down', 'Space', 'Tab');
				await run.terminal.waitFor('(3/3 ticked)');
				await run.terminal.type(`${target.name}x`);
				await run.terminal.keys('Enter');
				await run.terminal.waitFor(`"${target.name}x" is not the database name`);
				await run.terminal.keys('C-c');
				await run.terminal.waitFor('Leave the run? y/n');
				await run.terminal.type('y');
				const screen = await run.terminal.waitFor(exitPattern, 30_000);
				await waitForExit(run.pid);
				assert.match(screen, /outcome: abandoned/);
				assert.equal(snapshot(target.db), before, 'the target is exactly as it was');
			} finally {
				run.terminal.close();
				try {
					process.kill(run.pid, 'SIGKILL');
				} catch {}

				await target.cleanup();
			}
		});
	}
});
