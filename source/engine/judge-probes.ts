import type {Cell, Evidence, Verdict} from './model.js';
import {redact, type TextMatch} from './probes.js';

/**
 * What a probe's answer must be:
 * - http: the status is one of `status`; the body, when `body` is given, contains or matches it
 * - command: the exit code is one of `exit`; stdout, when `stdout` is given, contains or matches it
 */
export type ProbeExpectation =
	| {kind: 'http'; status: number[]; body?: TextMatch}
	| {kind: 'command'; exit: number[]; stdout?: TextMatch};

/** What an HTTP server answered, the body read whole up to a limit. */
export type HttpAnswer = {status: number; statusText: string; headers: Array<[string, string]>; body: string; bodyTruncated: boolean};

/** What a command left: its exit code (null when a signal ended it), stdout alone, and stdout with stderr interleaved by line. */
export type CommandAnswer = {exitCode: number | null; signal: string | null; stdout: string; output: string};

type Judged = {verdict: Verdict; detail: string; evidence: Evidence};

/** How much of a body the evidence keeps: enough to recognise a page or an error, not a dump. */
export const BODY_EVIDENCE_CHARS = 200;
/** The last lines of a command's output the evidence keeps unless the check says `evidence: N`. */
export const COMMAND_EVIDENCE_LINES = 4;
/** Response headers worth seeing when a probe fails: what it is, where it sends you, why it refuses. */
const SHOWN_HEADERS = ['content-type', 'location', 'www-authenticate', 'retry-after'];

export function describeProbe(expect: ProbeExpectation): string {
	if (expect.kind === 'http') {
		return `status ${alternatives(expect.status)}${expect.body ? `, body ${matchWords(expect.body)}` : ''}`;
	}

	return `exit ${alternatives(expect.exit)}${expect.stdout ? `, stdout ${matchWords(expect.stdout)}` : ''}`;
}

/** Judges the whole answer; the evidence (status, a few headers, the body's start) has every secret replaced by ***. */
export function judgeHttp(expect: Extract<ProbeExpectation, {kind: 'http'}>, answer: HttpAnswer, secrets: readonly string[]): Judged {
	const rows: Cell[][] = [['status', `${answer.status}${answer.statusText === '' ? '' : ` ${answer.statusText}`}`]];
	// Hidden before it is cut: a secret straddling the cut would otherwise leave its first characters.
	const body = redact(answer.body, secrets);
	const start = body.slice(0, BODY_EVIDENCE_CHARS);
	rows.push(['body', body === '' ? '(empty)' : `${start}${body.length > BODY_EVIDENCE_CHARS || answer.bodyTruncated ? '…' : ''}`]);
	for (const name of SHOWN_HEADERS) {
		const value = answer.headers.find(([n]) => n.toLowerCase() === name)?.[1];
		if (value !== undefined) {
			rows.push([name, value]);
		}
	}

	const evidence = probeEvidence(rows, secrets);
	const status = `status ${answer.status}`;
	if (!expect.status.includes(answer.status)) {
		return {verdict: 'failed', detail: `${status}, expected ${alternatives(expect.status)}`, evidence};
	}

	if (expect.body !== undefined) {
		const found = matches(expect.body, answer.body);
		if (typeof found === 'string') {
			return {verdict: 'error', detail: found, evidence};
		}

		const words = matchWords(expect.body);
		if (!found) {
			return {verdict: 'failed', detail: `${status}, but the body does not ${words.replace(/^contains/, 'contain').replace(/^matches/, 'match')}${answer.bodyTruncated ? ' (in the part read)' : ''}`, evidence};
		}

		return {verdict: 'passed', detail: `${status}, body ${words}`, evidence};
	}

	return {verdict: 'passed', detail: status, evidence};
}

/** Judges the exit code and stdout; the evidence is the exit code and the output's last lines. */
export function judgeCommand(expect: Extract<ProbeExpectation, {kind: 'command'}>, answer: CommandAnswer, lines = COMMAND_EVIDENCE_LINES): Judged {
	const evidence = commandEvidence(answer.exitCode === null ? `killed by ${answer.signal ?? 'a signal'}` : answer.exitCode, answer.output, lines);
	if (answer.exitCode === null) {
		return {verdict: 'failed', detail: `ended by ${answer.signal ?? 'a signal'}, expected exit ${alternatives(expect.exit)}`, evidence};
	}

	const exit = `exit ${answer.exitCode}`;
	if (!expect.exit.includes(answer.exitCode)) {
		return {verdict: 'failed', detail: `${exit}, expected ${alternatives(expect.exit)}`, evidence};
	}

	if (expect.stdout !== undefined) {
		const found = matches(expect.stdout, answer.stdout);
		if (typeof found === 'string') {
			return {verdict: 'error', detail: found, evidence};
		}

		const words = matchWords(expect.stdout);
		return found
			? {verdict: 'passed', detail: `${exit}, stdout ${words}`, evidence}
			: {verdict: 'failed', detail: `${exit}, but stdout does not ${words.replace(/^contains/, 'contain').replace(/^matches/, 'match')}`, evidence};
	}

	return {verdict: 'passed', detail: exit, evidence};
}

/** The exit code (or how it ended) and the last `lines` lines of output, as rows (what, value). */
export function commandEvidence(exit: Cell, output: string, lines = COMMAND_EVIDENCE_LINES): Evidence {
	const all = output.replace(/\r?\n$/, '').split(/\r?\n/).filter((line, i, list) => !(list.length === 1 && line === ''));
	const kept = all.slice(-lines);
	const rows: Cell[][] = [['exit', exit], ...kept.map((line): Cell[] => ['output', line])];
	// How much was left out goes in the heading: a row more would push the last line off the screen.
	const cut = all.length > kept.length;
	return {columns: ['what', cut ? `value (output: the last ${kept.length} of ${all.length} lines)` : 'value'], rows, total: rows.length, truncated: cut};
}

/** Rows (what, value) with every secret replaced by ***. */
export function probeEvidence(rows: Cell[][], secrets: readonly string[]): Evidence {
	const clean = rows.map(row => row.map(cell => typeof cell === 'string' ? redact(cell, secrets) : cell));
	return {columns: ['what', 'value'], rows: clean, total: clean.length, truncated: false};
}

function matches(match: TextMatch, text: string): boolean | string {
	if (match.kind === 'contains') {
		return text.includes(match.text);
	}

	try {
		return new RegExp(match.source, match.flags).test(text);
	} catch (error) {
		// The checklist compiled it on load; a record from elsewhere may hold one that does not.
		return `the pattern /${match.source}/ does not compile: ${error instanceof Error ? error.message : String(error)}`;
	}
}

function matchWords(match: TextMatch): string {
	return match.kind === 'contains' ? `contains ${JSON.stringify(match.text)}` : `matches /${match.source}/${match.flags}`;
}

function alternatives(values: readonly number[]): string {
	return values.length === 1 ? String(values[0]) : `${values.slice(0, -1).join(', ')} or ${String(values.at(-1))}`;
}
