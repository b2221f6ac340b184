import assert from 'node:assert/strict';
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import pg from 'pg';
import {openMigrator} from '../../source/adapters/migrator/index.js';
import {createPostgresActivityMonitor} from '../../source/adapters/postgres/activity-monitor.js';
import {createPostgresBackupTool} from '../../source/adapters/postgres/backup-tool.js';
import {createPostgresLockSampler} from '../../source/adapters/postgres/lock-sampler.js';
import {connectPostgres} from '../../source/adapters/postgres/connect.js';
import {openPostgresDatabase} from '../../source/adapters/postgres/database.js';
import {dbnameArgument} from '../../source/adapters/postgres/pg-tool.js';
import type {PostgresTarget} from '../../source/adapters/postgres/postgres-target.js';
import type {ConnectionEnvironment} from '../../source/adapters/postgres/resolve-connection.js';
import {systemConnectionEnvironment} from '../../source/adapters/postgres/system-connection-environment.js';
import {toolEnvironment} from '../../source/adapters/postgres/tool-connection.js';
import {createPostgresRunLock} from '../../source/adapters/run-lock/postgres-run-lock.js';
import {demoSeedSql} from '../../source/demo/seed.js';
import {TargetError} from '../../source/errors/index.js';
import {parseTarget} from '../../source/target.js';
import {startCluster, type Cluster} from '../support/pg-cluster.js';
import {cli, demoMigrations} from '../support/demo-targets.js';
import {openTerminal} from '../support/tmux.js';
import {packageRoot} from '../../source/package-root.js';

const role = 'app_owner';
const password = 'Scr4m-Only-Pa55word';
const why = 'the authentication tests need a server that asks for a password or speaks SSL';
const instead = 'install the PostgreSQL server binaries (initdb, pg_ctl)';

/** This machine's environment without any PG* variable, plus the given ones: what the operator's shell holds. */
function environmentWith(env: Record<string, string> = {}, warnings: string[] = []): ConnectionEnvironment {
	const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
	return {...systemConnectionEnvironment(), env: {...base, ...env}, warn: message => warnings.push(message)};
}

function target(url: string, environment = environmentWith()): PostgresTarget {
	const parsed = parseTarget(url, process.cwd(), environment);
	assert.equal(parsed.engine, 'postgres');
	return parsed as PostgresTarget;
}

async function freePort(): Promise<number> {
	return new Promise(resolve => {
		const server = createServer().listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1));
		});
	});
}

/** Whether pg_dump, given exactly what cutover gives it, reaches the server. */
function pgDumpConnects(of: PostgresTarget): boolean {
	const run = spawnSync('pg_dump', ['--schema-only', '--no-password', dbnameArgument(of)], {env: toolEnvironment(of.connection), encoding: 'utf8'});
	return run.status === 0;
}

async function sslInUse(of: PostgresTarget): Promise<boolean> {
	const client = await connectPostgres(of);
	try {
		const result = await client.query<{ssl: boolean}>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
		return result.rows[0]?.ssl === true;
	} finally {
		await client.end();
	}
}

function assertNoSecret(text: string, where: string): void {
	assert.ok(!text.includes(password), `the password appears in ${where}`);
}

function filesUnder(directory: string): string[] {
	return readdirSync(directory, {recursive: true, encoding: 'utf8'}).map(name => path.join(directory, name)).filter(file => statSync(file).isFile());
}

describe('a server that asks for a SCRAM password', () => {
	let cluster: Cluster;
	let scratch: string;
	let base: string;
	let pgpassFile: string;

	before(async () => {
		cluster = await startCluster({why, instead, prefix: 'cutover-scram-', scram: {role, password}});
		base = `postgres://${role}@127.0.0.1:${cluster.port}/${role}`;
		scratch = mkdtempSync(path.join(tmpdir(), 'cutover-scram-test-'));
		pgpassFile = path.join(scratch, 'pgpass');
		writeFileSync(pgpassFile, `# cutover tests\nother:*:*:*:wrong\n127.0.0.1:${cluster.port}:${role}:${role}:${password.replaceAll(':', '\\:')}\n`, {mode: 0o600});
		// The server really refuses a login without the password.
		const bare = new pg.Client({host: '127.0.0.1', port: cluster.port, user: role, database: role, password: 'not-it'});
		await assert.rejects(bare.connect(), /password authentication failed/);
		await bare.end().catch(() => {});
	});

	after(() => {
		cluster?.stop();
		if (scratch !== undefined) {
			rmSync(scratch, {recursive: true, force: true});
		}
	});

	const sources: Array<{name: string; make: () => PostgresTarget; source: RegExp}> = [
		{name: 'the URL', make: () => target(`postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${cluster.port}/${role}`), source: /URL's password/},
		{name: '?password=', make: () => target(`${base}?password=${encodeURIComponent(password)}`), source: /URL's password/},
		{name: 'PGPASSWORD', make: () => target(base, environmentWith({PGPASSWORD: password})), source: /PGPASSWORD/},
		{name: 'a pgpass file (PGPASSFILE, mode 0600)', make: () => target(base, environmentWith({PGPASSFILE: pgpassFile})), source: /password file/},
	];

	for (const [index, row] of sources.entries()) {
		test(`the password from ${row.name} reaches every connection: database, migrator, run lock, pg_dump, pg_restore`, async () => {
			const of = row.make();
			assert.equal(of.connection.password, password);
			assert.match(of.connection.passwordSource ?? '', row.source);
			assertNoSecret(of.display, 'the display');

			const database = await openPostgresDatabase(of);
			assert.equal((await database.fingerprint()).database, role);
			await database.close();

			const migrator = await openMigrator({target: of, directory: demoMigrations});
			await migrator.up('0001_create_users_and_meters', {runId: `scram-${index}`, appliedBy: 'test'});
			const lock = await createPostgresRunLock(of).acquire({runId: `scram-${index}`, operator: 'test', host: 'here', pid: process.pid, since: Date.now()});
			assert.equal((await createPostgresRunLock(of).inspect())?.runId, `scram-${index}`);
			await lock.release();
			// The watch and the lock sampler log in the same way.
			const monitor = createPostgresActivityMonitor(of);
			assert.ok((await monitor.databaseSize()) > 0);
			await monitor.close();
			const sampler = createPostgresLockSampler(of);
			await sampler.sample();
			await sampler.close();

			const backups = path.join(scratch, `backups-${index}`);
			const tool = createPostgresBackupTool(of);
			const artifact = await tool.backup({directory: backups, fileName: 'app.dump', onProgress() {}});
			assert.ok(artifact.sourceCounts['users'] !== undefined);
			assert.equal((await tool.verify(artifact)).ok, true);
			await migrator.down('0001_create_users_and_meters', {runId: `scram-${index}`, appliedBy: 'test'});
			await migrator.close();
			// pg_restore connects with the password too: the tables come back.
			await tool.restore(artifact);
			const check = await openPostgresDatabase(of);
			const tables = await check.tables();
			assert.ok(tables.includes('users') && tables.includes('meters'), tables.join(', '));
			await check.close();
			const cleanup = await openMigrator({target: of, directory: demoMigrations});
			await cleanup.down('0001_create_users_and_meters', {runId: `scram-${index}`, appliedBy: 'test'});
			await cleanup.close();
			for (const file of filesUnder(backups)) {
				assertNoSecret(readFileSync(file, 'latin1'), file);
			}
		});
	}

	test('a pgpass file readable by others is ignored with a warning, and the login fails with a hint', async () => {
		const loose = path.join(scratch, 'pgpass-loose');
		writeFileSync(loose, `*:*:*:*:${password}\n`, {mode: 0o644});
		const warnings: string[] = [];
		const of = target(base, environmentWith({PGPASSFILE: loose}, warnings));
		assert.equal(of.connection.password, undefined);
		assert.match(warnings.join('\n'), /group or world access; it is ignored/);
		await assert.rejects(openPostgresDatabase(of), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /asks for a password, and none was given/);
			assert.match(error.hint, /PGPASSWORD.*pgpass/);
			return true;
		});
		// pg_dump, given the same, fails the same way.
		assert.equal(pgDumpConnects(of), false);
	});

	test('a wrong password: a TargetError saying so, naming where the password came from', async () => {
		const of = target(`postgres://${role}:not-the-password@127.0.0.1:${cluster.port}/${role}`);
		for (const open of [async () => openPostgresDatabase(of), async () => openMigrator({target: of, directory: demoMigrations}), async () => createPostgresRunLock(of).inspect()]) {
			// eslint-disable-next-line no-await-in-loop
			await assert.rejects(open(), (error: unknown) => {
				assert.ok(error instanceof TargetError, String(error));
				assert.match(error.message, /password authentication failed for user "app_owner"/);
				assert.match(error.hint, /refused the password for user "app_owner" \(it came from the URL's password\)/);
				assert.ok(!error.message.includes('not-the-password') && !error.hint.includes('not-the-password'));
				return true;
			});
		}

		assert.equal(pgDumpConnects(of), false);
	});

	test('an unknown host name and an unreachable port: TargetErrors with hints', async () => {
		await assert.rejects(openPostgresDatabase(target(`postgres://${role}:${password}@no-such-host.invalid:${cluster.port}/${role}`)), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /cannot connect to PostgreSQL at postgres:\/\/app_owner@no-such-host\.invalid:\d+\/app_owner: .*ENOTFOUND/);
			assert.match(error.hint, /host name no-such-host\.invalid does not resolve/);
			assertNoSecret(`${error.message} ${error.hint}`, 'the error');
			return true;
		});
		const closed = await freePort();
		await assert.rejects(openMigrator({target: target(`postgres://${role}:${password}@127.0.0.1:${closed}/${role}`), directory: demoMigrations}), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${closed}/app_owner: .*ECONNREFUSED`));
			assert.match(error.hint, /is the server running and listening there\? .*pg_isready -h 127\.0\.0\.1 -p \d+/);
			return true;
		});
	});

	test('the command line: a wrong password, an unknown host, a closed port each print the message and a hint, no stack trace, no password', async () => {
		const closed = await freePort();
		const config = path.join(scratch, 'config');
		for (const url of [
			`postgres://${role}:${password}x@127.0.0.1:${cluster.port}/${role}`,
			`postgres://${role}:${password}@no-such-host.invalid/${role}`,
			`postgres://${role}:${password}@127.0.0.1:${closed}/${role}`,
		]) {
			const run = spawnSync(process.execPath, [cli, 'status', '--db', url], {encoding: 'utf8', env: {...process.env, CUTOVER_CONFIG_DIR: config, NO_COLOR: '1'}, timeout: 60_000});
			assert.notEqual(run.status, 0);
			assert.match(run.stderr, /^cutover: cannot connect to PostgreSQL at postgres:\/\/app_owner@[^ ]+: .+\n {2}→ .+/);
			assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
			assertNoSecret(run.stdout + run.stderr, 'the output');
		}

		// Off a terminal, the console says how to run the same flow with --plain, without the password.
		const offTerminal = spawnSync(process.execPath, [cli, 'run', '--db', `postgres://${role}:${password}@127.0.0.1:${cluster.port}/${role}`], {encoding: 'utf8', env: {...process.env, CUTOVER_CONFIG_DIR: config, NO_COLOR: '1'}, timeout: 60_000});
		assert.notEqual(offTerminal.status, 0);
		assert.match(offTerminal.stderr, /cutover run --db 'postgres:\/\/app_owner:\*\*\*@127\.0\.0\.1:\d+\/app_owner' .*--plain --yes --confirm-db app_owner/);
		assertNoSecret(offTerminal.stdout + offTerminal.stderr, 'the hint off a terminal');
	});

	test('the console in a real terminal shows the target without its password', async () => {
		const dir = path.join(scratch, 'console');
		const url = `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${cluster.port}/${role}`;
		const terminal = openTerminal(
			[process.execPath, cli, 'run', '--db', url, '--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups')],
			{cwd: packageRoot, env: {CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'}},
		);
		try {
			const window = await terminal.waitFor('Type the database name', 60_000);
			assert.match(window, /app_owner/);
			assertNoSecret(window, 'the window screen');
		} finally {
			terminal.close();
		}

		for (const file of filesUnder(path.join(dir, 'records'))) {
			assertNoSecret(readFileSync(file, 'utf8'), file);
		}
	});

	test('a whole plain run with the password in the URL: it never shows on screen, in the record, in the backups or in pg_dump\'s command line', async () => {
		// The demo at its starting point, with enough rows that pg_dump runs long enough to be seen.
		const setup = target(`postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${cluster.port}/${role}`);
		const migrator = await openMigrator({target: setup, directory: demoMigrations});
		await migrator.up('0001_create_users_and_meters', {runId: 'setup', appliedBy: 'test'});
		await migrator.close();
		const client = await connectPostgres(setup);
		await client.query(demoSeedSql);
		await client.query('CREATE TABLE bulk AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 600000) g');
		await client.end();

		const dir = path.join(scratch, 'run');
		mkdirSync(dir);
		const url = `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${cluster.port}/${role}`;
		const child = spawn(process.execPath, [cli, 'run', '--db', url, '--plain', '--yes', '--confirm-db', role, '--records', path.join(dir, 'records'), '--backups', path.join(dir, 'backups')], {
			env: {...process.env, CUTOVER_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1'},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.stderr.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
		let running = true;
		void exited.then(() => {
			running = false;
		});

		// What ps shows of every pg_dump and pg_restore while the run goes.
		const toolLines = new Set<string>();
		while (running) {
			for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
				let args: string;
				try {
					args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
				} catch {
					continue;
				}

				if (/^\S*pg_(dump|restore) /.test(args)) {
					toolLines.add(args);
				}
			}

			// eslint-disable-next-line no-await-in-loop
			await new Promise(resolve => setTimeout(resolve, 5));
		}

		assert.equal(await exited, 0, output);
		assert.match(output, /run finished: upgraded/);
		assert.ok([...toolLines].some(line => /pg_dump .*--dbname=host='127\.0\.0\.1'/.test(line)), `pg_dump was seen running: ${[...toolLines].join('\n')}`);
		for (const line of toolLines) {
			assertNoSecret(line, `ps: ${line}`);
		}

		assertNoSecret(output, 'the plain output');
		const records = filesUnder(path.join(dir, 'records'));
		assert.ok(records.some(file => file.endsWith('.jsonl')));
		for (const file of records) {
			const text = readFileSync(file, 'utf8');
			assertNoSecret(text, file);
			if (file.endsWith('.jsonl')) {
				assert.match(text, /postgres:\/\/app_owner@127\.0\.0\.1:\d+\/app_owner/);
			}
		}

		const backups = filesUnder(path.join(dir, 'backups'));
		assert.ok(backups.length > 0);
		for (const file of backups) {
			assertNoSecret(readFileSync(file, 'latin1'), file);
		}

		assert.equal(spawnSync('grep', ['-r', '-l', '--fixed-strings', password, dir]).status, 1, 'grep finds the password nowhere under the run\'s directories');
	});
});

describe('sslmode, as libpq means it, for the driver and pg_dump alike', () => {
	let ssl: Cluster;
	let plain: Cluster;
	let scratch: string;
	let rootCert: string;

	before(async () => {
		scratch = mkdtempSync(path.join(tmpdir(), 'cutover-ssl-test-'));
		const key = path.join(scratch, 'server.key');
		rootCert = path.join(scratch, 'root.crt');
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', rootCert, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], {stdio: 'pipe'});
		ssl = await startCluster({
			why,
			instead,
			prefix: 'cutover-ssl-',
			ssl: {cert: readFileSync(rootCert, 'utf8'), key: readFileSync(key, 'utf8')},
			// One role the server takes only over SSL, one only without: what allow and prefer fall back for.
			hba: ['hostssl all sslonly 127.0.0.1/32 trust', 'hostnossl all plainonly 127.0.0.1/32 trust', 'host all postgres 127.0.0.1/32 trust'],
		});
		const admin = new pg.Client({connectionString: ssl.url});
		await admin.connect();
		await admin.query('CREATE ROLE sslonly LOGIN SUPERUSER; CREATE ROLE plainonly LOGIN SUPERUSER');
		await admin.end();
		plain = await startCluster({why, instead, prefix: 'cutover-nossl-', settings: {log_connections: 'on'}});
	});

	after(() => {
		ssl?.stop();
		plain?.stop();
		if (scratch !== undefined) {
			rmSync(scratch, {recursive: true, force: true});
		}
	});

	const at = (cluster: Cluster, host: string, query: string) => target(`postgres://postgres@${host}:${cluster.port}/postgres?${query}`);
	const missing = () => path.join(scratch, 'no-such-root.crt');

	test('require: encrypted, the certificate not checked', async () => {
		const of = at(ssl, '127.0.0.1', `sslmode=require&sslrootcert=${missing()}`);
		assert.equal(await sslInUse(of), true);
		assert.equal(pgDumpConnects(of), true);
	});

	test('verify-full with the right root certificate and host localhost: encrypted', async () => {
		const of = at(ssl, 'localhost', `sslmode=verify-full&sslrootcert=${rootCert}`);
		assert.equal(await sslInUse(of), true);
		assert.equal(pgDumpConnects(of), true);
	});

	test('verify-ca checks the chain only, so 127.0.0.1 passes', async () => {
		const of = at(ssl, '127.0.0.1', `sslmode=verify-ca&sslrootcert=${rootCert}`);
		assert.equal(await sslInUse(of), true);
		assert.equal(pgDumpConnects(of), true);
	});

	test('verify-full with host 127.0.0.1: the name does not match, refused with a clear message', async () => {
		const of = at(ssl, '127.0.0.1', `sslmode=verify-full&sslrootcert=${rootCert}`);
		await assert.rejects(openPostgresDatabase(of), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /cannot connect to PostgreSQL at .*sslmode=verify-full: .*127\.0\.0\.1/);
			assert.match(error.hint, /certificate is not for "127\.0\.0\.1".*verify-ca/);
			return true;
		});
		assert.equal(pgDumpConnects(of), false);
	});

	test('verify-full without the root certificate: refused before connecting, saying which file', async () => {
		const of = at(ssl, 'localhost', `sslmode=verify-full&sslrootcert=${missing()}`);
		await assert.rejects(openPostgresDatabase(of), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /root certificate file .*no-such-root\.crt cannot be read/);
			assert.match(error.hint, /sslrootcert=/);
			return true;
		});
		assert.equal(pgDumpConnects(of), false);
	});

	test('verify-full with a root certificate that did not sign the server\'s: refused', async () => {
		const otherKey = path.join(scratch, 'other.key');
		const otherCert = path.join(scratch, 'other.crt');
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', otherKey, '-out', otherCert, '-subj', '/CN=localhost', '-days', '2'], {stdio: 'pipe'});
		const of = at(ssl, 'localhost', `sslmode=verify-full&sslrootcert=${otherCert}`);
		await assert.rejects(openPostgresDatabase(of), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.hint, /not signed by the root certificate in .*other\.crt/);
			return true;
		});
		assert.equal(pgDumpConnects(of), false);
	});

	test('prefer: encrypted where the server has SSL, plain where it has not', async () => {
		assert.equal(await sslInUse(at(ssl, '127.0.0.1', `sslrootcert=${missing()}`)), true);
		const fallback = at(plain, '127.0.0.1', `sslmode=prefer&sslrootcert=${missing()}`);
		assert.equal(await sslInUse(fallback), false);
		assert.equal(pgDumpConnects(fallback), true);
	});

	test('allow: plain first, and encrypted when the server takes this login only over SSL', async () => {
		assert.equal(await sslInUse(at(ssl, '127.0.0.1', 'sslmode=allow')), false);
		const sslOnly = target(`postgres://sslonly@127.0.0.1:${ssl.port}/postgres?sslmode=allow&sslrootcert=${missing()}`);
		assert.equal(await sslInUse(sslOnly), true);
		assert.equal(pgDumpConnects(sslOnly), true);
		const refused = target(`postgres://sslonly@127.0.0.1:${ssl.port}/postgres?sslmode=disable`);
		await assert.rejects(openPostgresDatabase(refused), (error: unknown) => error instanceof TargetError && /no pg_hba\.conf entry/.test(error.message) && /sslmode/.test(error.hint));
		assert.equal(pgDumpConnects(refused), false);
	});

	test('prefer: plain when the server takes this login only without SSL', async () => {
		const plainOnly = target(`postgres://plainonly@127.0.0.1:${ssl.port}/postgres?sslmode=prefer&sslrootcert=${missing()}`);
		assert.equal(await sslInUse(plainOnly), false);
		assert.equal(pgDumpConnects(plainOnly), true);
		const refused = target(`postgres://plainonly@127.0.0.1:${ssl.port}/postgres?sslmode=require&sslrootcert=${missing()}`);
		await assert.rejects(openPostgresDatabase(refused), TargetError);
		assert.equal(pgDumpConnects(refused), false);
	});

	test('prefer against a server without SSL asks once per target, then connects plain straight away', async () => {
		const received = () => (readFileSync(path.join(plain.directory, 'server.log'), 'utf8').match(/connection received/g) ?? []).length;
		const settle = async (count: number) => {
			for (let waited = 0; received() < count && waited < 2000; waited += 50) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise(resolve => setTimeout(resolve, 50));
			}

			return received();
		};

		const of = at(plain, '127.0.0.1', `sslrootcert=${missing()}`);
		const before = received();
		assert.equal(await sslInUse(of), false);
		assert.equal(await settle(before + 2), before + 2, 'the SSL request, then the plain connection');
		assert.equal(await sslInUse(of), false);
		await settle(before + 3);
		await new Promise(resolve => setTimeout(resolve, 300));
		assert.equal(received(), before + 3, 'plain at once');
	});

	test('disable: plain even where the server has SSL', async () => {
		const of = at(ssl, '127.0.0.1', 'sslmode=disable');
		assert.equal(await sslInUse(of), false);
		assert.equal(pgDumpConnects(of), true);
	});

	test('require against a server without SSL: refused with a hint, by pg_dump too', async () => {
		const of = at(plain, '127.0.0.1', `sslmode=require&sslrootcert=${missing()}`);
		await assert.rejects(openPostgresDatabase(of), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /does not support SSL/);
			assert.match(error.hint, /server has it off/);
			return true;
		});
		assert.equal(pgDumpConnects(of), false);
	});

	test('PGSSLMODE and PGSSLROOTCERT are honoured, by the driver and by pg_dump', async () => {
		const of = target(`postgres://postgres@localhost:${ssl.port}/postgres`, environmentWith({PGSSLMODE: 'verify-full', PGSSLROOTCERT: rootCert}));
		assert.equal(of.connection.sslmode, 'verify-full');
		assert.equal(await sslInUse(of), true);
		assert.equal(pgDumpConnects(of), true);
		const mismatch = target(`postgres://postgres@127.0.0.1:${ssl.port}/postgres`, environmentWith({PGSSLMODE: 'verify-full', PGSSLROOTCERT: rootCert}));
		await assert.rejects(openPostgresDatabase(mismatch), TargetError);
		assert.equal(pgDumpConnects(mismatch), false);
	});
});
