import {parseDuration} from '../../checklist/duration.js';
import {maxLockTimeoutMs} from './lock-policy.js';

const directive = /^--\s*cutover:\s*(.*)$/i;
const lockTimeout = /^lock-timeout\s*=\s*(\S+)$/i;
const noTransaction = /^no-transaction$/i;
const allow = /^allow\b/i;
// morph's (Mattermost's) marker, in the golang-migrate layout morph shares: the file runs outside a transaction.
const morphNoTransaction = /^--\s*morph:nontransactional\s*$/i;

/** What a SQL migration asks of cutover in `-- cutover:` comments above its first statement. */
export type Directives = {
	lockTimeoutMs: number | null;
	/** False for `-- cutover: no-transaction`: the file runs statement by statement, outside a transaction. */
	transaction: boolean;
	/** The 1-based line of the no-transaction directive, for messages that point at it. */
	noTransactionLine: number | null;
};

/**
 * A SQL migration may ask for its own lock timeout (`-- cutover: lock-timeout=30s`) and to run
 * outside a transaction (`-- cutover: no-transaction`, or morph's `-- morph:nontransactional`) in
 * comments above its first statement.
 * A `-- cutover:` line that says anything else is a problem, so a typo never silently falls
 * back to the default.
 */
export function readDirectives(text: string): Directives | {problem: string; line: number} {
	const found: Directives = {lockTimeoutMs: null, transaction: true, noTransactionLine: null};
	const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
	for (const [index, raw] of lines.entries()) {
		const line = raw.trim();
		if (line === '') {
			continue;
		}

		if (!line.startsWith('--')) {
			break;
		}

		if (morphNoTransaction.test(line)) {
			found.transaction = false;
			found.noTransactionLine = index + 1;
			continue;
		}

		const match = directive.exec(line);
		if (!match) {
			continue;
		}

		const words = match[1]!.trim();
		// `-- cutover: allow <rule> because <reason>` is the lint's, read (and checked) by cutover lint.
		if (allow.test(words)) {
			continue;
		}

		if (noTransaction.test(words)) {
			found.transaction = false;
			found.noTransactionLine = index + 1;
			continue;
		}

		const setting = lockTimeout.exec(words);
		const ms = setting ? parseDuration(setting[1]!) : null;
		if (setting === null || ms === null) {
			return {problem: `"${line}" is not a directive cutover knows; write -- cutover: lock-timeout=30s (units ms, s or m) or -- cutover: no-transaction`, line: index + 1};
		}

		if (ms < 1 || ms > maxLockTimeoutMs) {
			return {problem: `"${line}" is out of range: give a lock timeout between 1ms and ${maxLockTimeoutMs / 60_000}m`, line: index + 1};
		}

		found.lockTimeoutMs = ms;
	}

	return found;
}

/** The lock timeout alone, as earlier callers read it. */
export function readLockDirective(text: string): {lockTimeoutMs: number | null} | {problem: string} {
	const read = readDirectives(text);
	return 'problem' in read ? {problem: read.problem} : {lockTimeoutMs: read.lockTimeoutMs};
}
