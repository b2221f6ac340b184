import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {createHash, createPrivateKey, createPublicKey, generateKeyPairSync} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {pae, signEnvelope, verifyEnvelopeSignature} from '../../source/signing/dsse.js';
import {rawPublicKey, sshFingerprint, sshPublicKeyLine, spkiPem} from '../../source/signing/ed25519.js';
import {parseSshsig, sshsigSign, sshsigSignedData, sshsigVerify} from '../../source/signing/sshsig.js';
import {parseTrustedKeys} from '../../source/verify/trusted-keys.js';

// RFC 8032 §7.1, test 1: a fixed key, so the expected encodings are known in advance.
const seed = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const rfcPublic = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
const privateKey = createPrivateKey({key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8'});
const key = {privateKey, raw: rfcPublic, keyId: sshFingerprint(rfcPublic)};

function scratch(work: (dir: string) => void) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-signing-'));
	try {
		work(dir);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}

describe('DSSE', () => {
	it('PAE is "DSSEv1 <len> <type> <len> <body>" with byte lengths (the spec\'s example)', () => {
		assert.equal(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
		// Lengths count bytes, not characters.
		assert.equal(pae('t', Buffer.from('é')).toString(), 'DSSEv1 1 t 2 é');
	});

	it('an envelope verifies with its key, and not with another key or another payload', () => {
		const envelope = signEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":1}'), key);
		const sig = envelope.signatures[0]!.sig;
		assert.equal(envelope.signatures[0]!.keyid, key.keyId);
		assert.equal(verifyEnvelopeSignature(envelope, sig, createPublicKey(privateKey)), true);
		assert.equal(verifyEnvelopeSignature(envelope, sig, generateKeyPairSync('ed25519').publicKey), false);
		assert.equal(verifyEnvelopeSignature({...envelope, payload: Buffer.from('{"a":2}').toString('base64')}, sig, createPublicKey(privateKey)), false);
		// The signature covers the type too.
		assert.equal(verifyEnvelopeSignature({...envelope, payloadType: 'text/plain'}, sig, createPublicKey(privateKey)), false);
	});
});

describe('key export formats', () => {
	it('the raw key, SPKI PEM and ssh-ed25519 line all carry the RFC 8032 public key', () => {
		const publicKey = createPublicKey(privateKey);
		assert.deepEqual(rawPublicKey(publicKey), rfcPublic);
		const pem = spkiPem(publicKey);
		assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n[\w+/=]+\n-----END PUBLIC KEY-----\n$/);
		// SPKI for Ed25519 is a fixed 12-byte header then the raw key.
		const der = Buffer.from(pem.split('\n')[1]!, 'base64');
		assert.equal(der.subarray(0, 12).toString('hex'), '302a300506032b6570032100');
		assert.deepEqual(der.subarray(12), rfcPublic);
		const line = sshPublicKeyLine(rfcPublic);
		const blob = Buffer.from(line.split(' ')[1]!, 'base64');
		assert.equal(blob.toString('hex'), `0000000b${Buffer.from('ssh-ed25519').toString('hex')}00000020${rfcPublic.toString('hex')}`);
	});

	it('ssh-keygen reads the ssh-ed25519 line and prints the same fingerprint', () => scratch(dir => {
		const file = path.join(dir, 'key.pub');
		writeFileSync(file, `${sshPublicKeyLine(rfcPublic)} test\n`);
		const result = spawnSync('ssh-keygen', ['-l', '-f', file], {encoding: 'utf8'});
		assert.equal(result.status, 0, result.stderr);
		assert.equal(result.stdout.trim(), `256 ${sshFingerprint(rfcPublic)} test (ED25519)`);
	}));

	it('openssl reads the SPKI PEM as the same key', () => scratch(dir => {
		const file = path.join(dir, 'key.pem');
		writeFileSync(file, spkiPem(createPublicKey(privateKey)));
		const result = spawnSync('openssl', ['pkey', '-pubin', '-in', file, '-noout', '-text'], {encoding: 'utf8'});
		assert.equal(result.status, 0, result.stderr);
		assert.equal(result.stdout.replaceAll(/[^0-9a-f]/g, '').endsWith(rfcPublic.toString('hex')), true, result.stdout);
	}));
});

describe('SSHSIG', () => {
	const message = Buffer.from('a journal\n');
	const digest = createHash('sha512').update(message).digest();

	it('the signed blob is magic, namespace, reserved, hash name and digest, each length-prefixed', () => {
		const blob = sshsigSignedData('cutover-record', digest);
		assert.equal(blob.subarray(0, 6).toString(), 'SSHSIG');
		assert.equal(blob.readUInt32BE(6), 14);
		assert.equal(blob.subarray(10, 24).toString(), 'cutover-record');
		assert.equal(blob.readUInt32BE(24), 0);
		assert.equal(blob.readUInt32BE(28), 6);
		assert.equal(blob.subarray(32, 38).toString(), 'sha512');
		assert.equal(blob.readUInt32BE(38), 64);
		assert.deepEqual(blob.subarray(42), digest);
	});

	it('an armored signature parses back, verifies, and fails for another message or namespace', () => {
		const armored = sshsigSign(digest, key);
		assert.match(armored, /^-----BEGIN SSH SIGNATURE-----\n(?:[\w+/=]{70}\n)*[\w+/=]{1,70}\n-----END SSH SIGNATURE-----\n$/);
		const parsed = parseSshsig(armored);
		assert.equal(parsed.namespace, 'cutover-record');
		assert.deepEqual(parsed.publicKey, rfcPublic);
		assert.equal(sshsigVerify(parsed, message), true);
		assert.equal(sshsigVerify(parsed, Buffer.from('a journal!\n')), false);
		assert.equal(sshsigVerify(parsed, message, 'file'), false);
	});

	it('ssh-keygen -Y check-novalidate accepts it, and rejects it for a changed message', () => scratch(dir => {
		const sig = path.join(dir, 'm.sig');
		writeFileSync(sig, sshsigSign(digest, key));
		const good = spawnSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'cutover-record', '-s', sig], {input: message, encoding: 'utf8'});
		assert.equal(good.status, 0, good.stderr);
		const bad = spawnSync('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'cutover-record', '-s', sig], {input: 'another\n', encoding: 'utf8'});
		assert.notEqual(bad.status, 0);
	}));
});

describe('trusted keys', () => {
	const line = sshPublicKeyLine(rfcPublic);
	it('reads allowed_signers lines with principals and options, skipping comments, other namespaces and CAs', () => {
		const otherRaw = rawPublicKey(generateKeyPairSync('ed25519').publicKey);
		const other = sshPublicKeyLine(otherRaw);
		const keys = parseTrustedKeys([
			'# team keys',
			`ops@example.org namespaces="cutover-record,file" ${line} laptop`,
			`mail@example.org namespaces="email" ${other}`,
			`ca@example.org cert-authority ${other}`,
			`${other}`,
			'',
		].join('\n'), 'allowed_signers');
		assert.deepEqual(keys.map(k => [k.principal, k.keyId, k.source]), [
			['ops@example.org', key.keyId, 'allowed_signers:2'],
			['*', sshFingerprint(otherRaw), 'allowed_signers:5'],
		]);
	});

	it('reads a PEM public key', () => {
		const keys = parseTrustedKeys(spkiPem(createPublicKey(privateKey)), 'cutover.pub.pem');
		assert.deepEqual(keys.map(k => k.keyId), [key.keyId]);
	});
});
