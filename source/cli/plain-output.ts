import type {Entry} from '../engine/events.js';
import {describeEvent} from '../journal/describe-event.js';

const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The first millisecond of year 10000, where toISOString starts writing six-digit years (and slice(11, 23) shifts). */
const YEAR_10000 = 253_402_300_800_000;

/** `HH:MM:SS.mmm` (UTC) of a time in milliseconds, as toISOString().slice(11, 23) writes it, without a Date per line. */
function timeOfDay(at: number): string {
	// Whole milliseconds from 1970 to 9999: arithmetic; anything else (before 1970, fractions, later) as Date has it.
	if (!Number.isInteger(at) || at < 0 || at >= YEAR_10000) {
		return new Date(at).toISOString().slice(11, 23);
	}

	const ms = at % DAY_MS;
	return `${pad(Math.floor(ms / 3_600_000), 2)}:${pad(Math.floor(ms / 60_000) % 60, 2)}:${pad(Math.floor(ms / 1000) % 60, 2)}.${pad(ms % 1000, 3)}`;
}

/** `HH:MM:SS.mmm kind  text`: one line per event, stable enough to grep. `described` is describeEvent's text when already at hand. */
export function formatPlainLine(entry: Entry, described?: string): string {
	const {event} = entry;
	// One database's event of a run over several: its own kind, so `grep migration.failed` finds it; the text names the database.
	const kind = event.type === 'database.event' ? event.event.type : event.type;
	return `${timeOfDay(entry.at)} ${kind.padEnd(24)} ${described ?? describeEvent(event)}`;
}
