import assert from 'node:assert/strict';
import {generateKeyPairSync} from 'node:crypto';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal, reopenFileJournal} from '../../source/adapters/journal-file.js';
import {createSession} from '../../source/run/session.js';
import {checkpointsPath, signaturePath} from '../../source/signing/record-files.js';
import {attachSealer} from '../../source/signing/sealer.js';
import {loadSigningKey, signerOf} from '../../source/signing/signing-key.js';
import type {TrustedKey} from '../../source/verify/trusted-keys.js';
import {verifyRecord} from '../../source/verify/verify-record.js';
import {opening} from '../support/run-events.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-sealer-'));
after(() => rmSync(dir, {recursive: true, force: true}));

function makeKey(name: string) {
	const file = path.join(dir, name);
	writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({format: 'pem', type: 'pkcs8'}));
	return loadSigningKey(file);
}

const key = makeKey('key.pem');
const trusted: TrustedKey[] = [{principal: 'test', keyId: key.keyId, publicKey: key.publicKey, source: 'test'}];
let now = 1_700_000_000_000;
const clock = {now: () => (now += 1000)};
const [started, ...rest] = opening;

describe('attachSealer', () => {
	it('seals after decisions and at the end, and goes on sealing a journal reopened for a resume', () => {
		const file = path.join(dir, 'run.jsonl');
		const journal = openFileJournal({path: file, runId: 'r1'});
		const session = createSession(journal, clock);
		const sealer = attachSealer(session, {journalPath: file, key, host: 'jump1', toolVersion: '9.9.9'});
		session.emit({...started!, signer: signerOf(key)} as typeof started & {type: 'run.started'});
		for (const event of rest) {
			session.emit(event);
		}

		session.emit({type: 'operator.prep-ticked', itemId: 'notified', ticked: true});
		session.emit({type: 'run.interrupted', signal: 'SIGHUP', step: 'window', detail: 'the terminal hung up'});
		journal.close();
		sealer.detach();
		assert.equal(sealer.checkpoints, 2);
		assert.equal(sealer.error, null);
		const interrupted = verifyRecord(file, {trusted, allowUnsigned: false});
		assert.equal(interrupted.problem, null);
		assert.equal(interrupted.end, 'interrupted');

		// The resumed process: same file, seq and chain go on, and a new sealer picks up the lines already there.
		const reopened = reopenFileJournal({path: file});
		const resumed = createSession(reopened.journal, clock, reopened.entries);
		const again = attachSealer(resumed, {journalPath: file, key});
		resumed.emit({type: 'run.resumed', operator: {osUser: 'ops', name: 'Ops'}, host: 'jump2', reconciliation: ['nothing changed']});
		resumed.emit({type: 'operator.window-confirmed', typedName: 'demo'});
		resumed.emit({type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null});
		reopened.journal.close();
		assert.equal(again.checkpoints, 2);

		const report = verifyRecord(file, {trusted, allowUnsigned: false});
		assert.equal(report.problem, null);
		assert.equal(report.end, 'finished');
		assert.equal(report.checkpoints, 4);
		assert.match(readFileSync(signaturePath(file), 'utf8'), /^-----BEGIN SSH SIGNATURE-----/);
		const seqs = readFileSync(checkpointsPath(file), 'utf8').trim().split('\n')
			.map(l => (JSON.parse(Buffer.from((JSON.parse(l) as {payload: string}).payload, 'base64').toString('utf8')) as {predicate: {seq: number; kind: string}}).predicate)
			.map(p => `${p.seq} ${p.kind}`);
		assert.deepEqual(seqs, [`${rest.length + 1} operator.prep-ticked`, `${rest.length + 2} run.interrupted`, `${rest.length + 4} operator.window-confirmed`, `${rest.length + 5} run.finished`]);
	});

	it('without a key it writes nothing', () => {
		const file = path.join(dir, 'unsigned.jsonl');
		const journal = openFileJournal({path: file, runId: 'r2'});
		const session = createSession(journal, clock);
		const sealer = attachSealer(session, {journalPath: file, key: null});
		session.emit(started!);
		session.emit({type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null});
		journal.close();
		assert.equal(sealer.checkpoints, 0);
		assert.match(verifyRecord(file, {trusted, allowUnsigned: false}).problem ?? '', /^unsigned: /);
		assert.equal(verifyRecord(file, {trusted, allowUnsigned: true}).problem, null);
	});

	it('a seal that cannot be written is reported once and does not stop the run', () => {
		const file = path.join(dir, 'blocked.jsonl');
		// A directory where the checkpoints file should go makes every append fail.
		mkdirSync(checkpointsPath(file));
		const journal = openFileJournal({path: file, runId: 'r3'});
		const session = createSession(journal, clock);
		const errors: string[] = [];
		const sealer = attachSealer(session, {journalPath: file, key, onError: e => errors.push(e.message)});
		session.emit({...started!, signer: signerOf(key)} as typeof started & {type: 'run.started'});
		session.emit({type: 'operator.window-confirmed', typedName: 'demo'});
		session.emit({type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null});
		journal.close();
		assert.equal(errors.length, 1);
		assert.match(errors[0]!, /EISDIR/);
		assert.ok(sealer.error);
		assert.equal(session.state.outcome, 'abandoned');
	});
});
