import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal} from '../../source/adapters/journal-file.js';
import {canonicalJson} from '../../source/journal/canonical-json.js';
import {GENESIS, sha256} from '../../source/journal/line.js';
import {nodeAppendFs, type AppendFs} from '../../source/journal/write-whole.js';
import {createSession} from '../../source/run/session.js';
import {opening} from '../support/run-events.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-journal-'));
after(() => rmSync(dir, {recursive: true, force: true}));

describe('canonicalJson', () => {
	it('sorts keys at every depth and drops undefined', () => {
		assert.equal(canonicalJson({b: 1, a: {d: [1, {z: null, y: 'é'}], c: undefined}}), '{"a":{"d":[1,{"y":"é","z":null}]},"b":1}');
	});

	it('refuses numbers JSON cannot carry', () => {
		assert.throws(() => canonicalJson({n: Number.NaN}), /cannot encode NaN/);
	});
});

describe('file journal', () => {
	it('writes one canonical line per event, chained by the hash of the line before', () => {
		const file = path.join(dir, 'chain.jsonl');
		const journal = openFileJournal({path: file, runId: 'r1'});
		const session = createSession(journal, {now: () => 1000});
		for (const event of opening) {
			session.emit(event);
		}

		journal.close();
		const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
		assert.equal(lines.length, opening.length);
		let prev = GENESIS;
		for (const [i, line] of lines.entries()) {
			const parsed = JSON.parse(line) as {seq: number; prev: string; kind: string; v: number};
			assert.equal(canonicalJson(parsed), line, 'line is canonical');
			assert.equal(parsed.seq, i);
			assert.equal(parsed.prev, prev);
			assert.equal(parsed.kind, opening[i]?.type);
			prev = sha256(line);
		}
	});

	it('a with-next line is written at once and fsynced with the next line, or at close', () => {
		const file = path.join(dir, 'group.jsonl');
		const calls: string[] = [];
		const fs: AppendFs = {
			write(fd, buffer, offset, length, position) {
				calls.push('write');
				return nodeAppendFs.write(fd, buffer, offset, length, position);
			},
			fsync(fd) {
				calls.push('fsync');
				nodeAppendFs.fsync(fd);
			},
			truncate: nodeAppendFs.truncate,
		};
		const journal = openFileJournal({path: file, runId: 'r3', fs});
		const session = createSession(journal, {now: () => 1});
		session.emit(opening[0]!);
		session.emit(opening[1]!, 'with-next');
		assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 2, 'written, for readers and the sealer, before its fsync');
		session.emit(opening[2]!);
		session.emit(opening[3]!, 'with-next');
		journal.close();
		assert.deepEqual(calls, ['write', 'fsync', 'write', 'write', 'fsync', 'write', 'fsync']);
		assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 4);
	});

	it('is on disk when append returns, before any listener sees the event', () => {
		const file = path.join(dir, 'durable.jsonl');
		const journal = openFileJournal({path: file, runId: 'r2'});
		const session = createSession(journal, {now: () => 1});
		let seenOnDisk = -1;
		session.subscribe(() => {
			seenOnDisk = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
		});
		session.emit(opening[0]!);
		assert.equal(seenOnDisk, 1);
		journal.close();
	});

	it('never writes a secret', () => {
		const file = path.join(dir, 'secret.jsonl');
		const journal = openFileJournal({path: file, runId: 'r3', secrets: ['hunter2']});
		createSession(journal, {now: () => 1}).emit({type: 'error', step: 'window', message: 'auth failed for password hunter2'});
		journal.close();
		const text = readFileSync(file, 'utf8');
		assert.doesNotMatch(text, /hunter2/);
		assert.match(text, /password \*\*\*/);
	});

	it('refuses to append to an existing journal', () => {
		const file = path.join(dir, 'chain.jsonl');
		assert.throws(() => openFileJournal({path: file, runId: 'r4'}), /EEXIST/);
	});
});
