import {createHash} from 'node:crypto';
import type {JournalLine} from '../journal/line.js';
import {GENESIS, JOURNAL_FORMAT} from '../journal/line.js';
import {canonicalJson} from '../journal/canonical-json.js';

export type ChainedLine = {
	line: JournalLine;
	/** sha256 of the line's exact bytes: what the next line's `prev` must be. */
	hash: string;
	/** Byte offset just past this line's newline. */
	end: number;
};

export type Chain = {lines: ChainedLine[]; torn: boolean; problem: string | null};

const short = (hash: unknown) => typeof hash === 'string' ? `${hash.slice(0, 12)}…` : String(hash);

/**
 * Checks every line of a journal, in order, and stops at the first that does not hold:
 * JSON, canonical, format version, run id, seq, kind, and `prev` = sha256 of the line above.
 * Line numbers in messages are 1-based, as an editor shows them.
 */
export function checkChain(bytes: Buffer): Chain {
	const lines: ChainedLine[] = [];
	let start = 0;
	let prev = GENESIS;
	for (let n = 1; start < bytes.length; n++) {
		const newline = bytes.indexOf(0x0A, start);
		if (newline < 0) {
			return {lines, torn: true, problem: null};
		}

		const raw = bytes.subarray(start, newline);
		const text = raw.toString('utf8');
		const fail = (what: string) => ({lines, torn: false, problem: `line ${n}: ${what}`});
		let line: JournalLine;
		try {
			line = JSON.parse(text) as JournalLine;
		} catch {
			return fail('is not JSON (changed, or cut and joined)');
		}

		if (line === null || typeof line !== 'object' || canonicalJson(line) !== text || !Buffer.from(text, 'utf8').equals(raw)) {
			return fail('is not in canonical form: it was edited after it was written');
		}

		const first = lines[0]?.line;
		if (line.v !== JOURNAL_FORMAT) {
			return fail(`has format version ${String(line.v)}; this cutover reads version ${JOURNAL_FORMAT}`);
		}

		if (n === 1 && line.kind !== 'run.started') {
			return fail(`is ${String(line.kind)}, but a record starts with run.started: its first line is missing`);
		}

		if (first !== undefined && line.runId !== first.runId) {
			return fail(`belongs to run ${String(line.runId)}, not ${first.runId}: lines from another record were mixed in`);
		}

		if (line.seq !== n - 1) {
			return fail(`has seq ${String(line.seq)} where seq ${n - 1} belongs: ${line.seq > n - 1 ? 'a line before it is missing (removed, or moved below)' : 'it was moved up here, or repeated'}`);
		}

		if (line.event === null || typeof line.event !== 'object' || line.kind !== line.event.type) {
			return fail(`says kind ${String(line.kind)} but holds a ${String((line.event as {type?: unknown} | null)?.type)} event`);
		}

		if (line.prev !== prev) {
			return fail(n === 1
				? `its prev is ${short(line.prev)}, not 64 zeros: lines before it were removed`
				: `its prev (${short(line.prev)}) is not the sha256 of line ${n - 1} (${short(prev)}): line ${n - 1} was changed, or lines between them were removed or reordered`);
		}

		prev = createHash('sha256').update(raw).digest('hex');
		lines.push({line, hash: prev, end: newline + 1});
		start = newline + 1;
	}

	return {lines, torn: false, problem: null};
}
