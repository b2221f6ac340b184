import {parseDuration} from '../../checklist/duration.js';
import {maxLockTimeoutMs} from './lock-policy.js';

const directive = /^--\s*cutover:\s*(.*)$/i;
const lockTimeout = /^lock-timeout\s*=\s*(\S+)$/i;

/**
 * A SQL migration may ask for its own lock timeout in a comment above its first statement:
 * `-- cutover: lock-timeout=30s`. Returns the milliseconds, null when the file asks for
 * nothing, or a problem to report. A `-- cutover:` line that says anything else is a problem,
 * so a typo never silently falls back to the default.
 */
export function readLockDirective(text: string): {lockTimeoutMs: number | null} | {problem: string} {
	let found: number | null = null;
	for (const raw of text.split(/\r?\n/)) {
		const line = raw.trim();
		if (line === '') {
			continue;
		}

		if (!line.startsWith('--')) {
			break;
		}

		const match = directive.exec(line);
		if (!match) {
			continue;
		}

		const setting = lockTimeout.exec(match[1]!.trim());
		const ms = setting ? parseDuration(setting[1]!) : null;
		if (setting === null || ms === null) {
			return {problem: `"${line}" is not a directive cutover knows; write -- cutover: lock-timeout=30s (units ms, s or m)`};
		}

		if (ms < 1 || ms > maxLockTimeoutMs) {
			return {problem: `"${line}" is out of range: give a lock timeout between 1ms and ${maxLockTimeoutMs / 60_000}m`};
		}

		found = ms;
	}

	return {lockTimeoutMs: found};
}
