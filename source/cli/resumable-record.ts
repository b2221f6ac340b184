import {readFileSync} from 'node:fs';
import type {EventOf} from '../engine/events.js';
import {CutoverError} from '../errors/index.js';
import {checkEntries, describeUnknown} from '../journal/check-entries.js';
import {readJournal} from '../journal/read-journal.js';
import {checkChain} from '../verify/chain.js';

/**
 * Reads a journal to resume and refuses, in words, one that cannot be continued safely: not
 * a record, a broken chain, an event it does not understand, or one that is not a run. All
 * of it before any lock is taken or connection opened.
 */
export function readResumableRecord(file: string): EventOf<'run.started'> {
	const journal = readJournal(file);
	const chain = checkChain(readFileSync(file));
	if (chain.problem !== null) {
		throw new CutoverError(`cannot resume ${file}: ${chain.problem}`, {hint: `the record was changed after it was written; see cutover verify ${file}, and start a new run`});
	}

	const checked = checkEntries(journal.entries);
	if (checked.problem !== null) {
		throw new CutoverError(`cannot resume ${file}: ${checked.problem}`, {hint: `see cutover verify ${file}; nothing was changed or journaled`});
	}

	if (checked.unknown.length > 0) {
		throw new CutoverError(`cannot resume ${file}: it holds events of kinds this cutover does not know: ${describeUnknown(checked.unknown)}`, {
			hint: 'resume with the cutover version that wrote the record; this one could misread where the run stopped',
		});
	}

	const first = journal.entries[0]?.event;
	if (first?.type !== 'run.started') {
		throw new CutoverError(`${file} does not start with run.started; it is not a run to resume`, {
			hint: journal.entries.length === 0 ? 'the file holds no complete line; pick a journal from cutover resume' : 'pick a journal from cutover resume',
		});
	}

	return first;
}

/** The migrations format the run read (migrations.planned), so a resume reads the folder the same way; undefined for older records. */
export function recordedFormat(file: string): string | undefined {
	for (const {event} of readJournal(file).entries) {
		if (event.type === 'migrations.planned') {
			return event.format;
		}
	}

	return undefined;
}

