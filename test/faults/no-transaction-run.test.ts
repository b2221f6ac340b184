// A migration outside a transaction in a whole run: failing part way, and an INVALID index left behind.
import assert from 'node:assert/strict';
import {cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {cutover, demoMigrations, prepareDemoTarget, readJournal, type DemoTarget, type JournalLine} from '../support/demo-targets.js';
import {assertClearMessage, assertVerifies} from '../support/faults.js';

const records = (target: DemoTarget) => path.join(target.dir, 'records');
const dirs = (target: DemoTarget) => ['--records', records(target), '--backups', path.join(target.dir, 'backups')];

/** The demo's first migration (applied already), or all of them, and the given files. */
function migrationsWith(target: DemoTarget, files: Record<string, string>, demo: 'first' | 'all' = 'first'): string {
	const dir = path.join(target.dir, 'migrations');
	mkdirSync(dir, {recursive: true});
	for (const file of readdirSync(demoMigrations).filter(f => demo === 'all' || f.startsWith('0001_'))) {
		cpSync(path.join(demoMigrations, file), path.join(dir, file));
	}

	for (const [name, sql] of Object.entries(files)) {
		writeFileSync(path.join(dir, name), sql);
	}

	return dir;
}

/** A runbook of this test's own: one check before and after, none about the demo's migrations. */
function checklist(target: DemoTarget): string {
	const file = path.join(target.dir, 'no-transaction.yaml');
	writeFileSync(file, [
		'name: no-transaction',
		'window:',
		'  expected-minutes: 10',
		'preparation:',
		'  - id: notified',
		'    text: Stakeholders notified',
		'checks:',
		'  pre:',
		'    - id: admin-exists',
		'      title: At least one admin account',
		'      blocking: true',
		'      expect: some-rows',
		'      sql: SELECT id FROM users WHERE role = \'admin\'',
		'  post:',
		'    - id: users-kept',
		'      title: The users are still there',
		'      blocking: true',
		'      expect: some-rows',
		'      sql: SELECT id FROM users',
		'',
	].join('\n'));
	return file;
}

function run(target: DemoTarget, migrations: string, extra: string[] = []) {
	return cutover(target, ['run', '--db', target.db, '--migrations', migrations, '--checklist', checklist(target), '--plain', '--yes', '--confirm-db', target.name, ...dirs(target), ...extra]);
}

/** The records so far, oldest first. */
/** In the order the runs were made: two runs started in one second have names that sort by their random run ids. */
function recordFiles(target: DemoTarget): string[] {
	return readdirSync(records(target)).filter(f => f.endsWith('.jsonl')).map(f => path.join(records(target), f))
		.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
}

const lines = (file: string): JournalLine[] => readJournal(readFileSync(file, 'utf8'));
const present = async (target: DemoTarget, table: string) => (await target.rows(`SELECT to_regclass('${table}') IS NOT NULL AS present`))[0]?.['present'] === true;
const logged = async (target: DemoTarget, name: string) => (await target.rows(`SELECT name FROM cutover_migrations WHERE name = '${name}'`)).length === 1;

async function withTarget(work: (target: DemoTarget) => Promise<void>, engine: 'postgres' | 'sqlite' = 'postgres') {
	const target = await prepareDemoTarget(engine);
	try {
		await work(target);
	} finally {
		await target.cleanup();
	}
}

describe('a no-transaction migration in a run on postgres', () => {
	it('failing at its second statement: the first stays, no log row, the error and the rollback prompt say statement 1 took effect', async () => withTarget(async target => {
		const migrations = migrationsWith(target, {
			'0005_half.up.sql': '-- cutover: no-transaction\nCREATE TABLE half_done (id integer);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE never_made (id integer);\n',
			'0005_half.down.sql': '-- cutover: no-transaction\nDROP TABLE IF EXISTS never_made;\nDROP TABLE IF EXISTS half_done;\n',
		});
		const result = run(target, migrations);
		assert.equal(result.code, 1, result.stdout + result.stderr);
		assertClearMessage(result.stdout + result.stderr,
			/0005_half \(no transaction, 3 statements; not safe to retry: statement 1: CREATE TABLE without IF NOT EXISTS; statement 2: INSERT without ON CONFLICT; statement 3: CREATE TABLE without IF NOT EXISTS\)/,
			/up 0005_half statement 1 of 3 committed/,
			/up 0005_half FAILED: 0005_half \(up\) failed at statement 2 of 3 .*no_such_table.*statement 1 of 3 took effect and stays, nothing was rolled back/,
			/rollback offered/,
			/run finished: failed/);
		assert.equal(await present(target, 'half_done'), true, 'statement 1 took effect');
		assert.equal(await present(target, 'never_made'), false);
		assert.equal(await logged(target, '0005_half'), false, 'no log row');

		const [file] = recordFiles(target);
		const journal = lines(file!);
		const failed = journal.find(l => l.kind === 'migration.failed')?.event;
		assert.deepEqual(failed?.['tookEffect'], {statements: 1, total: 3});
		const options = journal.find(l => l.kind === 'rollback.offered')?.event['options'] as Array<{choice: string; available: boolean; action: string; cost: string}>;
		assert.equal(options.find(o => o.choice === 'downgrade')?.available, true, 'its down can undo what took effect');
		assert.match(options.find(o => o.choice === 'downgrade')?.cost ?? '', /statement 1 of 3 of 0005_half took effect outside a transaction: its down runs first/);
		assert.match(options.find(o => o.choice === 'keep')?.cost ?? '', /statement 1 of 3 of 0005_half took effect outside a transaction and stay/);
		assertVerifies(target, file!);
	}));

	it('--on-failure downgrade runs the down of the part that took effect', async () => withTarget(async target => {
		const migrations = migrationsWith(target, {
			'0005_half.up.sql': '-- cutover: no-transaction\nCREATE TABLE half_done (id integer);\nINSERT INTO no_such_table VALUES (1);\n',
			'0005_half.down.sql': '-- cutover: no-transaction\nDROP TABLE IF EXISTS half_done;\n',
		});
		const result = run(target, migrations, ['--on-failure', 'downgrade']);
		assertClearMessage(result.stdout + result.stderr, /down 0005_half statement 1 of 1: DROP TABLE IF EXISTS half_done/, /down 0005_half done/, /downgrade done/, /run finished: rolled-back/);
		assert.equal(await present(target, 'half_done'), false);
		assert.equal(await logged(target, '0005_half'), false);
	}));

	it('an INVALID index left by a failed unique CREATE INDEX CONCURRENTLY is named, dropped only with --drop-invalid-index (recorded), and the migration then applies', async () => withTarget(async target => {
		await target.rows('CREATE TABLE contacts (email text); INSERT INTO contacts VALUES (\'a@example.com\'), (\'a@example.com\'), (\'b@example.com\')');
		const migrations = migrationsWith(target, {
			'0005_unique_contacts.up.sql': '-- cutover: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY contacts_email ON contacts (email);\n',
			'0005_unique_contacts.down.sql': '-- cutover: no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS contacts_email;\n',
		});

		// 1. The build fails over the duplicates and leaves the index INVALID.
		const first = run(target, migrations);
		assert.equal(first.code, 1, first.stdout + first.stderr);
		assertClearMessage(first.stdout + first.stderr, /could not create unique index "contacts_email"/, /no statement \(of 1\) took effect/, /it left the INVALID index public\.contacts_email on contacts, to drop before it runs again/);
		const invalid = await target.rows('SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'contacts_email\'');
		assert.deepEqual(invalid, [{indisvalid: false}]);

		// 2. The duplicates fixed, a new run names the index and refuses to drop it without the flag.
		await target.rows('DELETE FROM contacts WHERE ctid NOT IN (SELECT min(ctid) FROM contacts GROUP BY email)');
		const second = run(target, migrations);
		assert.equal(second.code, 1, second.stdout + second.stderr);
		assertClearMessage(second.stdout + second.stderr,
			/0005_unique_contacts: INVALID index left by an earlier CREATE INDEX CONCURRENTLY: public\.contacts_email on contacts/,
			/0005_unique_contacts did not run: .*--drop-invalid-index/);
		const secondRecord = lines(recordFiles(target)[1]!);
		assert.ok(!secondRecord.some(l => l.kind === 'operator.invalid-index-drop' || l.kind === 'invalid-index.dropped'), 'nothing was decided or dropped');
		assert.ok(!secondRecord.some(l => l.kind === 'migration.started'), 'no migration started');
		assert.deepEqual(await target.rows('SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'contacts_email\''), [{indisvalid: false}]);

		// 3. With the flag: the drop is the operator's recorded decision, then the index is built for real.
		const third = run(target, migrations, ['--drop-invalid-index']);
		assert.equal(third.code, 0, third.stdout + third.stderr);
		assertClearMessage(third.stdout + third.stderr, /operator confirmed dropping the INVALID index public\.contacts_email before 0005_unique_contacts/, /drop of INVALID index public\.contacts_email done/, /outcome: upgraded/);
		const thirdFile = recordFiles(target)[2]!;
		const kinds = lines(thirdFile).map(l => l.kind);
		assert.ok(kinds.indexOf('operator.invalid-index-drop') < kinds.indexOf('invalid-index.dropped'));
		assert.ok(kinds.indexOf('invalid-index.dropped') < kinds.indexOf('migration.started'));
		assert.deepEqual(await target.rows('SELECT i.indisvalid, i.indisunique FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \'contacts_email\''), [{indisvalid: true, indisunique: true}]);
		assert.equal(await logged(target, '0005_unique_contacts'), true);
		assertVerifies(target, thirdFile);
	}));
	it('an INVALID index on a table outside the search_path is named by its schema and rebuilt valid; a same-named index in another schema is left alone', async () => withTarget(async target => {
		await target.rows('CREATE SCHEMA app; CREATE TABLE app.t (x integer); INSERT INTO app.t VALUES (1), (1)');
		// A same-named INVALID index on a visible table: not this migration's, never offered.
		await target.rows('CREATE TABLE public.t (x integer); INSERT INTO public.t VALUES (2), (2)');
		await target.rows('CREATE UNIQUE INDEX CONCURRENTLY t_x_key ON public.t (x)').catch(() => undefined);
		const migrations = migrationsWith(target, {
			'0005_app_index.up.sql': '-- cutover: no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_x_key ON app.t (x);\n',
			'0005_app_index.down.sql': '-- cutover: no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS app.t_x_key;\n',
		});
		const indexes = async () => target.rows('SELECT n.nspname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = \'t_x_key\' ORDER BY 1');

		const first = run(target, migrations);
		assert.equal(first.code, 1, first.stdout + first.stderr);
		assertClearMessage(first.stdout + first.stderr, /could not create unique index "t_x_key"/, /it left the INVALID index app\.t_x_key on t, to drop before it runs again/);
		assert.deepEqual(await indexes(), [{nspname: 'app', indisvalid: false}, {nspname: 'public', indisvalid: false}]);

		await target.rows('DELETE FROM app.t WHERE ctid = (SELECT max(ctid) FROM app.t)');
		const second = run(target, migrations, ['--drop-invalid-index']);
		assert.equal(second.code, 0, second.stdout + second.stderr);
		assertClearMessage(second.stdout + second.stderr, /drop of INVALID index app\.t_x_key done/, /outcome: upgraded/);
		assert.doesNotMatch(second.stdout + second.stderr, /public\.t_x_key/);
		assert.deepEqual(await indexes(), [{nspname: 'app', indisvalid: true}, {nspname: 'public', indisvalid: false}]);
		assert.equal(await logged(target, '0005_app_index'), true);
		assertVerifies(target, recordFiles(target)[1]!);
	}));
});

describe('a no-transaction migration in a run on sqlite', () => {
	it('VACUUM runs in a no-transaction migration while the run holds its other connections', async () => withTarget(async target => {
		const migrations = migrationsWith(target, {
			'0005_compact.up.sql': '-- cutover: no-transaction\nDELETE FROM meters WHERE id > 30;\nVACUUM;\n',
		});
		const result = run(target, migrations);
		assert.equal(result.code, 0, result.stdout + result.stderr);
		assertClearMessage(result.stdout + result.stderr, /0005_compact \(irreversible\) \(no transaction, 2 statements\)/, /up 0005_compact statement 2 of 2: VACUUM/, /up 0005_compact statement 2 of 2 committed/, /outcome: upgraded/);
		assert.equal((await target.rows('SELECT name FROM cutover_migrations WHERE name = \'0005_compact\'')).length, 1);
		assertVerifies(target, recordFiles(target)[0]!);
	}, 'sqlite'));
});
