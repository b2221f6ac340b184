import {existsSync} from 'node:fs';
import path from 'node:path';
import {readSettings} from '../../adapters/settings-file.js';
import {UsageError} from '../../errors/index.js';
import {findSigningKey} from '../../signing/signing-key.js';
import {readTrustedKeys, type TrustedKey} from '../../verify/trusted-keys.js';
import {verifyRecords} from '../../verify/verify-records.js';
import type {RecordReport} from '../../verify/verify-record.js';
import {doneOnReturn} from '../done-on-return.js';
import {parseCommand} from '../parse.js';

/** Trusted keys: --trusted, else the configured allowed_signers file, else the configured signing key's own public key. */
function trustedKeys(flag: string | undefined): {keys: TrustedKey[]; from: string} {
	if (flag !== undefined) {
		return {keys: readTrustedKeys(path.resolve(flag)), from: path.resolve(flag)};
	}

	const settings = readSettings();
	if (existsSync(settings.trustedKeys)) {
		return {keys: readTrustedKeys(settings.trustedKeys), from: settings.trustedKeys};
	}

	const own = findSigningKey(settings.signingKey);
	return own === null
		? {keys: [], from: 'nowhere (no --trusted, no trustedKeys file, no signing key)'}
		: {keys: [{principal: 'signingKey', keyId: own.keyId, publicKey: own.publicKey, source: own.path}], from: `the public key of ${own.path}`};
}

function describe(report: RecordReport): string {
	if (report.problem !== null) {
		return `FAIL ${report.name}: ${report.problem}`;
	}

	const sealed = report.trustedAs === null
		? ''
		: `; ${report.checkpoints} checkpoint${report.checkpoints === 1 ? '' : 's'}${report.end === 'finished' ? ' and the SSH signature' : ''} by ${report.trustedAs.keyId} (${report.trustedAs.principal}, trusted in ${report.trustedAs.source})`;
	const link = report.previousRecord === null ? '; first of its chain' : `; follows ${report.previousRecord.file}`;
	return [`ok   ${report.name}: ${report.lines} lines, chain intact${sealed}${link}`, ...report.notes.map(n => `     ${n}`)].join('\n');
}

export function verifyCommand(args: string[]): number {
	const {values, positionals} = parseCommand(args, {
		trusted: {type: 'string'},
		'allow-unsigned': {type: 'boolean', default: false},
		'every-line': {type: 'boolean', default: false},
	}, 'verify');
	const [target, extra] = positionals;
	if (target === undefined || extra !== undefined) {
		throw new UsageError(target === undefined ? 'verify needs a record or a records directory' : 'verify takes one record or directory', {hint: 'cutover verify <record.jsonl | records-dir> [--trusted <allowed_signers>]'});
	}

	const where = path.resolve(target);
	if (!existsSync(where)) {
		throw new UsageError(`${where} does not exist`, {hint: 'pass a .jsonl change record or the records directory (cutover config recordsDir)'});
	}

	const trust = trustedKeys(values.trusted);
	const result = verifyRecords(where, {trusted: trust.keys, allowUnsigned: values['allow-unsigned'], everyLine: values['every-line']});
	for (const report of result.reports) {
		process.stdout.write(`${describe(report)}\n`);
	}

	for (const file of result.skipped) {
		process.stdout.write(`skip ${file.name}: ${file.reason}\n`);
	}

	const bad = result.reports.filter(r => r.problem !== null).length;
	process.stdout.write(result.reports.length === 0
		? `no records in ${where}\n`
		: bad === 0
			? `verified: ${result.reports.length} record${result.reports.length === 1 ? '' : 's'}, trusted keys from ${trust.from}\n`
			: `NOT VERIFIED: ${bad} of ${result.reports.length} record${result.reports.length === 1 ? '' : 's'} failed (trusted keys from ${trust.from})\n`);
	doneOnReturn();
	return result.ok ? 0 : 1;
}
