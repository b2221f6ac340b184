import type {Entry} from '../engine/events.js';
import {describeEvent} from '../journal/describe-event.js';

/** `HH:MM:SS.mmm kind  text`: one line per event, stable enough to grep. */
export function formatPlainLine(entry: Entry): string {
	const time = new Date(entry.at).toISOString().slice(11, 23);
	const {event} = entry;
	// One database's event of a run over several: its own kind, so `grep migration.failed` finds it; the text names the database.
	const kind = event.type === 'database.event' ? event.event.type : event.type;
	return `${time} ${kind.padEnd(24)} ${describeEvent(event)}`;
}
