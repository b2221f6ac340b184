import {constants} from 'node:os';
import {createInterface} from 'node:readline';
import {BackupError} from '../../errors/index.js';
import type {CommandObserver} from '../../ports/backup-tool.js';
import type {PostgresTarget} from './postgres-target.js';
import {scrub} from './scrub.js';
import {toolConninfo, toolEnvironment} from './tool-connection.js';

export type PgBinaries = {
	pgDump: string;
	pgRestore: string;
	/** Told of every run, so the record holds each command and its exit code. */
	observe?: CommandObserver | undefined;
};

export type PgToolRun = {
	exitCode: number | undefined;
	/** The signal that ended the tool, with what it means (SIGXFSZ: a file grew past the size limit). */
	signal?: {name: string; description: string} | undefined;
	canceled: boolean;
	/** Only when asked for with keepStdout. */
	stdout: string;
	/** The last lines the tool wrote to stderr, password removed. */
	stderrTail: string[];
};

export type PgToolOptions = {
	/** The file the run is about, for the error. */
	path: string;
	keepStdout?: boolean;
	signal?: AbortSignal;
	onStderrLine?: (line: string) => void;
};

const tailLength = 20;

/** The --dbname argument of a run that connects: the resolved target; `applicationName` finds the session in pg_stat_activity. */
export function dbnameArgument(target: PostgresTarget, applicationName?: string): string {
	return `--dbname=${toolConninfo(target.connection, applicationName)}`;
}

/**
 * Runs pg_dump or pg_restore in an environment with no PG* variable of ours, so only the
 * conninfo of dbnameArgument says where it connects. The password reaches the child through
 * PGPASSWORD only, never argv, so it does not show in ps or in the record.
 */
export async function runPgTool(binaries: PgBinaries, binary: string, args: string[], target: PostgresTarget, options: PgToolOptions): Promise<PgToolRun> {
	// argv holds no password (it goes through PGPASSWORD), so the command line can be recorded as run.
	const observed = binaries.observe?.started([binary, ...args].join(' '));
	const started = Date.now();
	// execa is some 260 modules: loaded by the first backup or restore, not on the way to the window screen.
	const {execa} = await import('execa');
	const child = execa(binary, args, {
		env: toolEnvironment(target.connection),
		extendEnv: false,
		reject: false,
		stdin: 'ignore',
		stdout: options.keepStdout === true ? 'pipe' : 'ignore',
		stderr: 'pipe',
		buffer: {stdout: options.keepStdout === true, stderr: false},
		forceKillAfterDelay: 5000,
		...(options.signal === undefined ? {} : {cancelSignal: options.signal}),
	});
	const stderrTail: string[] = [];
	if (child.stderr !== null) {
		createInterface({input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY}).on('line', raw => {
			const line = scrub(raw, target.connection.password);
			stderrTail.push(line);
			if (stderrTail.length > tailLength) {
				stderrTail.shift();
			}

			options.onStderrLine?.(line);
		});
	}

	const result = await child;
	observed?.finished(recordedExitCode(result), Date.now() - started);
	if (result.code === 'ENOENT' || result.code === 'EACCES') {
		throw missingBinary(binary, options.path, result);
	}

	return {
		exitCode: result.exitCode,
		signal: result.signal === undefined ? undefined : {name: result.signal, description: result.signalDescription ?? ''},
		canceled: result.isCanceled,
		stdout: typeof result.stdout === 'string' ? result.stdout : '',
		stderrTail,
	};
}

/** As a shell reports it: a tool ended by a signal exits 128 + its number (SIGXFSZ: 153), one not started 127. */
function recordedExitCode(result: {exitCode?: number | undefined; signal?: string | undefined; isCanceled: boolean}): number {
	if (typeof result.exitCode === 'number') {
		return result.exitCode;
	}

	const signal = result.signal === undefined ? undefined : constants.signals[result.signal as keyof typeof constants.signals];
	return signal === undefined ? (result.isCanceled ? 130 : 127) : 128 + signal;
}

function missingBinary(binary: string, path: string, cause: unknown): BackupError {
	return new BackupError(`${binary} cannot be run: it is not installed or not on PATH`, {
		path,
		hint: 'install the PostgreSQL client tools of the server\'s major version or newer (Debian/Ubuntu: apt install postgresql-client-NN; macOS: brew install libpq), or pass the path of pg_dump/pg_restore',
		cause,
	});
}

/** For messages: what the tool said last, or why it stopped. */
export function describeFailure(tool: string, run: PgToolRun): string {
	const said = run.stderrTail.filter(line => line.trim() !== '' && !/: (dumping contents|last built-in|reading |saving |finding |flagging |identifying )/.test(line)).slice(-5);
	const by = run.signal === undefined ? '' : ` by ${run.signal.name}${run.signal.description === '' ? '' : ` (${run.signal.description.toLowerCase()})`}`;
	const how = run.exitCode === undefined ? `was stopped${by}` : `exited with code ${run.exitCode}`;
	return said.length === 0 ? `${tool} ${how}` : `${tool} ${how}: ${said.join(' / ')}`;
}
