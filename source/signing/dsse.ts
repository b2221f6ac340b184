import {sign, verify, type KeyObject} from 'node:crypto';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export type DsseEnvelope = {
	payload: string;
	payloadType: string;
	signatures: Array<{keyid: string; sig: string}>;
};

/** DSSE's pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal bytes. */
export function pae(payloadType: string, payload: Buffer): Buffer {
	const type = Buffer.from(payloadType, 'utf8');
	return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export function signEnvelope(payloadType: string, payload: Buffer, key: {privateKey: KeyObject; keyId: string}): DsseEnvelope {
	const sig = sign(null, pae(payloadType, payload), key.privateKey);
	return {payload: payload.toString('base64'), payloadType, signatures: [{keyid: key.keyId, sig: sig.toString('base64')}]};
}

/** True when `sig` is `publicKey`'s signature over the envelope's PAE. */
export function verifyEnvelopeSignature(envelope: DsseEnvelope, sig: string, publicKey: KeyObject): boolean {
	const payload = Buffer.from(envelope.payload, 'base64');
	return verify(null, pae(envelope.payloadType, payload), publicKey, Buffer.from(sig, 'base64'));
}
