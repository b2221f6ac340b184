import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {CutoverError, RecordError} from '../../source/errors/index.js';
import {encodeLine, GENESIS, sha256} from '../../source/journal/line.js';
import {loadRecord} from '../../source/replay/load-record.js';
import {plainReplay} from '../../source/replay/plain-replay.js';
import {buildTimeline} from '../../source/replay/timeline.js';
import type {Entry} from '../../source/engine/events.js';
import {recordedEntries} from './replay-fixture.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-replay-'));
after(() => {
	rmSync(dir, {recursive: true, force: true});
});

/** The record as the file journal writes it: canonical lines chained by hash, each ending in a newline. */
const lines = (() => {
	let prev = GENESIS;
	return recordedEntries.map(entry => {
		const line = encodeLine('r-7f3a9c21-0d4e', entry, prev);
		prev = sha256(line);
		return line;
	});
})();

function write(name: string, text: string): string {
	const file = path.join(dir, name);
	writeFileSync(file, text);
	return file;
}

describe('loading a record for replay', () => {
	it('reads every event of a whole record', () => {
		const record = loadRecord(write('whole.jsonl', `${lines.join('\n')}\n`));
		assert.deepEqual(record.entries, recordedEntries);
		assert.equal(record.damage, null);
		assert.ok(path.isAbsolute(record.path));
	});

	it('replays what comes before a torn last line and says where it stopped', () => {
		const text = `${lines.slice(0, 10).join('\n')}\n${lines[10]!.slice(0, 40)}`;
		const record = loadRecord(write('torn.jsonl', text));
		assert.deepEqual(record.entries, recordedEntries.slice(0, 10));
		assert.equal(record.damage, 'line 11 is cut short (a torn last line)');
	});

	it('stops at a line that is not JSON, keeping the lines above it', () => {
		const text = `${[...lines.slice(0, 6), 'garbage{', ...lines.slice(6)].join('\n')}\n`;
		const record = loadRecord(write('garbage.jsonl', text));
		assert.deepEqual(record.entries, recordedEntries.slice(0, 6));
		assert.equal(record.damage, 'line 7 is not JSON');
	});

	it('stops at JSON that is not a journal event', () => {
		const text = `${[...lines.slice(0, 3), '{"seq":3,"note":"hand-edited"}', ...lines.slice(3)].join('\n')}\n`;
		const record = loadRecord(write('edited.jsonl', text));
		assert.equal(record.entries.length, 3);
		assert.equal(record.damage, 'line 4 is not a journal event');
	});

	it('refuses a missing file or one with nothing to replay, saying what to do', () => {
		assert.throws(() => loadRecord(path.join(dir, 'nope.jsonl')), (error: unknown) =>
			error instanceof RecordError && /nope\.jsonl: does not exist$/.test(error.message) && /records directory/.test(error.hint));
		assert.throws(() => loadRecord(write('empty.jsonl', '')), (error: unknown) =>
			error instanceof CutoverError && /holds no event to replay/.test(error.message));
		assert.throws(() => loadRecord(write('noise.jsonl', 'not json\n')), /no event to replay: line 1 is not JSON/);
	});
});

describe('loading what is not a record', () => {
	it('a directory is named as one, with what to pass instead', () => {
		const folder = path.join(dir, 'a-directory.jsonl');
		mkdirSync(folder);
		assert.throws(() => loadRecord(folder), (error: unknown) =>
			error instanceof RecordError && /a-directory\.jsonl: is a directory, not a change record/.test(error.message) && /one \.jsonl file/.test(error.hint));
	});

	it('binary bytes: nothing to replay, said in words', () => {
		const noise = Buffer.from(Array.from({length: 600}, (_, i) => (i * 131 + 7) % 256));
		const file = path.join(dir, 'binary.jsonl');
		writeFileSync(file, noise);
		assert.throws(() => loadRecord(file), (error: unknown) => error instanceof CutoverError && /holds no event to replay: line 1 is not JSON/.test(error.message));
		assert.throws(() => loadRecord(write('empty2.jsonl', '')), /holds no event to replay: the file is empty/);
	});

	it('an event of a kind it does not know is replayed as such and reported, not a crash', () => {
		const foreign = {seq: 3, at: recordedEntries[3]!.at, event: {type: 'backup.teleported', where: 'mars'}} as unknown as Entry;
		const entries = [...recordedEntries.slice(0, 3), foreign, ...recordedEntries.slice(3).map(e => ({...e, seq: e.seq + 1}))];
		const record = loadRecord(write('foreign.jsonl', `${chain(entries).join('\n')}\n`));
		assert.equal(record.entries.length, entries.length);
		assert.equal(record.damage, null);
		assert.deepEqual(record.unknown, [{line: 4, kind: 'backup.teleported'}]);
		const out = plainReplay(record);
		assert.ok(out.some(l => /backup\.teleported +event of a kind this cutover does not know \(backup\.teleported\)/.test(l)), out.join('\n'));
		assert.match(out.at(-2)!, /^# 1 event is of a kind this cutover does not know, shown but not understood: line 4 \(backup\.teleported\)/);
		const state = buildTimeline(record.entries).stateAt(entries.length - 1);
		assert.deepEqual(state.unknownEvents, [{seq: 3, kind: 'backup.teleported'}]);
		assert.equal(state.outcome, 'upgraded');
	});

	it('a known kind without what it should hold stops the replay at its line', () => {
		const broken = {seq: 2, at: recordedEntries[2]!.at, event: {type: 'migrations.planned', applied: 'none'}} as unknown as Entry;
		const entries = [...recordedEntries.slice(0, 2), broken, ...recordedEntries.slice(3)];
		const record = loadRecord(write('broken.jsonl', `${chain(entries).join('\n')}\n`));
		assert.equal(record.entries.length, 2);
		assert.match(record.damage ?? '', /^line 3 \(migrations\.planned\) does not hold what a migrations\.planned event holds/);
	});
});

function chain(entries: readonly Entry[]): string[] {
	let prev = GENESIS;
	return entries.map(entry => {
		const line = encodeLine('r-7f3a9c21-0d4e', entry, prev);
		prev = sha256(line);
		return line;
	});
}

describe('the --plain timeline', () => {
	it('has one line per event, decisions marked with a leading », and says where the record ends', () => {
		const record = loadRecord(write('plain.jsonl', `${lines.join('\n')}\n`));
		const out = plainReplay(record);
		assert.match(out[0]!, new RegExp(`^# replay of .*plain\\.jsonl: ${recordedEntries.length} events, 2026-11-22T02:00:01\\.000Z to `));
		assert.equal(out.at(-1), '# end of record');
		const events = out.slice(1, -1);
		assert.equal(events.length, recordedEntries.length);
		for (const [i, entry] of recordedEntries.entries()) {
			assert.ok(events[i]!.includes(entry.event.type), `line ${i} names ${entry.event.type}`);
			assert.equal(events[i]!.startsWith('» '), entry.event.type.startsWith('operator.'), events[i]);
		}

		assert.deepEqual(events.filter(l => l.startsWith('»')).map(l => l.split(/\s+/)[2]), [
			'operator.prep-ticked', 'operator.prep-ticked', 'operator.window-confirmed', 'operator.override', 'operator.proceed', 'operator.rollback-chosen',
		]);
		assert.ok(events.some(l => /^» \d\d:\d\d:\d\d\.\d{3} operator\.override +operator overrode pre\.duplicate-meters: known duplicates/.test(l)));
	});

	it('ends a damaged record with where and why it stopped', () => {
		const record = loadRecord(write('plain-torn.jsonl', `${lines.slice(0, 4).join('\n')}\n{"v":1,`));
		const out = plainReplay(record);
		assert.equal(out.length, 1 + 4 + 1);
		assert.match(out.at(-1)!, /^# replay stopped: line 5 is cut short \(a torn last line\); the 4 events above are all that could be read/);
	});
});
