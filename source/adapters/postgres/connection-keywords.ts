import {TargetError} from '../../errors/index.js';

/** libpq's environment variable for each keyword it reads from the environment. */
export const environmentVariables: Readonly<Record<string, string>> = {
	host: 'PGHOST',
	hostaddr: 'PGHOSTADDR',
	port: 'PGPORT',
	dbname: 'PGDATABASE',
	user: 'PGUSER',
	password: 'PGPASSWORD',
	passfile: 'PGPASSFILE',
	options: 'PGOPTIONS',
	application_name: 'PGAPPNAME',
	sslmode: 'PGSSLMODE',
	sslrootcert: 'PGSSLROOTCERT',
	sslcert: 'PGSSLCERT',
	sslkey: 'PGSSLKEY',
	sslcrl: 'PGSSLCRL',
	sslcrldir: 'PGSSLCRLDIR',
	sslsni: 'PGSSLSNI',
	sslcertmode: 'PGSSLCERTMODE',
	sslnegotiation: 'PGSSLNEGOTIATION',
	ssl_min_protocol_version: 'PGSSLMINPROTOCOLVERSION',
	ssl_max_protocol_version: 'PGSSLMAXPROTOCOLVERSION',
	connect_timeout: 'PGCONNECT_TIMEOUT',
	client_encoding: 'PGCLIENTENCODING',
	gssencmode: 'PGGSSENCMODE',
	gsslib: 'PGGSSLIB',
	krbsrvname: 'PGKRBSRVNAME',
	requirepeer: 'PGREQUIREPEER',
	require_auth: 'PGREQUIREAUTH',
	channel_binding: 'PGCHANNELBINDING',
	target_session_attrs: 'PGTARGETSESSIONATTRS',
	load_balance_hosts: 'PGLOADBALANCEHOSTS',
};

/** Keywords cutover resolves and hands on. */
const honoured = new Set(['host', 'port', 'dbname', 'user', 'password', 'passfile', 'service', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'application_name', 'fallback_application_name', 'connect_timeout', 'options']);
/** Keywords that only tune the TCP session or are libpq's defaults anyway: accepted, no effect on which database is reached. */
const harmless = new Set(['keepalives', 'keepalives_idle', 'keepalives_interval', 'keepalives_count', 'tcp_user_timeout', 'sslcompression', 'sslsni']);
/** Keywords accepted with the values that mean what cutover does anyway. */
const onlyValues: Readonly<Record<string, readonly string[]>> = {
	gssencmode: ['disable', 'prefer'],
	channel_binding: ['disable', 'prefer'],
	target_session_attrs: ['any'],
	load_balance_hosts: ['disable'],
	sslnegotiation: ['postgres'],
	client_encoding: ['utf8', 'utf-8', 'unicode', 'auto'],
};
/** libpq keywords cutover does not implement: refused rather than silently ignored by the driver. */
const unsupported = new Set(['hostaddr', 'sslcrl', 'sslcrldir', 'sslcertmode', 'sslpassword', 'sslkeylogfile', 'ssl_min_protocol_version', 'ssl_max_protocol_version', 'gsslib', 'gssdelegation', 'krbsrvname', 'requirepeer', 'require_auth', 'replication', 'requiressl', 'scram_client_key', 'scram_server_key']);

export function isConnectionKeyword(key: string): boolean {
	return honoured.has(key) || harmless.has(key) || key in onlyValues || unsupported.has(key);
}

/** Refuses what the driver could not honour the way pg_dump would. `origin` names where the setting came from. */
export function checkKeyword(key: string, value: string, origin: string): void {
	if (!isConnectionKeyword(key)) {
		throw new TargetError(`"${key}" (${origin}) is not a PostgreSQL connection option`, {
			target: origin,
			hint: 'check the spelling; the options are libpq\'s: host, port, dbname, user, sslmode, sslrootcert, application_name, service…',
		});
	}

	const allowed = onlyValues[key];
	if (unsupported.has(key) || (allowed !== undefined && value !== '' && !allowed.includes(value.toLowerCase()))) {
		throw new TargetError(`cutover cannot honour ${key}=${key === 'sslpassword' ? '***' : value} (${origin})`, {
			target: origin,
			hint: `its own connections could not do what pg_dump would do with it, so the two could reach the server differently; remove it${allowed === undefined ? '' : ` or use ${allowed.join(' or ')}`}`,
		});
	}
}
