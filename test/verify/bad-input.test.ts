import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {openFileJournal} from '../../source/adapters/journal-file.js';
import type {RunEvent} from '../../source/engine/events.js';
import {createSession} from '../../source/run/session.js';
import {recordedEvents} from '../replay/replay-fixture.js';
import {cli} from '../support/demo-targets.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cutover-bad-input-'));
const config = path.join(scratch, 'config');

function cutover(args: string[]) {
	const result = spawnSync(process.execPath, [cli, ...args], {
		encoding: 'utf8',
		env: {...process.env, CUTOVER_CONFIG_DIR: config, NO_COLOR: '1'},
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 60_000,
	});
	return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}

/** An unsigned record as the file journal writes it, of these events. */
function record(name: string, events: readonly RunEvent[]): string {
	const file = path.join(scratch, name);
	const journal = openFileJournal({path: file, runId: `r-${name}`});
	let at = Date.UTC(2026, 10, 22, 2, 0, 0);
	const session = createSession(journal, {now: () => at});
	for (const event of events) {
		at += 1000;
		session.emit(event);
	}

	journal.close();
	return file;
}

const foreign = {type: 'backup.teleported', where: 'mars'} as unknown as RunEvent;
/** A run stopped before the window, with one event of a kind this cutover does not know. */
const stopped: RunEvent[] = [...recordedEvents.slice(0, 2), foreign, ...recordedEvents.slice(2, 4), {type: 'run.interrupted', signal: 'SIGHUP', step: 'window', detail: 'hangup'}];

const noStack = (text: string) => {
	assert.doesNotMatch(text, /\n\s+at .*:\d+:\d+/, 'no stack trace');
	assert.doesNotMatch(text, /unexpected error/);
};

describe('resume, replay and verify given what is not a record', () => {
	const files: Record<string, string> = {};
	before(() => {
		mkdirSync(config);
		files['binary'] = path.join(scratch, 'binary.jsonl');
		writeFileSync(files['binary'], Buffer.from(Array.from({length: 700}, (_, i) => (i * 197 + 3) % 256)));
		files['empty'] = path.join(scratch, 'empty.jsonl');
		writeFileSync(files['empty'], '');
		files['directory'] = path.join(scratch, 'folder.jsonl');
		mkdirSync(files['directory']);
		files['json, not a journal'] = path.join(scratch, 'other.jsonl');
		writeFileSync(files['json, not a journal'], '[1,2,3]\nnull\n');
	});

	after(() => {
		rmSync(scratch, {recursive: true, force: true});
	});

	const expected: Record<string, {resume: RegExp; replay: RegExp; verify: RegExp}> = {
		binary: {resume: /binary\.jsonl: line 1 is not JSON/, replay: /holds no event to replay: line 1 is not JSON/, verify: /FAIL binary\.jsonl: line 1: is not JSON/},
		empty: {resume: /empty\.jsonl does not start with run\.started[\s\S]*holds no complete line/, replay: /holds no event to replay: the file is empty/, verify: /FAIL empty\.jsonl: the record is empty/},
		directory: {resume: /folder\.jsonl: is a directory, not a change record/, replay: /folder\.jsonl: is a directory, not a change record/, verify: /no records in .*folder\.jsonl/},
		'json, not a journal': {resume: /other\.jsonl: line 1 is JSON but not a journal line/, replay: /holds no event to replay: line 1 is not a journal event/, verify: /FAIL other\.jsonl: line 1: has format version undefined/},
	};
	for (const [kind, want] of Object.entries(expected)) {
		it(`${kind}: each command says what is wrong and exits 1, without a stack trace`, () => {
			const file = files[kind]!;
			const resume = cutover(['resume', file, '--plain', '--confirm-db', 'x']);
			const replay = cutover(['replay', file, '--plain']);
			const verify = cutover(['verify', file, '--allow-unsigned']);
			assert.equal(resume.code, 1, resume.stdout + resume.stderr);
			assert.match(resume.stderr, want.resume);
			assert.equal(replay.code, 1, replay.stdout + replay.stderr);
			assert.match(replay.stderr, want.replay);
			assert.equal(verify.code, 1, verify.stdout + verify.stderr);
			assert.match(verify.stdout, want.verify);
			for (const run of [resume, replay, verify]) {
				noStack(run.stdout + run.stderr);
			}

			for (const run of [resume, replay]) {
				assert.match(run.stderr, /\n {2}→ /, 'a hint');
			}
		});
	}

	it('a record with an event kind it does not know: verify vouches for the bytes and says so, replay shows it and exits 1, resume refuses', () => {
		const file = record('foreign.jsonl', stopped);
		const before = readFileSync(file);
		const verify = cutover(['verify', file, '--allow-unsigned']);
		assert.equal(verify.code, 0, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /ok {3}foreign\.jsonl: 6 lines, chain intact/);
		assert.match(verify.stdout, /1 line holds an event of a kind this cutover does not know \(a newer version wrote it\?\): line 3 \(backup\.teleported\); verified as bytes, not read/);

		const replay = cutover(['replay', file, '--plain']);
		assert.equal(replay.code, 1, replay.stdout + replay.stderr);
		assert.match(replay.stdout, /backup\.teleported +event of a kind this cutover does not know/);
		assert.match(replay.stdout, /# 1 event is of a kind this cutover does not know, shown but not understood: line 3 \(backup\.teleported\)/);
		assert.match(replay.stdout, /# end of record/);

		const resume = cutover(['resume', file, '--plain', '--confirm-db', 'shop']);
		assert.equal(resume.code, 1, resume.stdout + resume.stderr);
		assert.match(resume.stderr, /cannot resume .*foreign\.jsonl: it holds events of kinds this cutover does not know: line 3 \(backup\.teleported\)/);
		assert.match(resume.stderr, /→ resume with the cutover version that wrote the record/);
		for (const run of [verify, replay, resume]) {
			noStack(run.stdout + run.stderr);
		}

		assert.deepEqual(readFileSync(file), before, 'nothing was appended');
	});

	it('verify fails a run.started whose signer or previous record is not in cutover\'s shape, without a crash', () => {
		const [first, ...rest] = stopped.filter(e => e !== foreign);
		const odd = {...first, previousRecord: []} as unknown as RunEvent;
		const file = record('odd-start.jsonl', [odd, ...rest]);
		const verify = cutover(['verify', file, '--allow-unsigned']);
		assert.equal(verify.code, 1, verify.stdout + verify.stderr);
		assert.match(verify.stdout, /FAIL odd-start\.jsonl: line 1 \(run\.started\) names its signer or the record before it in a shape cutover does not write/);
		noStack(verify.stdout + verify.stderr);
	});

	it('resume refuses a record whose chain is broken, before taking any lock', () => {
		const file = record('edited.jsonl', stopped.filter(e => e !== foreign));
		const lines = readFileSync(file, 'utf8').split('\n');
		lines[1] = lines[1]!.replace('"shop"', '"shoq"');
		writeFileSync(file, lines.join('\n'));
		const resume = cutover(['resume', file, '--plain', '--confirm-db', 'shop']);
		assert.equal(resume.code, 1, resume.stdout + resume.stderr);
		assert.match(resume.stderr, /cannot resume .*edited\.jsonl: line 3: its prev .* line 2 was changed/);
		noStack(resume.stderr);
	});
});
