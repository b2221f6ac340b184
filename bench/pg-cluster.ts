import {execFileSync} from 'node:child_process';
import {chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';

export type BenchCluster = {
	/** Admin URL: user postgres, trust auth, database postgres. */
	url: string;
	binDir: string;
	stop(): void;
};

/**
 * A throwaway PostgreSQL cluster for a bench that needs settings the machine's server does not
 * have (max_connections for hundreds of sessions). Same approach as test/support/postgres.ts:
 * initdb and pg_ctl in a temporary directory, owned by nobody when run as root, stopped with
 * the process.
 */
export async function startBenchCluster(settings: Record<string, string | number>): Promise<BenchCluster> {
	const binDir = findBinDir();
	const directory = mkdtempSync(path.join(tmpdir(), 'cutover-bench-pg-'));
	const dataDir = path.join(directory, 'data');
	const owner = process.getuid?.() === 0 ? nobody() : undefined;
	if (owner !== undefined) {
		// PostgreSQL refuses to run as root.
		chownSync(directory, owner.uid, owner.gid);
	}

	const port = await freePort();
	const run = (binary: string, args: string[]) => {
		const full = path.join(binDir, binary);
		return owner === undefined
			? execFileSync(full, args, {cwd: directory, stdio: 'pipe'})
			: execFileSync('runuser', ['-u', owner.user, '--', full, ...args], {cwd: directory, stdio: 'pipe'});
	};

	const options = Object.entries({
		port,
		unix_socket_directories: `'${directory}'`,
		listen_addresses: '127.0.0.1',
		fsync: 'off',
		synchronous_commit: 'off',
		full_page_writes: 'off',
		...settings,
	}).map(([name, value]) => `-c ${name}=${value}`).join(' ');
	try {
		run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
		run('pg_ctl', ['-D', dataDir, '-l', path.join(directory, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
	} catch (error) {
		const output = String((error as {stderr?: unknown}).stderr ?? '').trim();
		rmSync(directory, {recursive: true, force: true});
		throw new Error(`starting a throwaway cluster with ${binDir} failed: ${output || String(error)}. Set CUTOVER_BENCH_PG to an admin URL of a server with enough max_connections instead.`, {cause: error});
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

	process.once('exit', stop);
	return {url: `postgres://postgres@127.0.0.1:${port}/postgres`, binDir, stop};
}

function findBinDir(): string {
	const candidates: string[] = [];
	try {
		candidates.push(execFileSync('pg_config', ['--bindir'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim());
	} catch {}

	const debian = '/usr/lib/postgresql';
	if (existsSync(debian)) {
		candidates.push(...readdirSync(debian).filter(name => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)).map(version => path.join(debian, version, 'bin')));
	}

	candidates.push(...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean));
	const found = candidates.find(dir => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
	if (found === undefined) {
		throw new Error('initdb/pg_ctl were not found (looked in `pg_config --bindir`, /usr/lib/postgresql/*/bin and PATH): install the PostgreSQL server, or set CUTOVER_BENCH_PG to an admin URL');
	}

	return found;
}

function nobody(): {user: string; uid: number; gid: number} {
	const user = 'nobody';
	return {
		user,
		uid: Number(execFileSync('id', ['-u', user], {encoding: 'utf8'}).trim()),
		gid: Number(execFileSync('id', ['-g', user], {encoding: 'utf8'}).trim()),
	};
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
