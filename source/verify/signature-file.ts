import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {sshFingerprint} from '../signing/ed25519.js';
import {signaturePath} from '../signing/record-files.js';
import {parseSshsig, SSHSIG_NAMESPACE, sshsigVerify} from '../signing/sshsig.js';
import type {TrustedKey} from './trusted-keys.js';

/** The SSHSIG a finished record carries: same key as the checkpoints, over every byte of the journal. Returns a problem or null. */
export function checkSignatureFile(record: string, bytes: Buffer, signerKeyId: string, trusted: readonly TrustedKey[]): string | null {
	const file = signaturePath(record);
	const name = path.basename(file);
	if (!existsSync(file)) {
		return `${name} is missing: a finished signed record has an SSH signature next to it`;
	}

	let parsed;
	try {
		parsed = parseSshsig(readFileSync(file, 'utf8'));
	} catch (error) {
		return `${name} is not a valid SSH signature: ${error instanceof Error ? error.message : String(error)}`;
	}

	const keyId = sshFingerprint(parsed.publicKey);
	if (!trusted.some(k => k.keyId === keyId)) {
		return `${name} is signed by ${keyId}, which is not a trusted key`;
	}

	if (keyId !== signerKeyId) {
		return `${name} is signed by ${keyId}, but the record names ${signerKeyId} as its signer`;
	}

	if (parsed.namespace !== SSHSIG_NAMESPACE) {
		return `${name} is for namespace ${parsed.namespace}, not ${SSHSIG_NAMESPACE}`;
	}

	return sshsigVerify(parsed, bytes) ? null : `${name} does not verify: the record was changed after it was signed`;
}
