import path from 'node:path';
import {openSettings} from '../../adapters/settings.js';
import {UsageError} from '../../errors/index.js';
import {spkiPem} from '../../signing/ed25519.js';
import {loadSigningKey} from '../../signing/signing-key.js';
import {SSHSIG_NAMESPACE} from '../../signing/sshsig.js';
import {parseCommand} from '../parse.js';

const FORMATS = ['both', 'pem', 'ssh', 'allowed-signers'] as const;

/** `cutover key export`: the public half of the signing key, in the forms stock tools read. */
export function keyCommand(args: string[]): number {
	const {values, positionals} = parseCommand(args, {
		key: {type: 'string'},
		format: {type: 'string', default: 'both'},
		principal: {type: 'string', default: 'cutover'},
	}, 'key');
	const [action, extra] = positionals;
	if (action !== 'export' || extra !== undefined) {
		throw new UsageError(action === undefined ? 'cutover key needs an action' : `unknown key action "${positionals.join(' ')}"`, {hint: 'cutover key export [--format pem|ssh|allowed-signers] [--key <path>]'});
	}

	const format = values.format as typeof FORMATS[number];
	if (!FORMATS.includes(format)) {
		throw new UsageError(`unknown format "${values.format}"`, {hint: `formats are ${FORMATS.join(', ')}`});
	}

	if (!/^[^\s,"*?!]+$/.test(values.principal)) {
		throw new UsageError(`"${values.principal}" cannot be an allowed_signers principal`, {hint: 'use a name without spaces, commas, quotes or wildcards, e.g. ops@example.org'});
	}

	const key = loadSigningKey(values.key === undefined ? openSettings().read().signingKey : path.resolve(values.key));
	const pem = spkiPem(key.publicKey);
	const ssh = `${key.sshLine} ${key.keyId}`;
	const allowed = `${values.principal} namespaces="${SSHSIG_NAMESPACE}" ${key.sshLine}`;
	const out = {both: `${pem}${ssh}\n`, pem, ssh: `${ssh}\n`, 'allowed-signers': `${allowed}\n`}[format];
	process.stdout.write(out);
	return 0;
}
