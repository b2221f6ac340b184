import type {CommandObserver} from '../ports/backup-tool.js';
import type {Session} from './session.js';

/** Journals every program a backup tool runs, with the step it ran in and its exit code. */
export function journalCommands(session: Session): CommandObserver {
	return {
		started(command) {
			// Named by the event's own seq: unique in the record, across a resume too.
			const id = `tool-${session.state.lastSeq + 1}`;
			session.emit({type: 'command.started', id, purpose: session.state.step, command});
			return {
				finished(exitCode, durationMs) {
					session.emit({type: 'command.finished', id, exitCode, durationMs});
				},
			};
		},
	};
}
