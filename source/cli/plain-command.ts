import {redactUrl} from '../adapters/postgres/conninfo-url.js';

/** The answers the non-interactive form needs; the operator's own are dropped and given once, at the end. */
const ANSWERS = new Set(['--plain', '--yes']);
const ANSWER_WITH_VALUE = '--confirm-db';

/**
 * The command line to run the same flow without the console: every flag the operator gave,
 * as given (a URL's password shown as ***), then `--plain --yes --confirm-db <name>`.
 */
export function plainCommand(command: string, args: readonly string[], databaseName: string, configDir?: string): string {
	const kept: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (ANSWERS.has(arg) || arg.startsWith('--plain=') || arg.startsWith('--yes=') || arg.startsWith(`${ANSWER_WITH_VALUE}=`)) {
			continue;
		}

		if (arg === ANSWER_WITH_VALUE) {
			i++;
			continue;
		}

		kept.push(hidePassword(arg));
	}

	if (configDir !== undefined && configDir !== '' && !kept.some(arg => arg === '--config-dir' || arg.startsWith('--config-dir='))) {
		kept.push('--config-dir', configDir);
	}

	return ['cutover', command, ...kept, '--plain', '--yes', '--confirm-db', databaseName].map(shellQuote).join(' ');
}

const hidePassword = (arg: string): string => arg.includes('://') ? redactUrl(arg) : arg;

/** As a POSIX shell reads it back: bare when safe, else in single quotes. */
export const shellQuote = (word: string): string => /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll('\'', '\'\\\'\'')}'`;
