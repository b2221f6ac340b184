import {createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject} from 'node:crypto';
import {existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {CutoverError} from '../errors/index.js';
import {rawPublicKey, sshFingerprint, sshPublicKeyLine} from './ed25519.js';

/** An Ed25519 key pair that seals change records. */
export type SigningKey = {
	path: string;
	privateKey: KeyObject;
	publicKey: KeyObject;
	/** The raw 32-byte public key. */
	raw: Buffer;
	/** `SHA256:…`, as `ssh-keygen -l` prints it. */
	keyId: string;
	/** `ssh-ed25519 AAAA…` */
	sshLine: string;
};

/** What a record says about who seals it (the `signer` of `run.started`). */
export type Signer = {keyId: string; publicKey: string};

export const signerOf = (key: SigningKey): Signer => ({keyId: key.keyId, publicKey: key.sshLine});

function fromPrivate(file: string, privateKey: KeyObject): SigningKey {
	if (privateKey.asymmetricKeyType !== 'ed25519') {
		throw new CutoverError(`${file} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; cutover signs with Ed25519`, {
			hint: 'make one with cutover keygen, or point cutover config signingKey at an Ed25519 PKCS#8 key',
		});
	}

	const publicKey = createPublicKey(privateKey);
	const raw = rawPublicKey(publicKey);
	return {path: file, privateKey, publicKey, raw, keyId: sshFingerprint(raw), sshLine: sshPublicKeyLine(raw)};
}

/** Reads a PKCS#8 PEM private key; an unreadable or foreign key is an error, never a silent unsigned run. */
export function loadSigningKey(file: string): SigningKey {
	let privateKey: KeyObject;
	try {
		privateKey = createPrivateKey(readFileSync(file));
	} catch (error) {
		throw new CutoverError(`cannot read the signing key ${file}: ${error instanceof Error ? error.message : String(error)}`, {
			hint: 'check the file (an unencrypted PKCS#8 PEM key, as cutover keygen writes), or point cutover config signingKey elsewhere',
			cause: error,
		});
	}

	return fromPrivate(file, privateKey);
}

/** The configured key, or null when there is none. */
export const findSigningKey = (file: string): SigningKey | null => existsSync(file) ? loadSigningKey(file) : null;

/**
 * The configured key, made first (as cutover keygen makes it) when there is none: a change
 * record is signed unless the operator asks otherwise. `created` says the key is new, so the
 * caller tells where it is and its fingerprint.
 */
export function ensureSigningKey(file: string): {key: SigningKey; created: boolean} {
	const found = findSigningKey(file);
	if (found !== null) {
		return {key: found, created: false};
	}

	try {
		return {key: generateSigningKey(file), created: true};
	} catch (error) {
		// Another run made it in between: sign with that one.
		if (existsSync(file)) {
			return {key: loadSigningKey(file), created: false};
		}

		throw error;
	}
}

/** Makes a new key pair and writes the private key (PKCS#8 PEM, mode 0600); never overwrites a file. */
export function generateSigningKey(file: string): SigningKey {
	if (existsSync(file)) {
		throw new CutoverError(`${file} already exists; cutover keygen never overwrites a key`, {
			hint: 'records sealed with that key would no longer verify against a new one; pass --out <path> for another file',
		});
	}

	const {privateKey} = generateKeyPairSync('ed25519');
	mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
	// Written aside, then linked into place: link never replaces a file another process made since
	// the check, and nobody ever reads a half-written key.
	const pem = privateKey.export({format: 'pem', type: 'pkcs8'});
	const aside = `${file}.${process.pid}.tmp`;
	writeFileSync(aside, pem, {flag: 'wx', mode: 0o600});
	try {
		try {
			linkSync(aside, file);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') {
				throw error;
			}

			// A file system without hard links: 'wx' still refuses to replace a file.
			writeFileSync(file, pem, {flag: 'wx', mode: 0o600});
		}
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
			throw new CutoverError(`${file} already exists; cutover never overwrites a key`, {
				hint: 'records sealed with that key would no longer verify against a new one; pass --out <path> for another file',
				cause: error,
			});
		}

		throw error;
	} finally {
		rmSync(aside, {force: true});
	}

	return fromPrivate(file, privateKey);
}
