import {createPublicKey, type KeyObject} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {CutoverError} from '../errors/index.js';
import {rawFromSshBlob, rawPublicKey, SSH_ED25519, sshFingerprint} from '../signing/ed25519.js';
import {SSHSIG_NAMESPACE} from '../signing/sshsig.js';

/** A public key whose seals are believed. Never taken from the record itself: a forger writes that too. */
export type TrustedKey = {
	principal: string;
	keyId: string;
	publicKey: KeyObject;
	/** Where it was read from, for messages. */
	source: string;
};

/** Splits on whitespace (or `separator`) outside double quotes, as OpenSSH reads these files. */
function split(text: string, separator: RegExp): string[] {
	const parts: string[] = [];
	let current = '';
	let quoted = false;
	for (const char of text) {
		if (char === '"') {
			quoted = !quoted;
		}

		if (!quoted && separator.test(char)) {
			if (current !== '') {
				parts.push(current);
			}

			current = '';
		} else {
			current += char;
		}
	}

	if (current !== '') {
		parts.push(current);
	}

	return parts;
}

const fromRaw = (raw: Buffer, principal: string, source: string): TrustedKey => ({
	principal,
	keyId: sshFingerprint(raw),
	publicKey: createPublicKey({key: {kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url')}, format: 'jwk'}),
	source,
});

/**
 * Reads an allowed_signers file (`principals [options] ssh-ed25519 AAAA… [comment]`, see
 * ssh-keygen(1)), a bare `ssh-ed25519 AAAA…` line, or an SPKI PEM public key. Keys of other
 * types, certificate authorities and keys whose `namespaces=` leaves out cutover-record are skipped.
 */
export function parseTrustedKeys(text: string, source: string): TrustedKey[] {
	if (text.includes('-----BEGIN PUBLIC KEY-----')) {
		const key = createPublicKey(text);
		return key.asymmetricKeyType === 'ed25519' ? [fromRaw(rawPublicKey(key), 'public key', source)] : [];
	}

	const keys: TrustedKey[] = [];
	for (const [index, line] of text.split('\n').entries()) {
		const tokens = split(line.trim(), /\s/);
		if (tokens.length === 0 || tokens[0]?.startsWith('#')) {
			continue;
		}

		const at = tokens.indexOf(SSH_ED25519);
		const blob = tokens[at + 1];
		if (at < 0 || blob === undefined) {
			continue;
		}

		const principal = at === 0 ? '*' : tokens[0] ?? '*';
		const options = at > 1 ? split(tokens.slice(1, at).join(' '), /,/) : [];
		const namespaces = options.find(o => o.toLowerCase().startsWith('namespaces='));
		if (options.some(o => o.toLowerCase() === 'cert-authority')
			|| (namespaces !== undefined && !split(namespaces.slice('namespaces='.length).replaceAll('"', ''), /,/).includes(SSHSIG_NAMESPACE))) {
			continue;
		}

		try {
			keys.push(fromRaw(rawFromSshBlob(Buffer.from(blob, 'base64')), principal, `${source}:${index + 1}`));
		} catch (error) {
			throw new CutoverError(`${source} line ${index + 1} holds a malformed ssh-ed25519 key: ${error instanceof Error ? error.message : String(error)}`, {
				hint: 'copy the line again from cutover key export --format allowed-signers',
			});
		}
	}

	return keys;
}

export function readTrustedKeys(file: string): TrustedKey[] {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		throw new CutoverError(`cannot read the trusted keys ${file}: ${error instanceof Error ? error.message : String(error)}`, {
			hint: 'pass --trusted <allowed_signers file>, or set cutover config trustedKeys',
			cause: error,
		});
	}

	return parseTrustedKeys(text, file);
}
