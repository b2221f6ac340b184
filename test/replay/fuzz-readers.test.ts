import fc from 'fast-check';
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {readResumableRecord} from '../../source/cli/resumable-record.js';
import type {Entry} from '../../source/engine/events.js';
import {checkEntries} from '../../source/journal/check-entries.js';
import {encodeLine, GENESIS, sha256} from '../../source/journal/line.js';
import {readJournal} from '../../source/journal/read-journal.js';
import {loadRecord} from '../../source/replay/load-record.js';
import {plainReplay} from '../../source/replay/plain-replay.js';
import {buildTimeline} from '../../source/replay/timeline.js';
import {verifyRecords} from '../../source/verify/verify-records.js';
import {byteMutation, FUZZ_RUNS, mutateBytes, mutateValue, returnsOrCutoverError, valueMutation} from '../support/fuzz.js';
import {recordedEntries} from './replay-fixture.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-fuzz-records-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

function chained(entries: readonly Entry[]): string {
	let prev = GENESIS;
	return `${entries.map(entry => {
		const line = encodeLine('r-fuzz', entry, prev);
		prev = sha256(line);
		return line;
	}).join('\n')}\n`;
}

const valid = Buffer.from(chained(recordedEntries));
let n = 0;
function write(content: string | Uint8Array): string {
	const file = path.join(dir, `record-${n++ % 4}.jsonl`);
	writeFileSync(file, content);
	return file;
}

/** Every reader of records, on one file: each returns or throws a CutoverError; what replay returns can be shown. */
async function readEveryWay(file: string): Promise<void> {
	await returnsOrCutoverError(() => readJournal(file));
	await returnsOrCutoverError(() => readResumableRecord(file));
	await returnsOrCutoverError(() => verifyRecords(file, {trusted: [], allowUnsigned: true}));
	await returnsOrCutoverError(() => {
		const record = loadRecord(file);
		assert.ok(record.entries.length > 0);
		assert.ok(plainReplay(record).length >= 2);
		const timeline = buildTimeline(record.entries);
		timeline.stateAt(timeline.length - 1);
	});
}

describe('fuzzing the record readers (replay, resume, verify)', () => {
	it('arbitrary bytes', {timeout: 120_000}, async () => {
		await fc.assert(fc.asyncProperty(fc.uint8Array({maxLength: 2048}), async bytes => readEveryWay(write(bytes))), {numRuns: FUZZ_RUNS});
	});

	it('a valid record with bytes flipped, cut, spliced or dropped', {timeout: 120_000}, async () => {
		await fc.assert(fc.asyncProperty(fc.array(byteMutation, {minLength: 1, maxLength: 4}), async mutations => readEveryWay(write(mutateBytes(valid, mutations)))), {numRuns: FUZZ_RUNS});
	});

	it('a valid record with a value inside one event changed, and the chain rebuilt over it', {timeout: 120_000}, async () => {
		await fc.assert(fc.asyncProperty(fc.nat(), fc.array(valueMutation, {minLength: 1, maxLength: 3}), async (line, mutations) => {
			const at = line % recordedEntries.length;
			const entries = recordedEntries.map((entry, i) => i === at ? {...entry, event: mutations.reduce((event, m) => mutateValue(event, m), entry.event)} : entry);
			// A mutated event may lose its type: that line is then no journal line at all, which the readers must say too.
			await readEveryWay(write(chained(entries)));
			const checked = checkEntries(entries.filter(e => typeof e.event?.type === 'string'));
			assert.ok(checked.entries.length <= entries.length);
		}), {numRuns: FUZZ_RUNS});
	});

	it('an event of any kind at all, chained in', {timeout: 120_000}, async () => {
		await fc.assert(fc.asyncProperty(fc.string({maxLength: 30}), fc.dictionary(fc.string({maxLength: 8}), fc.jsonValue({maxDepth: 2})), async (kind, fields) => {
			const event = {...fields, type: kind} as unknown as Entry['event'];
			const entries = [...recordedEntries.slice(0, 3), {seq: 3, at: recordedEntries[3]!.at, event}, ...recordedEntries.slice(3).map(e => ({...e, seq: e.seq + 1}))];
			await readEveryWay(write(chained(entries)));
		}), {numRuns: FUZZ_RUNS});
	});
});
