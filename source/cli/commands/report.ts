import type {RunOutcome} from '../../engine/events.js';
import {terminalHungUp, type RunResult} from '../run-command.js';

/** The last two lines of a run, and its exit status: 0 only when the database ended where it was meant to. With --json they go to stderr, so stdout holds JSON lines only. */
export function report(result: RunResult, json = false): number {
	const out = json ? process.stderr : process.stdout;
	if (result.fault !== undefined) {
		// The record could not go on: say where it stands and what to do, on stderr (stdout may be the dead terminal).
		process.stderr.write(`cutover: ${result.fault.message}\n  → ${result.fault.hint}\n`);
		return 1;
	}

	if (result.outcome === 'interrupted') {
		// The run is unfinished on purpose: say how to go on (unless the terminal is gone, then the journal says it).
		if (!terminalHungUp()) {
			const stopped = result.stoppedBecause === undefined ? '' : `stopped because ${result.stoppedBecause}\n`;
			out.write(`${stopped}outcome: interrupted (resumable)\nchange record: ${result.recordPath}\ncontinue it with: cutover resume ${result.recordPath}\n`);
		}

		return 1;
	}

	out.write(`outcome: ${result.outcome}\nchange record: ${result.recordPath}\n`);
	const ok: readonly RunOutcome[] = ['upgraded', 'nothing-to-do', 'adopted'];
	return ok.includes(result.outcome) ? 0 : 1;
}
