import {createHash, sign, verify, type KeyObject} from 'node:crypto';
import {publicKeyFromRaw, rawFromSshBlob, SSH_ED25519, sshPublicKeyBlob} from './ed25519.js';
import {sshString, sshUint32, WireReader} from './ssh-wire.js';

/** The SSHSIG namespace of change records: `ssh-keygen -Y verify -n cutover-record`. */
export const SSHSIG_NAMESPACE = 'cutover-record';
const MAGIC = Buffer.from('SSHSIG');
const HASH = 'sha512';
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';

/** What the key signs (OpenSSH PROTOCOL.sshsig): magic, namespace, reserved, hash algorithm, H(message). */
export function sshsigSignedData(namespace: string, messageDigest: Buffer, hashAlgorithm = HASH): Buffer {
	return Buffer.concat([MAGIC, sshString(namespace), sshString(''), sshString(hashAlgorithm), sshString(messageDigest)]);
}

/** The armored signature `ssh-keygen -Y sign` would write, from the message's sha512. */
export function sshsigSign(messageSha512: Buffer, key: {privateKey: KeyObject; raw: Buffer}, namespace = SSHSIG_NAMESPACE): string {
	const signature = sign(null, sshsigSignedData(namespace, messageSha512), key.privateKey);
	const blob = Buffer.concat([
		MAGIC,
		sshUint32(1),
		sshString(sshPublicKeyBlob(key.raw)),
		sshString(namespace),
		sshString(''),
		sshString(HASH),
		sshString(Buffer.concat([sshString(SSH_ED25519), sshString(signature)])),
	]);
	const lines = blob.toString('base64').match(/.{1,70}/g) ?? [];
	return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

export type ParsedSshsig = {namespace: string; hashAlgorithm: string; publicKey: Buffer; signature: Buffer};

/** Parses an armored SSHSIG; throws a plain Error saying what is malformed. */
export function parseSshsig(armored: string): ParsedSshsig {
	const text = armored.trim();
	if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
		throw new Error('not an armored SSH signature');
	}

	const reader = new WireReader(Buffer.from(text.slice(BEGIN.length, -END.length).replaceAll(/\s+/g, ''), 'base64'));
	if (!reader.raw(6, 'magic').equals(MAGIC)) {
		throw new Error('no SSHSIG magic');
	}

	const version = reader.uint32('version');
	if (version !== 1) {
		throw new Error(`SSHSIG version ${version} is not 1`);
	}

	const publicKey = rawFromSshBlob(reader.string('public key'));
	const namespace = reader.string('namespace').toString('utf8');
	reader.string('reserved');
	const hashAlgorithm = reader.string('hash algorithm').toString('utf8');
	const sigReader = new WireReader(reader.string('signature'));
	const sigType = sigReader.string('signature type').toString('utf8');
	if (sigType !== SSH_ED25519) {
		throw new Error(`signature type ${sigType} is not ${SSH_ED25519}`);
	}

	return {namespace, hashAlgorithm, publicKey, signature: sigReader.string('signature')};
}

/** True when the parsed signature is its public key's signature over `message` in `namespace`. */
export function sshsigVerify(parsed: ParsedSshsig, message: Buffer, namespace = SSHSIG_NAMESPACE): boolean {
	if (parsed.namespace !== namespace || (parsed.hashAlgorithm !== 'sha512' && parsed.hashAlgorithm !== 'sha256')) {
		return false;
	}

	const digest = createHash(parsed.hashAlgorithm).update(message).digest();
	return verify(null, sshsigSignedData(namespace, digest, parsed.hashAlgorithm), publicKeyFromRaw(parsed.publicKey), parsed.signature);
}
