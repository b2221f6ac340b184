import {execFile} from 'node:child_process';
import type {PreflightItem} from '../../engine/model.js';
import type {PgBinaries} from './pg-tool.js';

const hint = 'install the PostgreSQL client tools of the server\'s major version or newer (Debian/Ubuntu: apt install postgresql-client-NN; macOS: brew install libpq) and put them first on PATH';

/**
 * pg_dump refuses (or worse, misreads) a server newer than itself, and pg_restore must read
 * what that pg_dump writes: both must be of the server's major version or newer. Asked with
 * `--version`, which needs no connection.
 */
export async function checkToolVersions(binaries: PgBinaries, serverVersion: string): Promise<PreflightItem[]> {
	const server = majorOf(serverVersion);
	return Promise.all([
		checkOne('pg_dump', binaries.pgDump, server),
		checkOne('pg_restore', binaries.pgRestore, server),
	]);
}

async function checkOne(id: 'pg_dump' | 'pg_restore', binary: string, server: Major | null): Promise<PreflightItem> {
	const item = (ok: boolean, detail: string): PreflightItem => ({id, title: id, ok, blocking: true, detail});
	const run = await versionOf(binary);
	if (run.code === 'ENOENT' || run.code === 'EACCES') {
		return item(false, `${binary} cannot be run: it is not installed or not on PATH; ${hint}`);
	}

	const said = `${String(run.stdout)} ${String(run.stderr)}`.trim();
	const version = /\(PostgreSQL\)\s+(\d+(?:\.\d+)*)/.exec(said)?.[1] ?? null;
	const tool = version === null ? null : majorOf(version);
	if (run.exitCode !== 0 || version === null || tool === null) {
		return item(false, `${binary} --version ${run.exitCode === 0 ? `printed "${said.slice(0, 80)}", not a PostgreSQL version` : `failed (${run.exitCode === undefined ? 'killed' : `exit ${run.exitCode}`})`}; ${hint}`);
	}

	if (server === null) {
		return item(true, `${version} (the server's version is not known)`);
	}

	if (tool.value < server.value) {
		return item(false, `${binary} is ${version}, older than the server (${server.label}): it cannot back up or restore this database safely; ${hint}`);
	}

	return item(true, `${version}, server ${server.label}`);
}

type VersionRun = {code: string | undefined; exitCode: number | undefined; stdout: string; stderr: string};

/** `<binary> --version`, never rejecting; node's own execFile, since execa's load would delay the window screen for one line. */
/** Each binary's answer, asked once a process: started early (prefetchToolVersions), read by the preflight. */
const asked = new Map<string, Promise<VersionRun>>();

/**
 * Starts `pg_dump --version` and `pg_restore --version` while the run takes its lock and opens its
 * connections, so the preflight before the window does not wait for two processes to start.
 */
export function prefetchToolVersions(binaries: readonly string[] = ['pg_dump', 'pg_restore']): void {
	for (const binary of binaries) {
		void versionOf(binary);
	}
}

async function versionOf(binary: string): Promise<VersionRun> {
	let answer = asked.get(binary);
	if (answer === undefined) {
		answer = runVersion(binary);
		asked.set(binary, answer);
	}

	return answer;
}

async function runVersion(binary: string): Promise<VersionRun> {
	return new Promise(resolve => {
		const child = execFile(binary, ['--version'], {timeout: 10_000, encoding: 'utf8'}, (error, stdout, stderr) => {
			const failure = error as (NodeJS.ErrnoException & {code?: string | number}) | null;
			// A spawn failure has a string code (ENOENT); an exit status a number; a timeout or signal neither.
			const spawnCode = typeof failure?.code === 'string' ? failure.code : undefined;
			const exitCode = failure === null ? 0 : (typeof failure.code === 'number' ? failure.code : undefined);
			resolve({code: spawnCode, exitCode, stdout, stderr});
		});
		child.stdin?.end();
	});
}

type Major = {value: number; label: string};

/** "15.5 (Debian 15.5-1)" → 15; before PostgreSQL 10 the major was two numbers: "9.6.24" → 9.6. */
function majorOf(version: string): Major | null {
	const match = /^\s*(\d+)(?:\.(\d+))?/.exec(version);
	if (!match) {
		return null;
	}

	const first = Number(match[1]);
	return first < 10 && match[2] !== undefined
		? {value: first + (Number(match[2]) / 100), label: `${first}.${match[2]}`}
		: {value: first, label: String(first)};
}
