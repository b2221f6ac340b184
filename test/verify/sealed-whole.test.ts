import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {openFileJournal} from '../../source/adapters/journal-file.js';
import type {RunEvent} from '../../source/engine/events.js';
import {canonicalJson} from '../../source/journal/canonical-json.js';
import {createSession} from '../../source/run/session.js';
import {checkpointStatement, encodeStatement} from '../../source/signing/checkpoint.js';
import {IN_TOTO_PAYLOAD_TYPE, signEnvelope} from '../../source/signing/dsse.js';
import {checkpointsPath, signaturePath} from '../../source/signing/record-files.js';
import {attachSealer} from '../../source/signing/sealer.js';
import {generateSigningKey, signerOf} from '../../source/signing/signing-key.js';
import {sshsigSign} from '../../source/signing/sshsig.js';
import {verifyRecord, type VerifyOptions} from '../../source/verify/verify-record.js';
import {cli} from '../support/demo-targets.js';

// A record whose every byte trusted seals cover is verified without each line parsed; these
// cases show it reports what the line-by-line check reports, and where the two differ.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-sealed-whole-'));
after(() => {
	rmSync(scratch, {recursive: true, force: true});
});

const key = generateSigningKey(path.join(scratch, 'key.pem'));
const trusted: VerifyOptions['trusted'] = [{principal: 'test', keyId: key.keyId, publicKey: key.publicKey, source: 'test'}];
const allowedSigners = path.join(scratch, 'allowed_signers');
writeFileSync(allowedSigners, `test ${key.sshLine}\n`);
const options = {trusted, allowUnsigned: false};
const everyLine = {...options, everyLine: true};

function run(ending: RunEvent): RunEvent[] {
	return [
		{
			type: 'run.started', runId: 'sealed-run', toolVersion: '0.1.0', operator: {osUser: 'ops', name: 'Opérateur'}, host: 'jump1',
			target: 'sqlite:/srv/demo.db', checklist: {name: 'production', path: '/c/production.yaml', sha256: 'cd'.repeat(32)},
			migrationsDir: '/m', to: null, mode: 'plain', previousRecord: null, signer: signerOf(key),
		},
		{type: 'target.fingerprinted', fingerprint: {engine: 'sqlite', serverVersion: 'SQLite 3.53', host: 'jump1', database: 'facturación', sizeBytes: 2_000_000, path: '/srv/demo.db'}},
		{type: 'migrations.planned', applied: [], pending: [{name: '0001_a', checksum: 'e'.repeat(64), reversible: true}]},
		{type: 'window.planned', startsAt: 1_700_000_000_000, expectedMinutes: 30, prep: [{id: 'notified', text: 'Stakeholders notified'}], hooks: {on: null, off: null}},
		{type: 'operator.prep-ticked', itemId: 'notified', ticked: true},
		{type: 'operator.window-confirmed', typedName: 'facturación'},
		{type: 'backup.started', path: '/backups/demo-1.db', method: 'sqlite online backup'},
		...Array.from({length: 20}, (_, i): RunEvent => ({type: 'backup.progress', progress: {bytes: i * 4096, estimatedBytes: 2_000_000, pagesDone: i, pagesTotal: 488}})),
		ending,
	];
}

/** A record written and sealed as a run writes it. */
function writeRecord(name: string, ending: RunEvent = {type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null}): string {
	const dir = path.join(scratch, name);
	mkdirSync(dir);
	const file = path.join(dir, 'record.jsonl');
	const journal = openFileJournal({path: file, runId: 'sealed-run'});
	let now = 1_700_000_000_000;
	const session = createSession(journal, {now: () => (now += 100)});
	const sealer = attachSealer(session, {journalPath: file, key});
	for (const event of run(ending)) {
		assert.notEqual(session.emit(event), null, `the run takes ${event.type}`);
	}

	journal.close();
	sealer.detach();
	assert.equal(sealer.error, null);
	return file;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);

/**
 * The journal rewritten as `lines`, then sealed again by the trusted key as cutover seals: a
 * checkpoint through the last line and the SSH signature. What someone holding the key, or a
 * change made on disk before the seal read the file, leaves behind.
 */
function reseal(file: string, lines: string[]): void {
	const text = `${lines.join('\n')}\n`;
	writeFileSync(file, text);
	const bytes = Buffer.from(text, 'utf8');
	const last = lines.at(-1)!;
	const seq = (JSON.parse(last) as {seq: number}).seq;
	const statement = checkpointStatement(path.basename(file), createHash('sha256').update(bytes).digest('hex'), {
		runId: 'sealed-run', seq, bytes: bytes.length, head: sha256(last), kind: 'run.finished', checklistSha256: null, migrations: [], toolVersion: '0.1.0', host: 'jump1',
	});
	writeFileSync(checkpointsPath(file), `${canonicalJson(signEnvelope(IN_TOTO_PAYLOAD_TYPE, encodeStatement(statement), key))}\n`);
	writeFileSync(signaturePath(file), sshsigSign(createHash('sha512').update(bytes).digest(), key));
}

/** Each line from `from` on given the sha256 of the line above as its prev, so the chain holds again. */
function relink(lines: string[], from: number): string[] {
	const out = [...lines];
	for (let i = from; i < out.length; i++) {
		const line = JSON.parse(out[i]!) as Record<string, unknown>;
		out[i] = canonicalJson({...line, prev: sha256(out[i - 1]!)});
	}

	return out;
}

describe('verify of a record sealed whole', () => {
	it('reports what the line-by-line check reports, finished or interrupted, non-ASCII text included', () => {
		const finished = writeRecord('finished');
		const interrupted = writeRecord('interrupted', {type: 'run.interrupted', signal: 'SIGHUP', step: 'backup', detail: 'the terminal hung up'});
		for (const file of [finished, interrupted]) {
			const quick = verifyRecord(file, options);
			assert.equal(quick.problem, null);
			assert.equal(quick.lines, 28);
			assert.equal(quick.checkpoints, 3);
			assert.equal(quick.trustedAs?.keyId, key.keyId);
			assert.deepEqual(quick, verifyRecord(file, everyLine));
		}

		assert.equal(verifyRecord(finished, options).end, 'finished');
		assert.deepEqual(verifyRecord(interrupted, options).notes, ['interrupted: cutover resume continues it; the SSH signature comes when it finishes']);
	});

	it('still catches a line changed on disk before a seal took it: the line after it no longer links', () => {
		const file = writeRecord('changed-before-seal');
		const lines = linesOf(file);
		// A canonical edit (a progress figure) that the next line's prev does not know of.
		lines[10] = lines[10]!.replace('"bytes":12288', '"bytes":99999');
		reseal(file, lines);
		for (const how of [options, everyLine]) {
			assert.match(verifyRecord(file, how).problem ?? '', /^line 12: its prev \([0-9a-f]{12}…\) is not the sha256 of line 11/);
		}
	});

	it('notes an event kind it does not know in both readings', () => {
		const file = writeRecord('unknown-kind');
		const lines = linesOf(file);
		const line = JSON.parse(lines[12]!) as {event: Record<string, unknown>};
		lines[12] = canonicalJson({...line, kind: 'backup.future-thing', event: {...line.event, type: 'backup.future-thing'}});
		reseal(file, relink(lines, 13));
		const quick = verifyRecord(file, options);
		assert.equal(quick.problem, null);
		assert.match(quick.notes.join('\n'), /line 13 \(backup\.future-thing\)/);
		assert.deepEqual(quick, verifyRecord(file, everyLine));
	});

	it('leaves the form of each line to the seals, and --every-line checks it too', () => {
		const file = writeRecord('not-canonical');
		const lines = linesOf(file);
		// The same JSON with its keys out of order, and the chain made to hold over it: cutover never writes this.
		const line = JSON.parse(lines[9]!) as Record<string, unknown>;
		lines[9] = JSON.stringify({v: line['v'], ...line});
		reseal(file, relink(lines, 10));
		assert.equal(verifyRecord(file, options).problem, null);
		assert.match(verifyRecord(file, everyLine).problem ?? '', /^line 10: is not in canonical form/);
		const config = path.join(scratch, 'config');
		const command = (extra: string[]) => spawnSync(process.execPath, [cli, 'verify', file, '--trusted', allowedSigners, ...extra], {encoding: 'utf8', env: {...process.env, CUTOVER_CONFIG_DIR: config, NO_COLOR: '1'}});
		const plain = command([]);
		assert.equal(plain.status, 0, plain.stdout + plain.stderr);
		const strict = command(['--every-line']);
		assert.equal(strict.status, 1, strict.stdout + strict.stderr);
		assert.match(strict.stdout, /FAIL record\.jsonl: line 10: is not in canonical form/);
	});

	it('falls back to the line-by-line check for anything short of sealed whole, with its message', () => {
		const file = writeRecord('tail-unsealed');
		const lines = linesOf(file);
		// One more line, chained, after the last seal.
		const extra = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
		writeFileSync(file, `${[...lines, canonicalJson({...extra, seq: (extra['seq'] as number) + 1, prev: sha256(lines.at(-1)!)})].join('\n')}\n`);
		assert.match(verifyRecord(file, options).problem ?? '', /line 29 \(run\.finished\) is not sealed by any checkpoint/);
		assert.deepEqual(verifyRecord(file, options), verifyRecord(file, everyLine));
	});
});
