import {createHash, createPublicKey, type KeyObject} from 'node:crypto';
import {sshString, WireReader} from './ssh-wire.js';

export const SSH_ED25519 = 'ssh-ed25519';

/** The raw 32-byte Ed25519 public key, which the SSH formats carry as is. */
export function rawPublicKey(key: KeyObject): Buffer {
	const jwk = key.export({format: 'jwk'});
	if (jwk.crv !== 'Ed25519' || jwk.x === undefined) {
		throw new Error(`not an Ed25519 key (${key.asymmetricKeyType ?? key.type})`);
	}

	return Buffer.from(jwk.x, 'base64url');
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
	if (raw.length !== 32) {
		throw new Error(`an Ed25519 public key is 32 bytes, this one is ${raw.length}`);
	}

	return createPublicKey({key: {kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url')}, format: 'jwk'});
}

/** The key as SSH puts it on the wire: string "ssh-ed25519", string key. */
export const sshPublicKeyBlob = (raw: Buffer) => Buffer.concat([sshString(SSH_ED25519), sshString(raw)]);

/** `ssh-ed25519 AAAA…`, the form authorized_keys and allowed_signers files hold. */
export const sshPublicKeyLine = (raw: Buffer) => `${SSH_ED25519} ${sshPublicKeyBlob(raw).toString('base64')}`;

/** The fingerprint `ssh-keygen -l` prints: SHA256 of the wire blob, base64 without padding. */
export const sshFingerprint = (raw: Buffer) => `SHA256:${createHash('sha256').update(sshPublicKeyBlob(raw)).digest('base64').replace(/=+$/, '')}`;

/** The raw key inside an SSH wire blob; throws when the blob is not an Ed25519 key. */
export function rawFromSshBlob(blob: Buffer): Buffer {
	const reader = new WireReader(blob);
	const type = reader.string('key type').toString('utf8');
	if (type !== SSH_ED25519) {
		throw new Error(`key type ${type} is not ${SSH_ED25519}`);
	}

	const raw = reader.string('key');
	if (!reader.done || raw.length !== 32) {
		throw new Error('malformed ssh-ed25519 key');
	}

	return raw;
}

export const spkiPem = (key: KeyObject) => key.export({format: 'pem', type: 'spki'}).toString();
