import type {Entry} from '../engine/events.js';
import {describeEvent} from '../journal/describe-event.js';

/** `HH:MM:SS.mmm kind  text`: one line per event, stable enough to grep. */
export function formatPlainLine(entry: Entry): string {
	const time = new Date(entry.at).toISOString().slice(11, 23);
	return `${time} ${entry.event.type.padEnd(24)} ${describeEvent(entry.event)}`;
}
