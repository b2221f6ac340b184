import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal, reopenFileJournal} from '../../source/adapters/journal-file.js';
import {RecordWriteError} from '../../source/errors/index.js';
import {readJournal} from '../../source/journal/read-journal.js';
import {nodeAppendFs, type AppendFs} from '../../source/journal/write-whole.js';
import {createSession} from '../../source/run/session.js';
import {attachSealer} from '../../source/signing/sealer.js';
import {checkpointsPath} from '../../source/signing/record-files.js';
import {loadSigningKey, signerOf} from '../../source/signing/signing-key.js';
import {generateKeyPairSync} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import {opening} from '../support/run-events.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-journal-faults-'));
after(() => rmSync(dir, {recursive: true, force: true}));

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'});

/** Real writes, at most `chunk` bytes each, until `room` bytes in all were taken; then ENOSPC, as a full disk does. */
function fillingFs(room: number, chunk = 7): AppendFs & {calls: number} {
	let taken = 0;
	const fs = {
		calls: 0,
		write(fd: number, buffer: Uint8Array, offset: number, length: number, position: number) {
			fs.calls += 1;
			const n = Math.min(length, chunk, room - taken);
			if (n <= 0) {
				throw enospc();
			}

			taken += n;
			return nodeAppendFs.write(fd, buffer, offset, n, position);
		},
		fsync: nodeAppendFs.fsync,
		truncate: nodeAppendFs.truncate,
	};
	return fs;
}

const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('file journal under short writes and a full disk', () => {
	it('writes a whole line through short writes, and the chain reads back', () => {
		const file = path.join(dir, 'short.jsonl');
		const fs = fillingFs(Number.POSITIVE_INFINITY, 5);
		const journal = openFileJournal({path: file, runId: 'r1', fs});
		const session = createSession(journal, {now: () => 1000});
		for (const event of opening) {
			session.emit(event);
		}

		journal.close();
		assert.ok(fs.calls > opening.length * 10, `short writes were made (${fs.calls} calls)`);
		const read = readJournal(file);
		assert.equal(read.torn, null);
		assert.deepEqual(read.entries.map(e => e.event), opening);
	});

	it('on ENOSPC cuts the file back to its last complete line, throws RecordWriteError, and takes nothing more', () => {
		const file = path.join(dir, 'full.jsonl');
		const first = Buffer.byteLength(readFileSync(writeOne(), 'utf8'));
		const journal = openFileJournal({path: file, runId: 'r1', fs: fillingFs(first + 40)});
		journal.append({seq: 0, at: 1, event: opening[0]!});
		assert.throws(() => journal.append({seq: 1, at: 2, event: opening[1]!}), (error: unknown) => {
			assert.ok(error instanceof RecordWriteError);
			assert.equal(error.code, 'ENOSPC');
			assert.equal(error.lines, 1);
			assert.equal(error.message, `the records directory ${dir} is full (ENOSPC): the record is intact up to line 1`);
			assert.equal(error.hint, `free space and run cutover resume ${file}`);
			return true;
		});
		const text = readFileSync(file, 'utf8');
		assert.ok(text.endsWith('\n'), 'the file ends on a complete line');
		assert.equal(lineCount(file), 1);
		assert.equal(Buffer.byteLength(text), first, 'the 40 bytes of the cut line are gone');
		// Even with room again, a later line would skip the lost one: refused.
		assert.throws(() => journal.append({seq: 1, at: 3, event: opening[2]!}), RecordWriteError);
		journal.close();
		// The kept prefix is a valid journal that a resume continues.
		const reopened = reopenFileJournal({path: file});
		assert.equal(reopened.cut, null);
		assert.equal(reopened.entries.length, 1);
		reopened.journal.append({seq: 1, at: 4, event: opening[1]!});
		reopened.journal.close();
		assert.deepEqual(readJournal(file).entries.map(e => e.event), opening.slice(0, 2));
	});

	it('treats a failing fsync as a line not written', () => {
		const file = path.join(dir, 'eio.jsonl');
		let fsyncs = 0;
		const fs: AppendFs = {
			...nodeAppendFs,
			fsync(fd) {
				fsyncs += 1;
				if (fsyncs === 2) {
					throw Object.assign(new Error('EIO: i/o error, fsync'), {code: 'EIO'});
				}

				nodeAppendFs.fsync(fd);
			},
		};
		const journal = openFileJournal({path: file, runId: 'r1', fs});
		journal.append({seq: 0, at: 1, event: opening[0]!});
		assert.throws(() => journal.append({seq: 1, at: 2, event: opening[1]!}), /could not be written: the disk reported an I\/O error \(EIO\): the record is intact up to line 1/);
		journal.close();
		assert.equal(lineCount(file), 1);
		assert.ok(readFileSync(file, 'utf8').endsWith('\n'));
	});

	it('session: a line that was not written is neither in the entries nor in the state, nor anything after it', () => {
		const file = path.join(dir, 'session.jsonl');
		const sizes = opening.slice(0, 2).map(event => event);
		const journal = openFileJournal({path: file, runId: 'r1', fs: fillingFs(firstTwoBytes(sizes) + 10)});
		const session = createSession(journal, {now: () => 1000});
		const faults: RecordWriteError[] = [];
		session.onFault(fault => faults.push(fault));
		const seen: string[] = [];
		session.subscribe((_, entry) => seen.push(entry.event.type));
		assert.notEqual(session.emit(opening[0]!), null);
		assert.notEqual(session.emit(opening[1]!), null);
		assert.equal(session.emit(opening[2]!), null, 'migrations.planned did not fit');
		assert.equal(session.emit({type: 'error', step: 'window', message: 'small enough to fit'}), null, 'nothing after the lost line either');
		journal.close();
		assert.equal(faults.length, 1);
		assert.equal(session.fault, faults[0]);
		assert.deepEqual(session.entries.map(e => e.event.type), ['run.started', 'target.fingerprinted']);
		assert.deepEqual(seen, ['run.started', 'target.fingerprinted']);
		assert.equal(session.state.plan, null, 'the plan that was not recorded is not in the state');
		assert.equal(session.state.errors.length, 0);
		assert.equal(lineCount(file), 2);
	});

	it('sealer: a full disk leaves the checkpoints whole and does not throw into the run', () => {
		const file = path.join(dir, 'sealed.jsonl');
		const keyFile = path.join(dir, 'key.pem');
		writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({format: 'pem', type: 'pkcs8'}));
		const key = loadSigningKey(keyFile);
		const journal = openFileJournal({path: file, runId: 'r1'});
		const session = createSession(journal, {now: () => 1000});
		const errors: Error[] = [];
		let writes = 0;
		const fs: AppendFs = {
			...nodeAppendFs,
			write(fd, buffer, offset, length, position) {
				writes += 1;
				if (writes > 1) {
					// The second checkpoint gets half its bytes, then the disk is full.
					if (writes === 2) {
						return nodeAppendFs.write(fd, buffer, offset, Math.floor(length / 2), position);
					}

					throw enospc();
				}

				return nodeAppendFs.write(fd, buffer, offset, length, position);
			},
		};
		const sealer = attachSealer(session, {journalPath: file, key, fs, onError: error => errors.push(error)});
		const heard: Error[] = [];
		sealer.onError(error => heard.push(error));
		session.emit({...opening[0]!, signer: signerOf(key)} as typeof opening[0] & {type: 'run.started'});
		session.emit({type: 'operator.prep-ticked', itemId: 'a', ticked: true});
		session.emit({type: 'operator.prep-ticked', itemId: 'b', ticked: true});
		session.emit({type: 'operator.prep-ticked', itemId: 'c', ticked: true});
		journal.close();
		assert.equal(sealer.checkpoints, 1);
		assert.equal(errors.length, 1);
		assert.ok(errors[0] instanceof RecordWriteError);
		assert.equal(errors[0].message, `the records directory ${dir} is full (ENOSPC): the record is intact, its checkpoints seal it up to line 2`);
		assert.equal(errors[0].hint, `free space and run cutover resume ${file}`);
		const sidecar = readFileSync(checkpointsPath(file), 'utf8');
		assert.ok(sidecar.endsWith('\n'));
		assert.equal(sidecar.split('\n').filter(Boolean).length, 1, 'the half-written checkpoint was cut');
		assert.equal(session.entries.length, 4, 'the journal itself went on');
		assert.deepEqual(heard, errors, 'the run hears of it, to stop');
	});
});

function writeOne(): string {
	const file = path.join(dir, `one-${Math.random()}.jsonl`);
	const journal = openFileJournal({path: file, runId: 'r1'});
	journal.append({seq: 0, at: 1, event: opening[0]!});
	journal.close();
	return file;
}

function firstTwoBytes(events: typeof opening): number {
	const file = path.join(dir, `two-${Math.random()}.jsonl`);
	const journal = openFileJournal({path: file, runId: 'r1'});
	const session = createSession(journal, {now: () => 1000});
	for (const event of events) {
		session.emit(event);
	}

	journal.close();
	return Buffer.byteLength(readFileSync(file));
}
