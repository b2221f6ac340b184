import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import type {EventOf} from '../engine/events.js';
import {checkpointsPath, signaturePath} from '../signing/record-files.js';
import {isKnownKind} from '../engine/event-kinds.js';
import {checkChain, linkedLines, type ChainedLine} from './chain.js';
import {checkCheckpoints} from './checkpoints.js';
import {checkSignatureFile} from './signature-file.js';
import type {TrustedKey} from './trusted-keys.js';

export type VerifyOptions = {
	trusted: readonly TrustedKey[];
	/** Accept a record that names no signer (only its hash chain can be checked). */
	allowUnsigned: boolean;
	/** Parse and check the form of every line (canonical JSON, seq, run id, kind) even where trusted seals vouch for every byte. */
	everyLine?: boolean;
};

/** What verification found in one record; `problem` is the first thing that does not hold, naming the line, checkpoint or file. */
/** null when absent, the value when it has these string fields, undefined when it is something else. */
function wellFormed<T extends string>(value: unknown, fields: readonly T[]): Record<T, string> | null | undefined {
	if (value === null || value === undefined) {
		return null;
	}

	return typeof value === 'object' && fields.every(f => typeof (value as Record<string, unknown>)[f] === 'string') ? value as Record<T, string> : undefined;
}

export type RecordReport = {
	path: string;
	name: string;
	problem: string | null;
	lines: number;
	/** sha256 of each line, in order: what a later record's `previousRecord.head` may name. */
	lineHashes: string[];
	previousRecord: {file: string; head: string} | null;
	signer: {keyId: string; publicKey: string} | null;
	/** The trusted key that vouches for it, when signed and verified. */
	trustedAs: TrustedKey | null;
	checkpoints: number;
	end: 'finished' | 'interrupted' | 'incomplete';
	notes: string[];
};

/**
 * Verifies one record on its own: the chain of every line, every checkpoint against the
 * trusted keys and the bytes it seals, that the end is sealed, and for a finished record the
 * SSHSIG. The cross-run link is checked by the caller, which knows the other records.
 */
export function verifyRecord(file: string, options: VerifyOptions): RecordReport {
	const bytes = readBytes(file);
	return (bytes === null || options.everyLine === true ? null : sealedWhole(file, bytes, options)) ?? checkEveryLine(file, bytes, options);
}

/**
 * A record whose every byte is sealed by trusted checkpoints (and, finished, by its SSH
 * signature) and whose hash chain holds: the report, without each line parsed and its form
 * checked. The signer's cutover wrote those lines and the seals show they are what it sealed; the
 * chain still catches a line changed on disk before a seal took it. Anything short of that:
 * null, and checkEveryLine checks every line and names what does not hold.
 */
function sealedWhole(file: string, bytes: Buffer, options: VerifyOptions): RecordReport | null {
	const sidecar = checkpointsPath(file);
	const lines = existsSync(sidecar) ? linkedLines(bytes) : null;
	const first = lines?.[0];
	const last = lines?.at(-1);
	if (lines === null || first === undefined || last === undefined || first.kind !== 'run.started') {
		return null;
	}

	let started: EventOf<'run.started'>;
	try {
		started = first.line.event as EventOf<'run.started'>;
	} catch {
		return null;
	}

	const previous = wellFormed(started.previousRecord, ['file', 'head']);
	const signer = wellFormed(started.signer, ['keyId', 'publicKey']);
	const end = last.kind === 'run.finished' ? 'finished' : last.kind === 'run.interrupted' ? 'interrupted' : null;
	if (previous === undefined || signer === undefined || signer === null || end === null || typeof started.runId !== 'string') {
		return null;
	}

	const sealed = checkCheckpoints(readFileSync(sidecar, 'utf8'), {bytes, lines, runId: started.runId, signerKeyId: signer.keyId, trusted: options.trusted});
	if (sealed.problem !== null || sealed.sealedThrough !== lines.length - 1 || last.end !== bytes.length) {
		return null;
	}

	if (end === 'finished' && checkSignatureFile(file, bytes, signer.keyId, options.trusted) !== null) {
		return null;
	}

	const notes = unknownKinds(lines);
	return {
		path: file,
		name: path.basename(file),
		problem: null,
		lines: lines.length,
		lineHashes: lines.map(l => l.hash),
		previousRecord: previous,
		signer,
		trustedAs: sealed.key,
		checkpoints: sealed.count,
		end,
		notes: end === 'interrupted' ? [...notes, interruptedNote] : notes,
	};
}

const interruptedNote = 'interrupted: cutover resume continues it; the SSH signature comes when it finishes';

/** Every line parsed and checked, then the seals: names the first line, checkpoint or file that does not hold. */
function checkEveryLine(file: string, bytes: Buffer | null, options: VerifyOptions): RecordReport {
	const chain = checkChain(bytes ?? Buffer.alloc(0));
	const lines = chain.lines;
	const started = lines[0]?.line.event as EventOf<'run.started'> | undefined;
	const lastLine = lines.at(-1);
	const lastKind = lastLine?.kind;
	const previous = wellFormed(started?.previousRecord, ['file', 'head']);
	const signer = wellFormed(started?.signer, ['keyId', 'publicKey']);
	const report: RecordReport = {
		path: file,
		name: path.basename(file),
		problem: chain.problem,
		lines: lines.length,
		lineHashes: lines.map(l => l.hash),
		previousRecord: previous ?? null,
		signer: signer ?? null,
		trustedAs: null,
		checkpoints: 0,
		end: lastKind === 'run.finished' ? 'finished' : lastKind === 'run.interrupted' ? 'interrupted' : 'incomplete',
		notes: unknownKinds(lines),
	};
	const fail = (problem: string) => ({...report, problem});
	if (started !== undefined && (previous === undefined || signer === undefined)) {
		return fail('line 1 (run.started) names its signer or the record before it in a shape cutover does not write: it was edited');
	}

	if (bytes === null) {
		return fail('cannot be read (a directory, or not readable by this user)');
	}

	if (report.problem !== null) {
		return report;
	}

	if (started === undefined || lastLine === undefined) {
		return fail(bytes.length === 0 ? 'the record is empty' : 'line 1 is cut short: the record holds no complete line');
	}

	const sidecar = checkpointsPath(file);
	if (report.signer === null) {
		if (existsSync(sidecar) || existsSync(signaturePath(file))) {
			return fail(`line 1 names no signer, yet ${path.basename(sidecar)} or a .sig lies next to it: line 1 was rewritten`);
		}

		const unsigned = 'unsigned: the record names no signer, so only its hash chain was checked, and anyone able to write the file could have rewritten it whole';
		return options.allowUnsigned ? {...report, notes: [...report.notes, unsigned]} : fail(`${unsigned} (pass --allow-unsigned to accept that)`);
	}

	if (!existsSync(sidecar)) {
		return fail(`${path.basename(sidecar)} is missing, but line 1 names ${report.signer.keyId} as the signer`);
	}

	const sealed = checkCheckpoints(readFileSync(sidecar, 'utf8'), {
		bytes,
		lines,
		runId: started.runId,
		signerKeyId: report.signer.keyId,
		trusted: options.trusted,
	});
	report.checkpoints = sealed.count;
	report.trustedAs = sealed.key;
	if (sealed.problem !== null) {
		return fail(sealed.problem);
	}

	const through = sealed.sealedThrough === null ? 'no line is sealed' : `lines 1–${sealed.sealedThrough + 1} are sealed and verify`;
	if (chain.torn || report.end === 'incomplete') {
		return fail(`the record ends at line ${lines.length} (${lastKind}) without run.finished or run.interrupted${chain.torn ? ', then a line cut short' : ''}: the run crashed, is still running, or its tail was cut off; ${through}`);
	}

	if (sealed.sealedThrough !== lastLine.line.seq) {
		return fail(`line ${lines.length} (${lastKind}) is not sealed by any checkpoint; ${through}`);
	}

	if (report.end === 'finished') {
		const problem = checkSignatureFile(file, bytes, report.signer.keyId, options.trusted);
		if (problem !== null) {
			return fail(problem);
		}
	} else {
		report.notes.push(interruptedNote);
	}

	return report;
}

function readBytes(file: string): Buffer | null {
	try {
		return readFileSync(file);
	} catch {
		return null;
	}
}

/**
 * Kinds a newer cutover may write: their bytes are under the chain and the seals like any
 * line's, so they verify; only their meaning is beyond this version, and the note says so.
 */
function unknownKinds(lines: readonly ChainedLine[]): string[] {
	// A loop, not flatMap: no array made per line of a long record.
	const unknown: string[] = [];
	for (let i = 0; i < lines.length; i++) {
		if (!isKnownKind(lines[i]!.kind)) {
			unknown.push(`line ${i + 1} (${lines[i]!.kind})`);
		}
	}

	return unknown.length === 0 ? [] : [`${unknown.length} line${unknown.length === 1 ? ' holds an event' : 's hold events'} of a kind this cutover does not know (a newer version wrote ${unknown.length === 1 ? 'it' : 'them'}?): ${unknown.join(', ')}; verified as bytes, not read`];
}
