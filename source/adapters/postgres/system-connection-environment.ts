import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import type {ConnectionEnvironment} from './resolve-connection.js';

/** This process's environment and files, as libpq would see them. */
export function systemConnectionEnvironment(): ConnectionEnvironment {
	const account = userAccount();
	return {
		env: process.env,
		homeDir: account.homedir,
		osUser: account.username,
		defaultSocketDir: defaultSocketDir(),
		sysconfDir,
		readFile(file) {
			try {
				return readFileSync(file, 'utf8');
			} catch (error) {
				if ((error as {code?: unknown}).code === 'ENOENT') {
					return undefined;
				}

				throw error;
			}
		},
		fileInfo(file) {
			try {
				const info = statSync(file);
				return {isFile: info.isFile(), mode: info.mode};
			} catch {
				return undefined;
			}
		},
		warn(message) {
			process.stderr.write(`cutover: warning: ${message}\n`);
		},
	};
}

function userAccount(): {username: string; homedir: string} {
	try {
		// libpq asks the passwd entry, not $HOME.
		const info = os.userInfo();
		return {username: info.username, homedir: info.homedir};
	} catch {
		return {username: process.env['USER'] ?? process.env['LOGNAME'] ?? 'postgres', homedir: os.homedir()};
	}
}

/** Debian and its derivatives build libpq with /var/run/postgresql; upstream's default is /tmp. */
function defaultSocketDir(): string | undefined {
	if (process.platform === 'win32') {
		return undefined;
	}

	return existsSync('/var/run/postgresql') ? '/var/run/postgresql' : '/tmp';
}

let sysconf: string | undefined;

function sysconfDir(): string {
	if (sysconf === undefined) {
		try {
			sysconf = execFileSync('pg_config', ['--sysconfdir'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000}).trim();
		} catch {
			sysconf = existsSync('/etc/postgresql-common') ? '/etc/postgresql-common' : '/usr/local/pgsql/etc';
		}
	}

	return sysconf;
}
