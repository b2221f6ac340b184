import assert from 'node:assert/strict';
import {appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal, reopenFileJournal} from '../../source/adapters/journal-file.js';
import type {Entry} from '../../source/engine/events.js';
import {readJournal} from '../../source/journal/read-journal.js';
import {assertChain} from './interrupted-runs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-reopen-'));
after(() => rmSync(dir, {recursive: true, force: true}));

const entry = (seq: number, reason: string): Entry => ({seq, at: 1_700_000_000_000 + seq, event: {type: 'operator.abandoned', reason}});

function written(name: string, count: number): string {
	const file = path.join(dir, name);
	const journal = openFileJournal({path: file, runId: 'run-1'});
	for (let seq = 0; seq < count; seq++) {
		journal.append(entry(seq, `line ${seq}`));
	}

	journal.close();
	return file;
}

describe('reopenFileJournal: appending to an unfinished run', () => {
	it('continues the chain from the last line, with the same run id and the next seq', () => {
		const file = written('whole.jsonl', 3);
		const reopened = reopenFileJournal({path: file});
		assert.equal(reopened.runId, 'run-1');
		assert.equal(reopened.entries.length, 3);
		assert.equal(reopened.cut, null);
		reopened.journal.append(entry(3, 'after the resume'));
		reopened.journal.close();
		const {lines, torn} = assertChain(file);
		assert.equal(torn, '');
		assert.deepEqual(lines.map(l => l.seq), [0, 1, 2, 3]);
		assert.ok(lines.every(l => l.runId === 'run-1'));
	});

	it('cuts a torn last line, which append never acknowledged, and says what it cut', () => {
		const file = written('torn.jsonl', 2);
		const whole = readFileSync(file, 'utf8');
		appendFileSync(file, '{"at":1700000000002,"ev');
		const reopened = reopenFileJournal({path: file});
		assert.equal(reopened.cut, '{"at":1700000000002,"ev');
		assert.equal(readFileSync(file, 'utf8'), whole);
		reopened.journal.append(entry(2, 'in place of the torn line'));
		reopened.journal.close();
		assert.equal(assertChain(file).lines.length, 3);
		assert.equal(readJournal(file).torn, null);
	});

	it('refuses a journal whose chain is broken, and changes nothing', () => {
		const file = written('edited.jsonl', 3);
		const text = readFileSync(file, 'utf8').replace('line 1', 'line X');
		writeFileSync(file, text);
		assert.throws(() => reopenFileJournal({path: file}), /chain is broken at line 3/);
		assert.equal(readFileSync(file, 'utf8'), text);
	});
});
