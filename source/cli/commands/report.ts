import type {RunOutcome} from '../../engine/events.js';
import type {RunResult} from '../run-command.js';

/** The last two lines of a run, and its exit status: 0 only when the database ended where it was meant to. */
export function report(result: RunResult): number {
	process.stdout.write(`outcome: ${result.outcome}\nchange record: ${result.recordPath}\n`);
	const ok: readonly RunOutcome[] = ['upgraded', 'nothing-to-do'];
	return ok.includes(result.outcome) ? 0 : 1;
}
