import {formatPlainLine} from '../cli/plain-output.js';
import type {Entry} from '../engine/events.js';
import {describeUnknown} from '../journal/check-entries.js';
import {isDecision} from './controller.js';
import type {ReplayRecord} from './load-record.js';

/** Marks an operator's decision at the start of its line, so `grep '^»'` lists them. */
export const DECISION_MARK = '»';

/** One event as a --plain line, as the live run printed it, with decisions marked. */
export const replayLine = (entry: Entry, described?: string): string => `${isDecision(entry) ? DECISION_MARK : ' '} ${formatPlainLine(entry, described)}`;

/** The whole record for `cutover replay --plain`: a heading, one line per event, and where it ends. */
export function plainReplay(record: ReplayRecord): string[] {
	const first = record.entries[0];
	const last = record.entries.at(-1);
	const span = first && last ? `, ${new Date(first.at).toISOString()} to ${new Date(last.at).toISOString()}` : '';
	return [
		`# replay of ${record.path}: ${record.entries.length} events${span}`,
		...record.entries.map((entry, i) => replayLine(entry, record.descriptions?.[i])),
		...(record.unknown.length === 0 ? [] : [`# ${unknownLine(record)}`]),
		record.damage === null
			? '# end of record'
			: `# replay stopped: ${record.damage}; the ${record.entries.length} events above are all that could be read (check the record with cutover verify)`,
	];
}

/** Said after the events and by the console's exit: a replay that could not read every event's meaning. */
export function unknownLine(record: ReplayRecord): string {
	return `${record.unknown.length} event${record.unknown.length === 1 ? ' is' : 's are'} of a kind this cutover does not know, shown but not understood: ${describeUnknown(record.unknown)}; replay it with the cutover version that wrote it`;
}
