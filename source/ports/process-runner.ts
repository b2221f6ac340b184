export type ProcessResult = {
	exitCode: number;
	durationMs: number;
};

/** Runs an operator-supplied shell command (maintenance hooks), streaming its output a line at a time. */
export type ProcessRunner = {
	run(command: string, options: {onLine: (line: string) => void; cwd?: string; timeoutMs?: number}): Promise<ProcessResult>;
};
