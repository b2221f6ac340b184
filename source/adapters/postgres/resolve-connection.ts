import path from 'node:path';
import {TargetError} from '../../errors/index.js';
import {sslModes, type PostgresConnection, type SslMode} from './connection-params.js';
import {checkKeyword, environmentVariables, isConnectionKeyword} from './connection-keywords.js';
import {parseConninfoUrl, redactUrl, type Conninfo} from './conninfo-url.js';
import {lookupPgpass} from './pgpass.js';
import {readServiceGroup} from './service-file.js';

/** What resolving reads besides the URL: handed in, so a test can give any environment and files. */
export type ConnectionEnvironment = {
	env: Readonly<Record<string, string | undefined>>;
	/** The home directory libpq uses (the user's passwd entry, not $HOME). */
	homeDir: string;
	/** The OS user: libpq's default user name. */
	osUser: string;
	/** libpq's compiled-in socket directory, its default host (none on Windows: localhost). */
	defaultSocketDir: string | undefined;
	/** libpq's sysconfdir, for the system-wide pg_service.conf; asked only when a service is looked up. */
	sysconfDir(): string;
	/** The file's text, or undefined when it does not exist. */
	readFile(file: string): string | undefined;
	fileInfo(file: string): {isFile: boolean; mode: number} | undefined;
	warn(message: string): void;
};

type Setting = {value: string; origin: string};

/**
 * Turns a URL into one explicit set of connection parameters, with libpq's precedence: the
 * URL's own values, then the service's entries (service= or PGSERVICE), then the PG* variables,
 * then the defaults (the OS user; a database named as the user); the password last from the
 * pgpass file.
 */
export function resolveConnection(url: string, environment: ConnectionEnvironment): PostgresConnection {
	const settings = new Map<string, Setting>();
	const given: Conninfo = parseConninfoUrl(url);
	for (const [key, value] of given) {
		settings.set(key, {value, origin: `the URL's ${key}`});
	}

	const {env} = environment;
	const service = nonEmpty(given.get('service')) ?? nonEmpty(env['PGSERVICE']);
	if (service !== undefined) {
		const found = findService(service, environment);
		for (const [key, value] of found.entries) {
			if (!settings.has(key)) {
				settings.set(key, {value, origin: `service "${service}" in ${found.file}`});
			}
		}
	}

	for (const [key, variable] of Object.entries(environmentVariables)) {
		const value = env[variable];
		if (!settings.has(key) && value !== undefined) {
			settings.set(key, {value, origin: variable});
		}
	}

	// libpq still reads this deprecated variable when sslmode is not set.
	if (!settings.has('sslmode') && env['PGREQUIRESSL']?.startsWith('1') === true) {
		settings.set('sslmode', {value: 'require', origin: 'PGREQUIRESSL'});
	}

	for (const [key, {value, origin}] of settings) {
		checkKeyword(key, value, origin);
	}

	const get = (key: string) => nonEmpty(settings.get(key)?.value);
	const host = get('host') ?? environment.defaultSocketDir ?? 'localhost';
	if (host.includes(',')) {
		throw new TargetError(`cutover connects to one host, and ${settings.get('host')?.origin ?? 'host'} names several (${host})`, {
			target: redactUrl(url),
			hint: 'name the one server to migrate (the primary)',
		});
	}

	const port = parsePort(get('port') ?? '5432', settings.get('port')?.origin ?? 'port', url);
	const user = get('user') ?? environment.osUser;
	const dbname = get('dbname') ?? user;
	const home = environment.homeDir;
	const passfile = get('passfile') ?? path.join(home, '.pgpass');
	const explicitPassword = get('password');
	const password = explicitPassword ?? fromPgpass(passfile, {host: host === environment.defaultSocketDir ? 'localhost' : host, port: String(port), dbname, user}, environment);
	const connectTimeout = get('connect_timeout');
	return {
		host,
		port,
		user,
		dbname,
		password,
		passwordSource: explicitPassword === undefined ? (password === undefined ? undefined : `the password file ${passfile}`) : settings.get('password')?.origin,
		passfile,
		sslmode: parseSslmode(get('sslmode') ?? 'prefer', settings.get('sslmode')?.origin ?? 'sslmode', url),
		sslrootcert: get('sslrootcert') ?? path.join(home, '.postgresql', 'root.crt'),
		// libpq offers a client certificate only when one is named or sits at its default place.
		sslcert: get('sslcert') ?? existing(path.join(home, '.postgresql', 'postgresql.crt'), environment),
		sslkey: get('sslkey') ?? existing(path.join(home, '.postgresql', 'postgresql.key'), environment),
		applicationName: get('application_name'),
		connectTimeoutSeconds: connectTimeout === undefined ? undefined : parseTimeout(connectTimeout, settings.get('connect_timeout')?.origin ?? 'connect_timeout', url),
		options: get('options'),
		service,
	};
}

function findService(service: string, environment: ConnectionEnvironment): {entries: Conninfo; file: string} {
	const {env} = environment;
	const named = nonEmpty(env['PGSERVICEFILE']);
	const userFile = named ?? path.join(environment.homeDir, '.pg_service.conf');
	const userText = environment.readFile(userFile);
	if (userText === undefined && named !== undefined) {
		throw new TargetError(`the service file ${named} (PGSERVICEFILE) does not exist`, {
			target: named,
			hint: 'point PGSERVICEFILE at the file that defines the service, or unset it',
		});
	}

	if (userText !== undefined) {
		const found = readServiceGroup(userText, service, userFile, isConnectionKeyword);
		if (found.found) {
			return {entries: found.entries, file: userFile};
		}
	}

	const systemFile = path.join(nonEmpty(env['PGSYSCONFDIR']) ?? environment.sysconfDir(), 'pg_service.conf');
	const systemText = environment.readFile(systemFile);
	if (systemText !== undefined) {
		const found = readServiceGroup(systemText, service, systemFile, isConnectionKeyword);
		if (found.found) {
			return {entries: found.entries, file: systemFile};
		}
	}

	const from = nonEmpty(env['PGSERVICE']) === service ? ' (from PGSERVICE)' : '';
	throw new TargetError(`definition of service "${service}"${from} not found in ${userFile} or ${systemFile}`, {
		target: `service ${service}`,
		hint: `define [${service}] in one of those files${from === '' ? '' : ', or unset PGSERVICE'}`,
	});
}

function fromPgpass(file: string, key: Parameters<typeof lookupPgpass>[1], environment: ConnectionEnvironment): string | undefined {
	const info = environment.fileInfo(file);
	if (info === undefined) {
		return undefined;
	}

	// libpq ignores such a file, and so must we, or the driver and pg_dump would log in differently.
	if (!info.isFile) {
		environment.warn(`password file ${file} is not a plain file; it is ignored`);
		return undefined;
	}

	if ((info.mode & 0o077) !== 0) {
		environment.warn(`password file ${file} has group or world access; it is ignored, as libpq ignores it (chmod 0600 ${file})`);
		return undefined;
	}

	const text = environment.readFile(file);
	return text === undefined ? undefined : nonEmpty(lookupPgpass(text, key));
}

function existing(file: string, environment: ConnectionEnvironment): string | undefined {
	return environment.fileInfo(file)?.isFile === true ? file : undefined;
}

function parsePort(value: string, origin: string, url: string): number {
	const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
	if (!(port >= 1 && port <= 65_535)) {
		throw new TargetError(`invalid port "${value}" (${origin})`, {target: redactUrl(url), hint: 'a port is a number from 1 to 65535, 5432 by default'});
	}

	return port;
}

function parseSslmode(value: string, origin: string, url: string): SslMode {
	const mode = sslModes.find(candidate => candidate === value);
	if (mode === undefined) {
		throw new TargetError(`invalid sslmode "${value}" (${origin})`, {target: redactUrl(url), hint: `sslmode is one of ${sslModes.join(', ')}`});
	}

	return mode;
}

function parseTimeout(value: string, origin: string, url: string): number {
	if (!/^\s*-?\d+\s*$/.test(value)) {
		throw new TargetError(`invalid connect_timeout "${value}" (${origin})`, {target: redactUrl(url), hint: 'connect_timeout is a number of seconds'});
	}

	return Number(value);
}

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value === '' ? undefined : value;
}

/** A password-free description for the record and the screens; itself a URL that resolves to the same database. */
export function describeConnection(connection: PostgresConnection): string {
	const socket = connection.host.startsWith('/');
	const host = socket ? '' : (connection.host.includes(':') ? `[${connection.host}]` : connection.host);
	const query = new URLSearchParams();
	if (socket) {
		query.set('host', connection.host);
	}

	if (connection.sslmode !== 'prefer') {
		query.set('sslmode', connection.sslmode);
	}

	if (connection.service !== undefined) {
		query.set('service', connection.service);
	}

	const search = query.toString().replaceAll('%2F', '/');
	return `postgres://${encodeURIComponent(connection.user)}@${host}:${connection.port}/${encodeURIComponent(connection.dbname)}${search === '' ? '' : `?${search}`}`;
}
