import path from 'node:path';
import {openSettings} from '../../adapters/settings.js';
import {UsageError} from '../../errors/index.js';
import {generateSigningKey} from '../../signing/signing-key.js';
import {parseCommand} from '../parse.js';

export function keygenCommand(args: string[]): number {
	const {values, positionals} = parseCommand(args, {out: {type: 'string'}}, 'keygen');
	if (positionals.length > 0) {
		throw new UsageError(`unexpected argument "${positionals[0]}"`, {hint: 'cutover keygen [--out <path>]'});
	}

	const configured = openSettings().read().signingKey;
	const file = values.out === undefined ? configured : path.resolve(values.out);
	const key = generateSigningKey(file);
	process.stdout.write(`signing key: ${file} (Ed25519, PKCS#8, mode 0600)\nkey id: ${key.keyId}\npublic key: ${key.sshLine}\n`);
	if (file !== configured) {
		process.stdout.write(`runs sign with ${configured}; to sign with this key: cutover config signingKey ${file}\n`);
	}

	process.stdout.write('give verifiers its public key: cutover key export (PEM for openssl, allowed_signers line for ssh-keygen)\n');
	return 0;
}
