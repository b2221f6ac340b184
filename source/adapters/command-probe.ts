import type {CommandOutcome, ProbeOptions} from '../ports/probes.js';

/** More output than this is no probe: the command is stopped and the check is an error. */
const MAX_OUTPUT_BYTES = 1024 * 1024;
/** Words the shell runs itself: a line starting with one needs the shell even when it is simple. */
const builtins = new Set(['.', ':', 'alias', 'bg', 'break', 'cd', 'command', 'continue', 'eval', 'exec', 'exit', 'export', 'fg', 'getopts', 'hash', 'jobs', 'read', 'readonly', 'return', 'set', 'shift', 'times', 'trap', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait']);

/**
 * A line without shell syntax (no quotes, variables, pipes, redirections, globs) runs as its
 * words, as the shell would exec it, so no shell stands between: `pgrep -f myapp` through a
 * shell finds the shell, whose own command line names myapp, and could never report it stopped.
 */
export function commandArgv(run: string | string[]): {file: string; args: string[]; shell: boolean} {
	if (Array.isArray(run)) {
		return {file: run[0]!, args: run.slice(1), shell: false};
	}

	const words = run.trim().split(/\s+/);
	const simple = /^[\w@%+=:,./ -]+$/.test(run.trim()) && !builtins.has(words[0]!) && !words[0]!.includes('=');
	return simple ? {file: words[0]!, args: words.slice(1), shell: false} : {file: run, args: [], shell: true};
}

/**
 * Runs a probe's command through execa: a command line through the shell (unless it is simple,
 * see commandArgv), a list as the program and its arguments. It gets a process group of its own, so a timeout or the operator's Esc ends
 * the whole pipeline (`pgrep … | wc -l`), not only the shell in front of it.
 */
export async function commandProbe(run: string | string[], options: ProbeOptions): Promise<CommandOutcome> {
	// execa is some 260 modules: loaded when a probe first runs, not before the console's first frame.
	const {execa} = await import('execa');
	const {file, args, shell} = commandArgv(run);
	const child = execa(file, args, {
		shell,
		reject: false,
		all: true,
		stdin: 'ignore',
		detached: true,
		maxBuffer: MAX_OUTPUT_BYTES,
		stripFinalNewline: false,
	});
	let stopped: 'timed-out' | 'cancelled' | null = null;
	const stop = (reason: 'timed-out' | 'cancelled') => {
		if (stopped === null) {
			stopped = reason;
			killGroup(child.pid);
		}
	};

	const timer = setTimeout(() => {
		stop('timed-out');
	}, options.timeoutMs);
	const onAbort = () => {
		stop('cancelled');
	};

	options.signal?.addEventListener('abort', onAbort, {once: true});
	if (options.signal?.aborted) {
		onAbort();
	}

	try {
		const result = await child;
		const output = String(result.all ?? '');
		if (stopped !== null) {
			return {kind: 'stopped', reason: stopped, output};
		}

		if (result.isMaxBuffer) {
			return {kind: 'failed', message: `it wrote more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MB of output: a probe should answer in a few lines`, output};
		}

		if (typeof result.exitCode !== 'number' && result.signal === undefined) {
			// It never started: no such program, or not executable.
			const cause = result.cause instanceof Error ? (result.cause as NodeJS.ErrnoException) : null;
			return {kind: 'failed', message: cause?.code === 'ENOENT' ? `${file}: no such program (looked for in PATH)` : `${file} could not start: ${cause?.message ?? result.shortMessage}`, output};
		}

		return {kind: 'answer', exitCode: typeof result.exitCode === 'number' ? result.exitCode : null, signal: result.signal ?? null, stdout: String(result.stdout ?? ''), output};
	} finally {
		clearTimeout(timer);
		options.signal?.removeEventListener('abort', onAbort);
	}
}

function killGroup(pid: number | undefined): void {
	if (pid === undefined) {
		return;
	}

	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		// Already gone: nothing left to stop.
	}
}
