import {createHash} from 'node:crypto';
import type {Entry} from '../engine/events.js';
import {canonicalJson} from './canonical-json.js';

export const JOURNAL_FORMAT = 1;
export const GENESIS = '0'.repeat(64);

/** One journal line as stored: the entry plus the run it belongs to and the hash of the line before. */
export type JournalLine = {
	v: number;
	runId: string;
	seq: number;
	at: number;
	kind: string;
	event: Entry['event'];
	prev: string;
};

export function encodeLine(runId: string, entry: Entry, prev: string): string {
	const line: JournalLine = {v: JOURNAL_FORMAT, runId, seq: entry.seq, at: entry.at, kind: entry.event.type, event: entry.event, prev};
	return canonicalJson(line);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
