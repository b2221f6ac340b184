import type {ProcessRunner} from '../ports/process-runner.js';
import type {Session} from './session.js';

// A chatty hook must not bury the journal; the count of lines dropped is recorded.
const MAX_LINES = 500;

/** Exit code of a command that was not run because its start could not be recorded. */
export const NOT_RUN = -1;

/** Runs one operator command with its output journaled line by line; returns its exit code. */
export async function runCommand(session: Session, runner: ProcessRunner, spec: {id: string; purpose: string; command: string; cwd?: string}): Promise<number> {
	if (session.emit({type: 'command.started', id: spec.id, purpose: spec.purpose, command: spec.command}) === null) {
		return NOT_RUN;
	}

	let lines = 0;
	const result = await runner.run(spec.command, {
		onLine(line) {
			lines++;
			if (lines <= MAX_LINES) {
				session.emit({type: 'command.output', id: spec.id, line});
			}
		},
		timeoutMs: 10 * 60_000,
		...(spec.cwd === undefined ? {} : {cwd: spec.cwd}),
	});
	if (lines > MAX_LINES) {
		session.emit({type: 'command.output', id: spec.id, line: `(${lines - MAX_LINES} more lines not recorded)`});
	}

	session.emit({type: 'command.finished', id: spec.id, exitCode: result.exitCode, durationMs: result.durationMs});
	return result.exitCode;
}
