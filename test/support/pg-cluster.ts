import {execFileSync} from 'node:child_process';
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type Cluster = {
	/** Admin URL: user postgres, trust auth, database postgres. */
	url: string;
	port: number;
	binDir: string;
	directory: string;
	/** Restarts the server (fast shutdown: every session is ended), as an operator's restart would. */
	restart(): void;
	/** Stops the server and removes its directory; safe to call twice. Also runs at process exit. */
	stop(): void;
};

export type ClusterOptions = {
	/** Server settings beyond the fast, throwaway defaults (max_connections, shared_preload_libraries…). */
	settings?: Record<string, string | number>;
	prefix?: string;
	/** A role (CREATEDB, so it may restore) that must log in with a SCRAM password over TCP (the admin keeps trust), owning a database of its own name. */
	scram?: {role: string; password: string};
	/** pg_hba.conf lines instead of initdb's (a `local all all trust` line keeps pg_ctl working). */
	hba?: string[];
	/** Serve SSL with this certificate and key (PEM). */
	ssl?: {cert: string; key: string};
	/** Why a cluster of our own is started, and what to do instead: ends every error message. */
	why: string;
	instead: string;
};

/**
 * A throwaway PostgreSQL cluster: initdb and pg_ctl from the installed binaries in a temporary
 * directory, trust auth on a free port, owned by nobody when run as root (PostgreSQL refuses
 * root), stopped and removed when the process exits.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
	const binDir = findBinDir(options);
	const directory = mkdtempSync(path.join(tmpdir(), options.prefix ?? 'cutover-pg-'));
	const dataDir = path.join(directory, 'data');
	const owner = unprivilegedOwner(options);
	if (owner !== undefined) {
		chownSync(directory, owner.uid, owner.gid);
	}

	const port = await freePort();
	const run = (binary: string, args: string[]) => execFileSync(...asOwner(owner, path.join(binDir, binary), args), {cwd: directory, stdio: 'pipe'});
	const serverOptions = Object.entries({
		port,
		unix_socket_directories: `'${directory}'`,
		listen_addresses: '127.0.0.1',
		fsync: 'off',
		synchronous_commit: 'off',
		full_page_writes: 'off',
		...(options.scram === undefined ? {} : {password_encryption: 'scram-sha-256'}),
		...(options.ssl === undefined ? {} : {ssl: 'on', ssl_cert_file: `'${path.join(directory, 'server.crt')}'`, ssl_key_file: `'${path.join(directory, 'server.key')}'`}),
		...options.settings,
	}).map(([name, value]) => `-c ${name}=${value}`).join(' ');
	try {
		run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
		const hba = [...options.hba ?? [], ...(options.scram === undefined ? [] : ['host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256'])];
		if (hba.length > 0) {
			writeOwned(path.join(dataDir, 'pg_hba.conf'), ['local all all trust', ...hba, ''].join('\n'), owner);
		}

		if (options.ssl !== undefined) {
			writeOwned(path.join(directory, 'server.crt'), options.ssl.cert, owner);
			writeOwned(path.join(directory, 'server.key'), options.ssl.key, owner);
		}

		run('pg_ctl', ['-D', dataDir, '-l', path.join(directory, 'server.log'), '-w', '-t', '60', '-o', serverOptions, 'start']);
	} catch (error) {
		const output = String((error as {stderr?: unknown}).stderr ?? '').trim();
		rmSync(directory, {recursive: true, force: true});
		throw new Error(`${options.why}, but starting a throwaway cluster with ${binDir} failed: ${output || String(error)}. ${options.instead}`, {cause: error});
	}

	let stopped = false;
	const stop = () => {
		if (stopped) {
			return;
		}

		stopped = true;
		try {
			run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
		} catch {}

		rmSync(directory, {recursive: true, force: true});
	};

	const restart = () => {
		run('pg_ctl', ['-D', dataDir, '-l', path.join(directory, 'server.log'), '-w', '-t', '60', '-m', 'fast', '-o', serverOptions, 'restart']);
	};

	process.once('exit', stop);
	const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
	if (options.scram !== undefined) {
		const {role, password} = options.scram;
		const admin = new pg.Client({connectionString: url});
		await admin.connect();
		try {
			await admin.query(`CREATE ROLE "${role}" LOGIN CREATEDB PASSWORD '${password.replaceAll('\'', '\'\'')}'`);
			await admin.query(`CREATE DATABASE "${role}" OWNER "${role}"`);
		} finally {
			await admin.end();
		}
	}

	return {url, port, binDir, directory, restart, stop};
}

/** PostgreSQL reads these as the cluster's owner; a key file must be private to it. */
function writeOwned(file: string, text: string, owner: Owner | undefined): void {
	writeFileSync(file, text, {mode: 0o600});
	chmodSync(file, 0o600);
	if (owner !== undefined) {
		chownSync(file, owner.uid, owner.gid);
	}
}

function findBinDir(options: ClusterOptions): string {
	const candidates: string[] = [];
	try {
		candidates.push(execFileSync('pg_config', ['--bindir'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim());
	} catch {}

	const debian = '/usr/lib/postgresql';
	if (existsSync(debian)) {
		const versions = readdirSync(debian).filter(name => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
		candidates.push(...versions.map(version => path.join(debian, version, 'bin')));
	}

	candidates.push(...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean));
	const found = candidates.find(dir => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
	if (found === undefined) {
		throw new Error(`${options.why}, but initdb/pg_ctl were not found to start one (looked in \`pg_config --bindir\`, ${debian}/*/bin and PATH). Install the PostgreSQL server (Debian/Ubuntu: apt install postgresql), or: ${options.instead}`);
	}

	return found;
}

type Owner = {user: string; uid: number; gid: number};

function unprivilegedOwner(options: ClusterOptions): Owner | undefined {
	if (process.getuid?.() !== 0) {
		return undefined;
	}

	const user = 'nobody';
	try {
		const uid = Number(execFileSync('id', ['-u', user], {encoding: 'utf8'}).trim());
		const gid = Number(execFileSync('id', ['-g', user], {encoding: 'utf8'}).trim());
		return {user, uid, gid};
	} catch (error) {
		throw new Error(`${options.why}; running as root, the throwaway cluster needs an unprivileged user "${user}", which does not exist. Create it, run as a normal user, or: ${options.instead}`, {cause: error});
	}
}

function asOwner(owner: Owner | undefined, binary: string, args: string[]): [string, string[]] {
	if (owner === undefined) {
		return [binary, args];
	}

	if (['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].some(candidate => existsSync(candidate))) {
		return ['runuser', ['-u', owner.user, '--', binary, ...args]];
	}

	const quote = (word: string) => `'${word.replaceAll('\'', '\'\\\'\'')}'`;
	return ['su', ['-s', '/bin/sh', owner.user, '-c', [binary, ...args].map(quote).join(' ')]];
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				if (typeof address === 'object' && address !== null) {
					resolve(address.port);
				} else {
					reject(new Error('could not find a free port'));
				}
			});
		});
	});
}
