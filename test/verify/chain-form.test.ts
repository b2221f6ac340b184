import fc from 'fast-check';
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {describe, it} from 'node:test';
import type {Entry, RunEvent} from '../../source/engine/events.js';
import {canonicalJson} from '../../source/journal/canonical-json.js';
import {encodeLine, GENESIS, type JournalLine} from '../../source/journal/line.js';
import {checkChain} from '../../source/verify/chain.js';
import {started} from '../support/run-fixtures.js';
import {byteMutation, FUZZ_RUNS, mutateBytes} from '../support/fuzz.js';

// Events whose text is hard on a canonical check: integer-like keys (an object lists them first,
// in numeric order, where canonical JSON sorts them as text), characters outside ASCII, a line
// separator and a lone surrogate (both written escaped or not exactly as JSON.stringify does).
const events: RunEvent[] = [
	started,
	{type: 'backup.started', path: '/backups/é-1.db', method: 'sqlite online backup'},
	{type: 'backup.progress', progress: {bytes: 4096, estimatedBytes: 8192, pagesDone: 1, pagesTotal: 2}},
	{type: 'backup.finished', artifact: {path: '/backups/é-1.db', format: 'sqlite-file', bytes: 8192, sha256: 'ab'.repeat(32), sourceCounts: {'10': 1, '9': 2, 'z': 3, 'Ω': 4, '\u2028': 5, '\uDC00': 6}}, durationMs: 900},
	{type: 'run.finished', outcome: 'abandoned', versionBefore: null, versionAfter: null},
];

function journal(): Buffer {
	let prev = GENESIS;
	let text = '';
	for (const [seq, event] of events.entries()) {
		const line = encodeLine('r-7f3a9c21-0d4e', {seq, at: 1_700_000_000_000 + seq, event} satisfies Entry, prev);
		prev = createHash('sha256').update(line).digest('hex');
		text += `${line}\n`;
	}

	return Buffer.from(text, 'utf8');
}

/** The plain reading checkChain must agree with: each line decoded on its own, parsed, encoded again and compared. */
function reference(bytes: Buffer): {hashes: string[]; ends: number[]; torn: boolean; problem: string | null} {
	const hashes: string[] = [];
	const ends: number[] = [];
	let start = 0;
	let prev = GENESIS;
	let runId: unknown;
	for (let n = 1; start < bytes.length; n++) {
		const newline = bytes.indexOf(0x0A, start);
		if (newline < 0) {
			return {hashes, ends, torn: true, problem: null};
		}

		const raw = bytes.subarray(start, newline);
		const text = raw.toString('utf8');
		const fail = (what: string) => ({hashes, ends, torn: false, problem: `line ${n}: ${what}`});
		let line: JournalLine;
		try {
			line = JSON.parse(text) as JournalLine;
		} catch {
			return fail('is not JSON');
		}

		if (line === null || typeof line !== 'object' || canonicalJson(line) !== text || !Buffer.from(text, 'utf8').equals(raw)) {
			return fail('is not in canonical form');
		}

		runId ??= line.runId;
		if (line.v !== 1 || (n === 1 && line.kind !== 'run.started') || line.runId !== runId || line.seq !== n - 1
			|| typeof line.event !== 'object' || line.kind !== line.event.type || line.prev !== prev) {
			return fail('other');
		}

		prev = createHash('sha256').update(raw).digest('hex');
		hashes.push(prev);
		ends.push(newline + 1);
		start = newline + 1;
	}

	return {hashes, ends, torn: false, problem: null};
}

/** checkChain's answer in the reference's terms: the line a problem names and its class, not its wording. */
function reading(bytes: Buffer): ReturnType<typeof reference> {
	const chain = checkChain(bytes);
	const problem = chain.problem === null
		? null
		: /^line \d+: (is not JSON|is not in canonical form)/.exec(chain.problem)?.[0] ?? `${/^line \d+: /.exec(chain.problem)?.[0]}other`;
	return {hashes: chain.lines.map(l => l.hash), ends: chain.lines.map(l => l.end), torn: chain.torn, problem};
}

describe('checkChain reads a line the way it was written', () => {
	it('accepts canonical lines with integer-like keys, non-ASCII text and escaped characters', () => {
		const bytes = journal();
		const chain = checkChain(bytes);
		assert.equal(chain.problem, null);
		assert.equal(chain.torn, false);
		assert.equal(chain.lines.length, events.length);
		assert.deepEqual(reading(bytes), reference(bytes));
		assert.deepEqual(chain.lines[3]!.line.event, events[3]);
	});

	const line4 = (bytes: Buffer) => bytes.toString('utf8').split('\n')[3]!;
	const edits: Array<[string, (text: string) => string]> = [
		// In the order an object lists them, so JSON.stringify of the parsed line gives the line back.
		['integer-like keys in numeric order', text => text.replace('"10":1,"9":2', '"9":2,"10":1')],
		['keys out of order', text => text.replace('"bytes":8192,"format":"sqlite-file"', '"format":"sqlite-file","bytes":8192')],
		['a space after a colon', text => text.replace('"bytes":', '"bytes": ')],
		['an escape JSON.stringify does not write', text => text.replace('Ω', String.raw`\u03a9`)],
		['a line separator escaped, which JSON.stringify writes raw', text => text.replace('\u2028', String.raw`\u2028`)],
		['an upper-case surrogate escape', text => text.replace(String.raw`\udc00`, String.raw`\uDC00`)],
		['a number in exponent form', text => text.replace('"durationMs":900', '"durationMs":9E2')],
		['a key twice', text => text.replace('"durationMs":900', '"durationMs":1,"durationMs":900')],
	];
	for (const [what, edit] of edits) {
		it(`refuses ${what}, naming line 4`, () => {
			const bytes = journal();
			const before = line4(bytes);
			const after = edit(before);
			assert.notEqual(after, before, 'the edit changes the line');
			const edited = Buffer.from(bytes.toString('utf8').replace(before, after), 'utf8');
			assert.match(checkChain(edited).problem ?? '', /^line 4: is not in canonical form/);
			assert.deepEqual(reading(edited), reference(edited));
		});
	}

	it('names the line that holds bytes that are not UTF-8, after the lines above it', () => {
		const bytes = journal();
		const at = bytes.indexOf('é-1.db');
		const edited = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xC3, 0x28]), bytes.subarray(at + 2)]);
		const chain = checkChain(edited);
		assert.match(chain.problem ?? '', /^line 2: is not in canonical form/);
		assert.equal(chain.lines.length, 1);
	});

	it('agrees with the plain reading on damaged records', () => {
		const bytes = journal();
		fc.assert(fc.property(fc.array(byteMutation, {minLength: 1, maxLength: 4}), mutations => {
			const damaged = mutateBytes(bytes, mutations);
			assert.deepEqual(reading(damaged), reference(damaged));
		}), {numRuns: FUZZ_RUNS * 5});
	});
});
