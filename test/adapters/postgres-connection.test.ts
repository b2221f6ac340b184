import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {PostgresConnection} from '../../source/adapters/postgres/connection-params.js';
import {lookupPgpass} from '../../source/adapters/postgres/pgpass.js';
import {describeConnection, resolveConnection, type ConnectionEnvironment} from '../../source/adapters/postgres/resolve-connection.js';
import {sslAttempts} from '../../source/adapters/postgres/ssl-options.js';
import {toolConninfo, toolEnvironment} from '../../source/adapters/postgres/tool-connection.js';
import {TargetError} from '../../source/errors/index.js';
import {parseTarget} from '../../source/target.js';

type FakeFile = string | {text?: string; mode?: number; directory?: boolean};

/** An environment of our own making: variables, files and the OS user, as libpq would see them. */
function fake(options: {env?: Record<string, string>; files?: Record<string, FakeFile>} = {}): ConnectionEnvironment & {warnings: string[]} {
	const files = options.files ?? {};
	const warnings: string[] = [];
	const entry = (file: string) => {
		const found = files[file];
		return typeof found === 'string' ? {text: found, mode: 0o100_600} : found;
	};

	return {
		env: options.env ?? {},
		homeDir: '/home/ops',
		osUser: 'ops',
		defaultSocketDir: '/var/run/postgresql',
		sysconfDir: () => '/etc/postgresql-common',
		readFile: file => entry(file)?.text,
		fileInfo(file) {
			const found = entry(file);
			return found === undefined ? undefined : {isFile: found.directory !== true, mode: found.mode ?? 0o100_600};
		},
		warn: message => warnings.push(message),
		warnings,
	};
}

const resolve = (url: string, environment = fake()) => resolveConnection(url, environment);

/** The fields a row of the table talks about. */
function pick(connection: PostgresConnection, keys: Array<keyof PostgresConnection>): Partial<PostgresConnection> {
	return Object.fromEntries(keys.map(key => [key, connection[key]]));
}

const where = ['host', 'port', 'user', 'dbname'] as const;

describe('resolving a PostgreSQL target as libpq does', () => {
	const rows: Array<{name: string; url: string; env?: Record<string, string>; files?: Record<string, FakeFile>; expect: Partial<PostgresConnection>}> = [
		{name: 'a full URL', url: 'postgres://deploy@db1.internal:6432/billing', expect: {host: 'db1.internal', port: 6432, user: 'deploy', dbname: 'billing', sslmode: 'prefer', password: undefined, service: undefined}},
		{name: 'postgresql:// and the default port', url: 'postgresql://deploy@db1.internal/billing', expect: {host: 'db1.internal', port: 5432}},
		{name: 'no user: the OS user, and the database named as the user', url: 'postgres://db1.internal', expect: {user: 'ops', dbname: 'ops'}},
		{name: 'no host: libpq\'s socket directory', url: 'postgres:///billing', expect: {host: '/var/run/postgresql', dbname: 'billing'}},
		{name: 'a socket directory in ?host=', url: 'postgres:///billing?host=/var/run/postgresql', expect: {host: '/var/run/postgresql'}},
		{name: 'a percent-encoded socket directory as the host', url: 'postgres://ops@%2Ftmp%2Fpg/billing', expect: {host: '/tmp/pg', user: 'ops'}},
		{name: 'an IPv6 address in brackets', url: 'postgres://ops@[::1]:6000/billing', expect: {host: '::1', port: 6000}},
		{
			name: 'query parameters win over the URL\'s parts',
			url: 'postgres://deploy@db1:1/billing?host=db2&port=2&dbname=other&user=admin&sslmode=verify-full&sslrootcert=/ca.pem&application_name=deploy-bot&connect_timeout=7&options=-c%20search_path%3Dapp',
			expect: {host: 'db2', port: 2, dbname: 'other', user: 'admin', sslmode: 'verify-full', sslrootcert: '/ca.pem', applicationName: 'deploy-bot', connectTimeoutSeconds: 7, options: '-c search_path=app'},
		},
		{name: 'ssl=true means sslmode=require', url: 'postgres://db1/billing?ssl=true', expect: {sslmode: 'require'}},
		{name: 'a percent-encoded password in the URL', url: 'postgres://deploy:s%40cr%3At@db1/billing', expect: {password: 's@cr:t', passwordSource: 'the URL\'s password'}},
		{name: '?password=', url: 'postgres://deploy@db1/billing?password=secret', expect: {password: 'secret'}},
		{
			name: 'PG* variables fill what the URL leaves out',
			url: 'postgres://',
			env: {PGHOST: 'envhost', PGPORT: '7777', PGUSER: 'envuser', PGDATABASE: 'envdb', PGPASSWORD: 'envpw', PGSSLMODE: 'require', PGAPPNAME: 'envapp', PGCONNECT_TIMEOUT: '9', PGSSLROOTCERT: '/env/ca.pem'},
			expect: {host: 'envhost', port: 7777, user: 'envuser', dbname: 'envdb', password: 'envpw', passwordSource: 'PGPASSWORD', sslmode: 'require', applicationName: 'envapp', connectTimeoutSeconds: 9, sslrootcert: '/env/ca.pem'},
		},
		{
			name: 'the URL wins over PG* variables',
			url: 'postgres://deploy:urlpw@db1:6432/billing?sslmode=disable',
			env: {PGHOST: 'envhost', PGPORT: '7777', PGUSER: 'envuser', PGDATABASE: 'envdb', PGPASSWORD: 'envpw', PGSSLMODE: 'require'},
			expect: {host: 'db1', port: 6432, user: 'deploy', dbname: 'billing', password: 'urlpw', sslmode: 'disable'},
		},
		{name: 'PGUSER without PGDATABASE: the database named as that user', url: 'postgres://db1', env: {PGUSER: 'reporting'}, expect: {user: 'reporting', dbname: 'reporting'}},
		{name: 'an empty PGHOST is no host', url: 'postgres:///billing', env: {PGHOST: ''}, expect: {host: '/var/run/postgresql'}},
		{name: 'PGREQUIRESSL=1 when sslmode is not set', url: 'postgres://db1/billing', env: {PGREQUIRESSL: '1'}, expect: {sslmode: 'require'}},
		{
			name: 'PGSERVICE: the service\'s entries win over PG* variables',
			url: 'postgres://',
			env: {PGSERVICE: 'billing', PGDATABASE: 'envdb', PGHOST: 'envhost', PGPORT: '7777'},
			files: {'/home/ops/.pg_service.conf': '# our services\n[other]\ndbname=wrong\n\n[billing]\nhost=svchost\nport=6543\ndbname=svcdb\nuser=svcuser\nsslmode=verify-ca\n[later]\nhost=wrong\n'},
			expect: {host: 'svchost', port: 6543, dbname: 'svcdb', user: 'svcuser', sslmode: 'verify-ca', service: 'billing'},
		},
		{
			name: 'the URL wins over the service',
			url: 'postgres://deploy@db1/billing?port=5000',
			env: {PGSERVICE: 'billing'},
			files: {'/home/ops/.pg_service.conf': '[billing]\nhost=svchost\nport=6543\ndbname=svcdb\napplication_name=svc\n'},
			expect: {host: 'db1', port: 5000, dbname: 'billing', user: 'deploy', applicationName: 'svc', service: 'billing'},
		},
		{
			name: '?service= in the URL, and a service password',
			url: 'postgres:///?service=billing',
			env: {PGSERVICE: 'other', PGPASSWORD: 'envpw'},
			files: {'/home/ops/.pg_service.conf': '[billing]\nhost=svchost\npassword=svcpw\n[other]\nhost=wrong\n'},
			expect: {host: 'svchost', password: 'svcpw', passwordSource: 'service "billing" in /home/ops/.pg_service.conf', service: 'billing'},
		},
		{
			name: 'PGSERVICEFILE replaces ~/.pg_service.conf',
			url: 'postgres://',
			env: {PGSERVICE: 'billing', PGSERVICEFILE: '/srv/services.conf'},
			files: {'/home/ops/.pg_service.conf': '[billing]\nhost=wrong\n', '/srv/services.conf': '[billing]\nhost=right\n'},
			expect: {host: 'right'},
		},
		{
			name: 'the system pg_service.conf when the user\'s file lacks the service',
			url: 'postgres://',
			env: {PGSERVICE: 'billing'},
			files: {'/home/ops/.pg_service.conf': '[other]\nhost=wrong\n', '/etc/postgresql-common/pg_service.conf': '[billing]\nhost=system\n'},
			expect: {host: 'system'},
		},
		{
			name: 'PGSYSCONFDIR moves the system file',
			url: 'postgres://',
			env: {PGSERVICE: 'billing', PGSYSCONFDIR: '/opt/pg/etc'},
			files: {'/opt/pg/etc/pg_service.conf': '[billing]\nhost=optsystem\n'},
			expect: {host: 'optsystem'},
		},
		{
			name: 'the pgpass file: first matching line, * and escapes',
			url: 'postgres://deploy@db1.internal:6432/billing',
			files: {'/home/ops/.pgpass': '# comment\nother:*:*:*:nope\ndb1.internal:6432:reports:*:nope\n*:6432:billing:deploy:pa\\:ss\\\\word\n*:*:*:*:late\n'},
			expect: {password: 'pa:ss\\word', passwordSource: 'the password file /home/ops/.pgpass'},
		},
		{name: 'the pgpass file: the default socket directory matches localhost', url: 'postgres://deploy@/billing', files: {'/home/ops/.pgpass': 'db1:*:*:*:nope\nlocalhost:5432:billing:deploy:local\n'}, expect: {password: 'local'}},
		{name: 'the pgpass file: another socket directory matches as written', url: 'postgres://deploy@/billing?host=/tmp/pg', files: {'/home/ops/.pgpass': 'localhost:*:*:*:nope\n/tmp/pg:*:*:*:sock\n'}, expect: {password: 'sock'}},
		{name: 'PGPASSFILE names the file', url: 'postgres://deploy@db1/billing', env: {PGPASSFILE: '/secrets/pgpass'}, files: {'/home/ops/.pgpass': '*:*:*:*:wrong\n', '/secrets/pgpass': '*:*:*:*:right\n'}, expect: {password: 'right', passfile: '/secrets/pgpass'}},
		{name: 'PGPASSWORD wins over the pgpass file', url: 'postgres://deploy@db1/billing', env: {PGPASSWORD: 'envpw'}, files: {'/home/ops/.pgpass': '*:*:*:*:filepw\n'}, expect: {password: 'envpw'}},
		{name: 'the URL\'s password wins over PGPASSWORD and the pgpass file', url: 'postgres://deploy:urlpw@db1/billing', env: {PGPASSWORD: 'envpw'}, files: {'/home/ops/.pgpass': '*:*:*:*:filepw\n'}, expect: {password: 'urlpw'}},
		{name: 'the root certificate defaults to ~/.postgresql/root.crt', url: 'postgres://db1/billing', expect: {sslrootcert: '/home/ops/.postgresql/root.crt', sslcert: undefined}},
		{name: 'a client certificate at its default place is offered', url: 'postgres://db1/billing', files: {'/home/ops/.postgresql/postgresql.crt': 'CERT', '/home/ops/.postgresql/postgresql.key': 'KEY'}, expect: {sslcert: '/home/ops/.postgresql/postgresql.crt', sslkey: '/home/ops/.postgresql/postgresql.key'}},
	];

	for (const row of rows) {
		test(row.name, () => {
			const environment = fake({...(row.env === undefined ? {} : {env: row.env}), ...(row.files === undefined ? {} : {files: row.files})});
			const connection = resolve(row.url, environment);
			assert.deepEqual(pick(connection, Object.keys(row.expect) as Array<keyof PostgresConnection>), row.expect);
			assert.deepEqual(environment.warnings, []);
		});
	}

	test('a pgpass file readable by group or others is ignored, with a warning, as libpq does', () => {
		const environment = fake({files: {'/home/ops/.pgpass': {text: '*:*:*:*:exposed\n', mode: 0o100_644}}});
		assert.equal(resolve('postgres://deploy@db1/billing', environment).password, undefined);
		assert.equal(environment.warnings.length, 1);
		assert.match(environment.warnings[0]!, /\/home\/ops\/\.pgpass has group or world access; it is ignored.*chmod 0600/);
	});

	test('a pgpass path that is not a plain file is ignored, with a warning', () => {
		const environment = fake({env: {PGPASSFILE: '/secrets'}, files: {'/secrets': {directory: true}}});
		assert.equal(resolve('postgres://deploy@db1/billing', environment).password, undefined);
		assert.match(environment.warnings[0] ?? '', /\/secrets is not a plain file/);
	});

	test('pgpass lines: fields must all match, a short line matches nothing', () => {
		const key = {host: 'db1', port: '5432', dbname: 'app', user: 'deploy'};
		assert.equal(lookupPgpass('db1:5432:app\n', key), undefined);
		assert.equal(lookupPgpass('db1:5432:app:deploy:\n*:*:*:*:x\n', key), '');
		assert.equal(lookupPgpass('db1:5432:app:deploy:one:two\r\n', key), 'one:two');
		assert.equal(lookupPgpass('db\\1:5432:app:deploy:nope\n', key), 'nope');
		assert.equal(lookupPgpass('db1:5432:ap*:deploy:nope\n', key), undefined);
	});

	const refusals: Array<{name: string; url: string; env?: Record<string, string>; files?: Record<string, FakeFile>; message: RegExp}> = [
		{name: 'several hosts', url: 'postgres://db1:5432,db2:5432/billing', message: /one host/},
		{name: 'several hosts in PGHOST', url: 'postgres:///billing', env: {PGHOST: 'db1,db2'}, message: /PGHOST names several/},
		{name: 'a port that is not a number', url: 'postgres://db1:abc/billing', message: /invalid port "abc"/},
		{name: 'a bad PGPORT', url: 'postgres://db1/billing', env: {PGPORT: '99999'}, message: /invalid port "99999" \(PGPORT\)/},
		{name: 'an sslmode libpq does not know', url: 'postgres://db1/billing?sslmode=on', message: /invalid sslmode "on"/},
		{name: 'an unknown query parameter', url: 'postgres://db1/billing?sslmod=require', message: /"sslmod" .* is not a PostgreSQL connection option/},
		{name: 'hostaddr, which cutover cannot honour', url: 'postgres://db1/billing?hostaddr=10.0.0.1', message: /cannot honour hostaddr=10\.0\.0\.1/},
		{name: 'gssencmode=require', url: 'postgres://db1/billing', env: {PGGSSENCMODE: 'require'}, message: /cannot honour gssencmode=require \(PGGSSENCMODE\)/},
		{name: 'target_session_attrs other than any', url: 'postgres://db1/billing?target_session_attrs=read-write', message: /target_session_attrs/},
		{name: 'a bad percent-encoding', url: 'postgres://de%zzploy@db1/billing', message: /invalid percent-encoding/},
		{name: 'a service that is defined nowhere', url: 'postgres://', env: {PGSERVICE: 'nope'}, files: {'/home/ops/.pg_service.conf': '[billing]\nhost=x\n'}, message: /definition of service "nope" \(from PGSERVICE\) not found/},
		{name: 'a PGSERVICEFILE that does not exist', url: 'postgres://', env: {PGSERVICE: 'billing', PGSERVICEFILE: '/nope.conf'}, message: /service file \/nope\.conf \(PGSERVICEFILE\) does not exist/},
		{name: 'a service file line libpq rejects', url: 'postgres://', env: {PGSERVICE: 'billing'}, files: {'/home/ops/.pg_service.conf': '[billing]\nhost = db1\n'}, message: /syntax error in service file \/home\/ops\/\.pg_service\.conf, line 2/},
		{name: 'a nested service', url: 'postgres://', env: {PGSERVICE: 'billing'}, files: {'/home/ops/.pg_service.conf': '[billing]\nservice=other\n'}, message: /nested service/},
	];

	for (const row of refusals) {
		test(`refused, with a hint: ${row.name}`, () => {
			const environment = fake({...(row.env === undefined ? {} : {env: row.env}), ...(row.files === undefined ? {} : {files: row.files})});
			assert.throws(() => resolve(row.url, environment), (error: unknown) => {
				assert.ok(error instanceof TargetError, String(error));
				assert.match(error.message, row.message);
				assert.ok(error.hint.length > 10);
				return true;
			});
		});
	}

	test('a refused URL never shows its password', () => {
		for (const url of ['postgres://deploy:Hunter2-Secret@db1:abc/billing', 'postgres://deploy:Hunter2-Secret%zz@db1/billing', 'postgres://db1/billing?password=Hunter2-Secret%zz', 'postgres://deploy:Hunter2-Secret@db1/billing?sslmode=on']) {
			assert.throws(() => resolve(url), (error: unknown) => {
				assert.ok(error instanceof TargetError);
				assert.ok(!`${error.message} ${error.hint} ${error.target}`.includes('Hunter2-Secret'), `${error.message} ${error.target}`);
				return true;
			});
		}
	});
});

describe('describing a resolved target', () => {
	const cases: Array<{url: string; env?: Record<string, string>; files?: Record<string, FakeFile>; display: string}> = [
		{url: 'postgres://deploy:secret@db1.internal:6432/billing', display: 'postgres://deploy@db1.internal:6432/billing'},
		{url: 'postgresql://deploy@db1.internal/billing?sslmode=verify-full', display: 'postgres://deploy@db1.internal:5432/billing?sslmode=verify-full'},
		{url: 'postgres:///billing?host=/var/run/postgresql&password=x', display: 'postgres://ops@:5432/billing?host=/var/run/postgresql'},
		{url: 'postgres://[::1]/billing', display: 'postgres://ops@[::1]:5432/billing'},
		{url: 'postgres://', env: {PGSERVICE: 'billing'}, files: {'/home/ops/.pg_service.conf': '[billing]\nhost=svchost\ndbname=svcdb\nuser=svc\npassword=pw\n'}, display: 'postgres://svc@svchost:5432/svcdb?service=billing'},
	];
	for (const row of cases) {
		test(`${row.display}: password-free, and resolves to the same connection again`, () => {
			const environment = fake({...(row.env === undefined ? {} : {env: row.env}), ...(row.files === undefined ? {} : {files: row.files})});
			const connection = resolve(row.url, environment);
			const display = describeConnection(connection);
			assert.equal(display, row.display);
			const again = resolve(display, fake({files: row.files ?? {}}));
			assert.deepEqual(pick(again, [...where, 'sslmode', 'service']), pick(connection, [...where, 'sslmode', 'service']));
		});
	}

	test('a target of no known kind is refused without its password', () => {
		assert.throws(() => parseTarget('postgre://deploy:Hunter2-Secret@db1/billing', process.cwd(), fake()), (error: unknown) => {
			assert.ok(error instanceof TargetError);
			assert.match(error.message, /cannot tell what kind of database "postgre:\/\/deploy:\*\*\*@db1\/billing" is/);
			assert.ok(!error.target.includes('Hunter2'));
			return true;
		});
	});

	test('parseTarget carries the resolved connection and its display', () => {
		const target = parseTarget('postgres://deploy:pw@db1/billing', process.cwd(), fake());
		assert.equal(target.engine, 'postgres');
		assert.equal(target.display, 'postgres://deploy@db1:5432/billing');
		assert.ok(target.engine === 'postgres' && target.connection.password === 'pw');
	});
});

describe('what pg_dump and pg_restore are given', () => {
	const connection = resolve('postgres://deploy:Secr3t@db1:6432/bil\'l\\ing?sslmode=verify-full&sslrootcert=/ca.pem', fake());

	test('an explicit conninfo without the password, quoted as libpq reads it', () => {
		const conninfo = toolConninfo(connection, 'cutover-restore-1');
		assert.equal(conninfo, 'host=\'db1\' port=\'6432\' user=\'deploy\' dbname=\'bil\\\'l\\\\ing\' sslmode=\'verify-full\' sslrootcert=\'/ca.pem\' passfile=\'/home/ops/.pgpass\' application_name=\'cutover-restore-1\' connect_timeout=\'15\' gssencmode=\'disable\'');
		assert.ok(!conninfo.includes('Secr3t'));
	});

	test('an environment without PG* variables that could redirect them, the password in PGPASSWORD', () => {
		const env = toolEnvironment(connection, {PATH: '/usr/bin', HOME: '/home/ops', PGSERVICE: 'other', PGSERVICEFILE: '/x', PGHOST: 'elsewhere', PGDATABASE: 'wrong', PGPASSFILE: '/y', PGSSLMODE: 'disable', PGPASSWORD: 'old', PGOPTIONS: '-c x=y'});
		assert.deepEqual(env, {PATH: '/usr/bin', HOME: '/home/ops', PGPASSWORD: 'Secr3t'});
		const without = toolEnvironment(resolve('postgres://deploy@db1/billing', fake()), {PATH: '/usr/bin', PGPASSWORD: 'stale'});
		assert.deepEqual(without, {PATH: '/usr/bin'});
	});
});

describe('sslmode, spelled for node-postgres', () => {
	const ca = Buffer.from('CA PEM');
	const withRoot = (file: string) => {
		if (file === '/home/ops/.postgresql/root.crt' || file === '/ca.pem') {
			return ca;
		}

		throw Object.assign(new Error(`ENOENT: ${file}`), {code: 'ENOENT'});
	};

	const noRoot = (file: string): Buffer => {
		throw Object.assign(new Error(`ENOENT: no such file ${file}`), {code: 'ENOENT'});
	};

	const attempts = (url: string, read = noRoot) => sslAttempts(resolve(url), read);

	test('disable: plain only', () => {
		assert.deepEqual(attempts('postgres://db1/b?sslmode=disable').map(a => a.ssl), [false]);
	});

	test('a socket directory: never SSL, whatever sslmode says (as libpq)', () => {
		assert.deepEqual(attempts('postgres:///b?sslmode=require').map(a => a.ssl), [false]);
	});

	test('prefer: encrypted without checking, then plain when the server has no SSL', () => {
		const [first, second] = attempts('postgres://db1/b');
		assert.deepEqual(first?.ssl, {rejectUnauthorized: false});
		assert.equal(first?.retryWhen?.(new Error('The server does not support SSL connections')), true);
		assert.equal(first?.retryWhen?.(Object.assign(new Error('password authentication failed'), {code: '28P01'})), false);
		assert.equal(second?.ssl, false);
	});

	test('allow: plain first, encrypted when the server refuses plain', () => {
		const [first, second] = attempts('postgres://db1/b?sslmode=allow');
		assert.equal(first?.ssl, false);
		assert.equal(first?.retryWhen?.(Object.assign(new Error('no pg_hba.conf entry'), {code: '28000'})), true);
		assert.deepEqual(second?.ssl, {rejectUnauthorized: false});
	});

	test('require: encrypted, the CA not checked; with a root certificate present, the chain is checked (libpq)', () => {
		assert.deepEqual(attempts('postgres://db1/b?sslmode=require').map(a => a.ssl), [{rejectUnauthorized: false}]);
		const [checked] = attempts('postgres://db1/b?sslmode=require', withRoot);
		assert.ok(checked?.ssl !== false && checked?.ssl !== undefined);
		assert.equal(checked.ssl.ca, ca);
		assert.equal(checked.ssl.rejectUnauthorized, true);
		assert.equal(checked.ssl.checkServerIdentity?.('db1', {} as never), undefined, 'the host name is not checked');
	});

	test('verify-ca: the chain, not the name; verify-full: both', () => {
		const [caOnly] = attempts('postgres://db1/b?sslmode=verify-ca&sslrootcert=/ca.pem', withRoot);
		assert.ok(caOnly?.ssl !== false && caOnly?.ssl !== undefined);
		assert.equal(caOnly.ssl.ca, ca);
		assert.equal(typeof caOnly.ssl.checkServerIdentity, 'function');
		const [full] = attempts('postgres://db1/b?sslmode=verify-full&sslrootcert=/ca.pem', withRoot);
		assert.deepEqual(full?.ssl, {ca, rejectUnauthorized: true});
	});

	test('verify-ca and verify-full without the root certificate: refused before connecting', () => {
		for (const mode of ['verify-ca', 'verify-full']) {
			assert.throws(() => attempts(`postgres://db1/b?sslmode=${mode}`), (error: unknown) => {
				assert.ok(error instanceof TargetError);
				assert.match(error.message, /root certificate file \/home\/ops\/\.postgresql\/root\.crt cannot be read/);
				assert.match(error.hint, /sslrootcert=/);
				return true;
			});
		}
	});
});
