import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import pg from 'pg';

/*
 * Which server the tests use, decided once per test process:
 * - CUTOVER_TEST_PG set: that admin URL, nothing else.
 * - otherwise the machine's 127.0.0.1:5432 as postgres, if a server answers there;
 * - otherwise (or when CUTOVER_TEST_PG_CLUSTER=1 forces it) a throwaway cluster started with
 *   initdb/pg_ctl in a temporary directory and stopped when the process exits.
 */
const defaultUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
let unavailable: string | undefined;
/** Why a throwaway cluster is wanted, for the messages when it cannot be had. */
let why = `no PostgreSQL answers at ${defaultUrl}`;
type Cluster = {directory: string; dataDir: string; binDir: string};
let cluster: Cluster | undefined;

/** The admin URL of the server tests use. */
export const adminUrl: string = await chooseServer();

export type ThrowawayDatabase = {
	name: string;
	url: string;
	/** Runs SQL as the admin against the throwaway database (seeding, asserting end state). */
	sql(text: string): Promise<pg.QueryResult>;
	drop(): Promise<void>;
};

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
	if (unavailable !== undefined) {
		throw new Error(unavailable);
	}

	const url = new URL(adminUrl);
	url.pathname = `/${database}`;
	const client = new pg.Client({connectionString: url.toString()});
	try {
		await client.connect();
	} catch (error) {
		throw new Error(`PostgreSQL is not reachable at ${adminUrl} (${String(error)}). Start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start, or set CUTOVER_TEST_PG to an admin URL.`, {cause: error});
	}

	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

export async function createThrowawayDatabase(prefix = 'cutover_test'): Promise<ThrowawayDatabase> {
	const name = `${prefix}_${randomBytes(4).toString('hex')}`;
	await withAdmin(async client => client.query(`CREATE DATABASE ${name}`));
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		name,
		url: url.toString(),
		sql: async text => withAdmin(async client => client.query(text), name),
		async drop() {
			await withAdmin(async client => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
		},
	};
}

/** Whether the tests run against a throwaway cluster this process started (for tests of this file itself). */
export function usingThrowawayCluster(): boolean {
	return cluster !== undefined;
}

async function chooseServer(): Promise<string> {
	const explicit = process.env['CUTOVER_TEST_PG'];
	if (explicit !== undefined && explicit !== '') {
		return explicit;
	}

	const forced = process.env['CUTOVER_TEST_PG_CLUSTER'] === '1';
	if (!forced && await answers(defaultUrl)) {
		return defaultUrl;
	}

	why = forced ? 'CUTOVER_TEST_PG_CLUSTER=1 asks for a throwaway cluster' : `no PostgreSQL answers at ${defaultUrl}`;

	try {
		return await startCluster();
	} catch (error) {
		unavailable = error instanceof Error ? error.message : String(error);
		return defaultUrl;
	}
}

/** A server that refuses the login still answered: only a missing server falls back to a cluster of our own. */
async function answers(url: string): Promise<boolean> {
	const client = new pg.Client({connectionString: url, connectionTimeoutMillis: 3000});
	client.on('error', () => {});
	try {
		await client.connect();
		return true;
	} catch (error) {
		const code = (error as {code?: unknown}).code;
		return !(code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || /timeout|terminated unexpectedly/i.test(String(error)));
	} finally {
		await client.end().catch(() => {});
	}
}

async function startCluster(): Promise<string> {
	const binDir = findBinDir();
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-pg-'));
	const dataDir = path.join(directory, 'data');
	const owner = unprivilegedOwner();
	if (owner !== undefined) {
		// PostgreSQL refuses to run as root; the cluster belongs to nobody.
		chownSync(directory, owner.uid, owner.gid);
	}

	const port = await freePort();
	const run = (binary: string, args: string[]) => execFileSync(...asOwner(owner, path.join(binDir, binary), args), {cwd: directory, stdio: 'pipe'});
	try {
		run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
		run('pg_ctl', ['-D', dataDir, '-l', path.join(directory, 'server.log'), '-w', '-t', '60', '-o',
			`-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, 'start']);
	} catch (error) {
		const output = String((error as {stderr?: unknown}).stderr ?? '').trim();
		rmSync(directory, {recursive: true, force: true});
		throw new Error(`${why}, but starting a throwaway cluster with ${binDir} failed: ${output || String(error)}. Start a server there (trust auth for user postgres) or set CUTOVER_TEST_PG to an admin URL.`, {cause: error});
	}

	cluster = {directory, dataDir, binDir};
	const stop = () => {
		if (cluster === undefined) {
			return;
		}

		try {
			run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
		} catch {}

		rmSync(directory, {recursive: true, force: true});
		cluster = undefined;
	};

	process.once('exit', stop);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			stop();
			process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
		});
	}

	return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

function findBinDir(): string {
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
		throw new Error(`${why}, but initdb/pg_ctl were not found to start one (looked in \`pg_config --bindir\`, ${debian}/*/bin and PATH). Install the PostgreSQL server (Debian/Ubuntu: apt install postgresql), start a server on 127.0.0.1:5432 with trust auth for user postgres, or set CUTOVER_TEST_PG to an admin URL.`);
	}

	return found;
}

type Owner = {user: string; uid: number; gid: number};

function unprivilegedOwner(): Owner | undefined {
	if (process.getuid?.() !== 0) {
		return undefined;
	}

	const user = 'nobody';
	try {
		const uid = Number(execFileSync('id', ['-u', user], {encoding: 'utf8'}).trim());
		const gid = Number(execFileSync('id', ['-g', user], {encoding: 'utf8'}).trim());
		return {user, uid, gid};
	} catch (error) {
		throw new Error(`running as root, the throwaway PostgreSQL cluster needs an unprivileged user "${user}", which does not exist. Create it, run the tests as a normal user, or set CUTOVER_TEST_PG.`, {cause: error});
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
