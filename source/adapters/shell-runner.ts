import type {ProcessRunner} from '../ports/process-runner.js';

/** Runs maintenance hooks through the shell, as the runbook writes them, with stdout and stderr interleaved by line. */
export const shellRunner: ProcessRunner = {
	async run(command, options) {
		const started = Date.now();
		// execa is some 260 modules: loaded when a runbook's hook first runs, not before the console's first frame.
		const {execa} = await import('execa');
		const child = execa(command, {
			shell: true,
			reject: false,
			all: true,
			stdin: 'ignore',
			...(options.cwd === undefined ? {} : {cwd: options.cwd}),
			...(options.timeoutMs === undefined ? {} : {timeout: options.timeoutMs}),
		});
		let pending = '';
		child.all?.on('data', (chunk: Buffer) => {
			const lines = (pending + chunk.toString('utf8')).split(/\r?\n/);
			pending = lines.pop() ?? '';
			for (const line of lines) {
				options.onLine(line);
			}
		});
		const result = await child;
		if (pending !== '') {
			options.onLine(pending);
		}

		// A hook that cannot start (missing binary) or was killed still needs a number for the record.
		const exitCode = typeof result.exitCode === 'number' ? result.exitCode : 127;
		if (result.timedOut) {
			options.onLine(`(timed out after ${options.timeoutMs} ms)`);
		}

		return {exitCode, durationMs: Date.now() - started};
	},
};
