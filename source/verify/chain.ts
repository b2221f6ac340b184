import {isUtf8} from 'node:buffer';
import * as crypto from 'node:crypto';
import type {JournalLine} from '../journal/line.js';
import {GENESIS, JOURNAL_FORMAT} from '../journal/line.js';
import {canonicalJson} from '../journal/canonical-json.js';

export type ChainedLine = {
	/** The line, parsed when first asked for: verify needs only a few lines' contents, and a record's every line kept parsed was much of its garbage collection. */
	readonly line: JournalLine;
	readonly kind: string;
	/** sha256 of the line's exact bytes: what the next line's `prev` must be. */
	readonly hash: string;
	/** Byte offset just past this line's newline. */
	readonly end: number;
};

class CheckedLine implements ChainedLine {
	private parsed: JournalLine | undefined;
	constructor(private readonly text: string, readonly kind: string, readonly hash: string, readonly end: number) {}

	get line(): JournalLine {
		// checkChain parsed this text once already, so it parses.
		this.parsed ??= JSON.parse(this.text) as JournalLine;
		return this.parsed;
	}
}

export type Chain = {lines: ChainedLine[]; torn: boolean; problem: string | null};

const short = (hash: unknown) => typeof hash === 'string' ? `${hash.slice(0, 12)}…` : shown(hash);

// One-shot hashing (Node 20.12 and later) costs a third of a Hash object per line; older Node 20s build one.
const oneShot = (crypto as {hash?: (algorithm: string, data: Uint8Array | string, encoding: 'hex') => string}).hash;
const sha256Hex = oneShot === undefined
	? (data: Uint8Array | string) => crypto.createHash('sha256').update(data).digest('hex')
	: (data: Uint8Array | string) => oneShot('sha256', data, 'hex');

/** True when every object's keys, as JSON.parse laid them out, are in ascending UTF-16 order, as canonicalJson sorts them. */
function keysSorted(value: object): boolean {
	if (Array.isArray(value)) {
		for (const item of value as unknown[]) {
			if (typeof item === 'object' && item !== null && !keysSorted(item)) {
				return false;
			}
		}

		return true;
	}

	// for…in rather than Object.keys: no array per object. Anything it lists beyond the object's own
	// keys could only make this false, and canonicalJson then decides.
	let before: string | null = null;
	for (const key in value) {
		const item = (value as Record<string, unknown>)[key];
		if ((before !== null && before >= key) || (typeof item === 'object' && item !== null && !keysSorted(item))) {
			return false;
		}

		before = key;
	}

	return true;
}

/**
 * canonicalJson(value) === text, mostly without encoding the value in JavaScript: when the keys
 * are already in sorted order, JSON.stringify writes exactly what canonicalJson would, natively.
 * Otherwise (unsorted keys, or integer-like keys, which objects list first) canonicalJson decides.
 */
const isCanonical = (value: object, text: string) => (JSON.stringify(value) === text && keysSorted(value)) || canonicalJson(value) === text;

/**
 * Checks every line of a journal, in order, and stops at the first that does not hold:
 * JSON, canonical, format version, run id, seq, kind, and `prev` = sha256 of the line above.
 * Line numbers in messages are 1-based, as an editor shows them.
 */
export function checkChain(bytes: Buffer): Chain {
	const lines: ChainedLine[] = [];
	// Valid UTF-8 throughout, the record is decoded once and each line's text is a slice of it (a
	// newline byte is never part of a longer character); otherwise each line is decoded and must
	// encode back to its own bytes, which names the first line that holds invalid UTF-8.
	const whole = isUtf8(bytes) ? bytes.toString('utf8') : null;
	// All ASCII (as many records are), a character is a byte: the newline is found in the text
	// alone, where a Buffer's indexOf costs a call into its own JavaScript per line.
	const ascii = whole !== null && whole.length === bytes.length;
	let start = 0;
	let textStart = 0;
	let prev = GENESIS;
	let firstRunId: unknown;
	let kind = '';
	for (let n = 1; start < bytes.length; n++) {
		const newline = ascii ? whole.indexOf('\n', start) : bytes.indexOf(0x0A, start);
		if (newline < 0) {
			return {lines, torn: true, problem: null};
		}

		let text: string;
		if (whole === null) {
			text = bytes.toString('utf8', start, newline);
		} else if (ascii) {
			text = whole.slice(start, newline);
		} else {
			const textEnd = whole.indexOf('\n', textStart);
			text = whole.slice(textStart, textEnd);
			textStart = textEnd + 1;
		}

		let line: JournalLine;
		try {
			line = JSON.parse(text) as JournalLine;
		} catch {
			return failed(lines, n, 'is not JSON (changed, or cut and joined)');
		}

		if (line === null || typeof line !== 'object' || !isCanonical(line, text) || (whole === null && !Buffer.from(text, 'utf8').equals(bytes.subarray(start, newline)))) {
			return failed(lines, n, 'is not in canonical form: it was edited after it was written');
		}

		if (line.v !== JOURNAL_FORMAT) {
			return failed(lines, n, `has format version ${shown(line.v)}; this cutover reads version ${JOURNAL_FORMAT}`);
		}

		if (n === 1 && line.kind !== 'run.started') {
			return failed(lines, n, `is ${shown(line.kind)}, but a record starts with run.started: its first line is missing`);
		}

		if (n > 1 && line.runId !== firstRunId) {
			return failed(lines, n, `belongs to run ${shown(line.runId)}, not ${shown(firstRunId)}: lines from another record were mixed in`);
		}

		if (line.seq !== n - 1) {
			return failed(lines, n, `has seq ${shown(line.seq)} where seq ${n - 1} belongs: ${line.seq > n - 1 ? 'a line before it is missing (removed, or moved below)' : 'it was moved up here, or repeated'}`);
		}

		if (line.event === null || typeof line.event !== 'object' || line.kind !== line.event.type) {
			return failed(lines, n, `says kind ${shown(line.kind)} but holds a ${shown((line.event as {type?: unknown} | null)?.type)} event`);
		}

		if (line.prev !== prev) {
			return failed(lines, n, n === 1
				? `its prev is ${short(line.prev)}, not 64 zeros: lines before it were removed`
				: `its prev (${short(line.prev)}) is not the sha256 of line ${n - 1} (${short(prev)}): line ${n - 1} was changed, or lines between them were removed or reordered`);
		}

		if (n === 1) {
			firstRunId = line.runId;
		}

		// Valid UTF-8 decodes and encodes back to the same bytes: the text hashes as they do, and costs no Buffer view.
		prev = sha256Hex(whole === null ? bytes.subarray(start, newline) : text);
		// The kind of the line before, when it is the same: one string looked up many times is looked up fast (isKnownKind).
		if (line.kind !== kind) {
			kind = line.kind;
		}

		// Not kept parsed: a long record's every line held in memory was much of its garbage collection.
		lines.push(new CheckedLine(text, kind, prev, newline + 1));
		start = newline + 1;
	}

	return {lines, torn: false, problem: null};
}

/** The chain so far, stopped at line `n` for `what`. */
const failed = (lines: ChainedLine[], n: number, what: string): Chain => ({lines, torn: false, problem: `line ${n}: ${what}`});

/** A value read from a line, for a message: a string as it is, anything else as JSON (an object may have no usable toString). */
function shown(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

/** A line read by linkedLines: parsed only when asked, from its own bytes. */
class LinkedLine implements ChainedLine {
	private parsed: JournalLine | undefined;
	constructor(private readonly bytes: Buffer, private readonly start: number, readonly kind: string, readonly hash: string, readonly end: number) {}

	get line(): JournalLine {
		// The end is just past the newline.
		this.parsed ??= JSON.parse(this.bytes.toString('utf8', this.start, this.end - 1)) as JournalLine;
		return this.parsed;
	}
}

// Canonical JSON sorts a line's keys: at, event, kind, prev, runId, seq, v. The event comes first,
// so the last `,"kind":"` and `,"prev":"` of a line are its own (a `"` inside a string is escaped).
const KIND = ',"kind":"';
const PREV = ',"prev":"';

/**
 * The hash chain alone: every line's `prev` against the sha256 of the line above, read from the
 * bytes as they are, without parsing each line. null when any line does not hold or the last is
 * cut short: checkChain then names the first that does not. What this leaves to the seals (the
 * form of each line: canonical JSON, seq, run id, kind) is theirs to vouch for: verifyRecord
 * takes it only for a record whose every byte a trusted signature seals.
 */
export function linkedLines(bytes: Buffer): ChainedLine[] | null {
	// One byte a character: offsets in the text are offsets in the bytes, and the markers and the
	// values read (hex, event kinds) are ASCII.
	const text = bytes.toString('latin1');
	const lines: ChainedLine[] = [];
	let prev = GENESIS;
	let kind = '';
	for (let start = 0; start < text.length;) {
		const newline = text.indexOf('\n', start);
		const at = newline < 0 ? -1 : text.lastIndexOf(PREV, newline);
		const from = at + PREV.length;
		if (at < start || !text.startsWith(prev, from) || text.charCodeAt(from + 64) !== 0x22 || text.charCodeAt(at - 1) !== 0x22) {
			return null;
		}

		const k = text.lastIndexOf(KIND, at);
		if (k < start) {
			return null;
		}

		const own = text.slice(k + KIND.length, at - 1);
		// The same kind as the line before: one string looked up many times is looked up fast (isKnownKind).
		if (own !== kind) {
			kind = own;
		}

		prev = sha256Hex(bytes.subarray(start, newline));
		lines.push(new LinkedLine(bytes, start, kind, prev, newline + 1));
		start = newline + 1;
	}

	return lines;
}
