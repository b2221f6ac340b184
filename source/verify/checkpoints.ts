import {createHash} from 'node:crypto';
import type {CheckpointStatement} from '../signing/checkpoint.js';
import {CHECKPOINT_PREDICATE_TYPE, STATEMENT_TYPE} from '../signing/checkpoint.js';
import {IN_TOTO_PAYLOAD_TYPE, verifyEnvelopeSignature, type DsseEnvelope} from '../signing/dsse.js';
import type {ChainedLine} from './chain.js';
import type {TrustedKey} from './trusted-keys.js';

export type CheckpointsResult = {
	count: number;
	/** The seq the last checkpoint seals through, or null when there is none. */
	sealedThrough: number | null;
	/** The trusted key that signed them. */
	key: TrustedKey | null;
	problem: string | null;
};

type Context = {
	bytes: Buffer;
	/** sha256 (hex) of the first `length` bytes. */
	prefixDigest(length: number): string;
	lines: ChainedLine[];
	runId: string;
	signerKeyId: string;
	trusted: readonly TrustedKey[];
};

/** Finds the trusted key behind one of the envelope's signatures, or says why there is none. */
function signedBy(envelope: DsseEnvelope, context: Context): TrustedKey | string {
	const signatures = Array.isArray(envelope.signatures) ? envelope.signatures : [];
	for (const {keyid, sig} of signatures) {
		const candidates = context.trusted.filter(k => k.keyId === keyid);
		const key = candidates.find(k => verifyEnvelopeSignature(envelope, sig, k.publicKey));
		if (key !== undefined) {
			return key;
		}

		if (candidates.length > 0) {
			return 'its signature does not verify: the checkpoint was changed after it was signed';
		}
	}

	const ids = signatures.map(s => s.keyid).join(', ') || 'no key';
	return context.trusted.length === 0
		? `it is signed by ${ids}, and no trusted keys are configured`
		: `it is signed by ${ids}, which is not a trusted key`;
}

/** Checks one checkpoint against the journal's bytes; returns its seq or a problem. */
function checkOne(text: string, context: Context): {seq: number; key: TrustedKey} | string {
	let envelope: DsseEnvelope;
	try {
		envelope = JSON.parse(text) as DsseEnvelope;
	} catch {
		return 'it is not JSON';
	}

	if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE || typeof envelope.payload !== 'string') {
		return `it is not a DSSE envelope of an in-toto statement (payloadType ${String(envelope.payloadType)})`;
	}

	const key = signedBy(envelope, context);
	if (typeof key === 'string') {
		return key;
	}

	if (key.keyId !== context.signerKeyId) {
		return `it is signed by ${key.keyId}, but the record names ${context.signerKeyId} as its signer`;
	}

	let statement: CheckpointStatement;
	try {
		statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as CheckpointStatement;
	} catch {
		return 'its payload is not JSON';
	}

	const {predicate} = statement;
	const digest = statement.subject?.[0]?.digest?.sha256;
	if (statement._type !== STATEMENT_TYPE || statement.predicateType !== CHECKPOINT_PREDICATE_TYPE || typeof predicate !== 'object' || typeof digest !== 'string') {
		return `it is not a cutover checkpoint statement (${String(statement._type)}, ${String(statement.predicateType)})`;
	}

	if (predicate.runId !== context.runId) {
		return `it seals run ${predicate.runId}, not this record's run ${context.runId}`;
	}

	const line = context.lines[predicate.seq];
	if (predicate.bytes > context.bytes.length) {
		return `it seals ${predicate.bytes} bytes through seq ${predicate.seq}, but the record holds ${context.bytes.length}: its tail was cut off`;
	}

	if (line === undefined) {
		return `it seals seq ${predicate.seq}, which is not in the record: lines were removed`;
	}

	if (line.end !== predicate.bytes) {
		return `it seals ${predicate.bytes} bytes through seq ${predicate.seq}, but line ${predicate.seq + 1} ends at byte ${line.end}: lines before it changed length`;
	}

	if (line.hash !== predicate.head) {
		return `it does not match line ${predicate.seq + 1} (seq ${predicate.seq}, its chain head): that line was changed`;
	}

	if (context.prefixDigest(predicate.bytes) !== digest) {
		return `it does not match the record's first ${predicate.bytes} bytes (through line ${predicate.seq + 1}): they were changed`;
	}

	return {seq: predicate.seq, key};
}

/**
 * Digests of ever longer prefixes from one running hash: checkpoints seal growing prefixes, in
 * order, so the record is read once however many there are. A shorter prefix (checkpoints out
 * of order, which is then reported) is hashed on its own.
 */
function prefixDigests(bytes: Buffer): (length: number) => string {
	const running = createHash('sha256');
	let hashed = 0;
	return length => {
		if (length < hashed) {
			return createHash('sha256').update(bytes.subarray(0, length)).digest('hex');
		}

		running.update(bytes.subarray(hashed, length));
		hashed = length;
		return running.copy().digest('hex');
	};
}

/** Every checkpoint in the sidecar, in order: each signed by a trusted key and matching the journal it seals. */
export function checkCheckpoints(text: string, journal: Omit<Context, 'prefixDigest'>): CheckpointsResult {
	const context: Context = {...journal, prefixDigest: prefixDigests(journal.bytes)};
	const envelopes = text.split('\n').filter(l => l !== '');
	let sealedThrough: number | null = null;
	let key: TrustedKey | null = null;
	for (const [i, envelope] of envelopes.entries()) {
		const result = checkOne(envelope, context);
		if (typeof result === 'string') {
			return {count: i, sealedThrough, key, problem: `checkpoint ${i + 1}${sealedThrough === null ? '' : ` (after seq ${sealedThrough})`}: ${result}`};
		}

		if (sealedThrough !== null && result.seq <= sealedThrough) {
			return {count: i, sealedThrough, key, problem: `checkpoint ${i + 1} seals seq ${result.seq}, not after seq ${sealedThrough}: checkpoints were reordered`};
		}

		sealedThrough = result.seq;
		key = result.key;
	}

	return {count: envelopes.length, sealedThrough, key, problem: null};
}
