import type {FormatReader, Version} from './types.js';

// Flyway: V{version}__{description}.sql, the version's parts split by . or _ (V1.2.3__x, V1_2__x);
// U{version}__{description}.sql undoes that version. R__ (repeatable) files are found by `repeatable`.
const versioned = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const repeatableFile = /^R__.+\.sql$/;

export const flyway: FormatReader = {
	name: 'flyway',
	match(file) {
		const match = versioned.exec(file);
		if (!match) {
			return null;
		}

		const [, prefix, digits] = match as unknown as [string, 'V' | 'U', string];
		const version = trimZeros(digits.split(/[._]/).map(part => BigInt(part)));
		return {
			id: file.slice(0, -'.sql'.length),
			key: version.join('.'),
			version,
			direction: prefix === 'V' ? 'up' : 'down',
			engine: 'any',
			transaction: true,
			kind: 'sql',
		};
	},
};

export function isRepeatable(file: string): boolean {
	return repeatableFile.test(file);
}

/** Flyway's 1.0 is 1: trailing zero parts do not make another version. */
function trimZeros(parts: bigint[]): Version {
	let end = parts.length;
	while (end > 1 && parts[end - 1] === 0n) {
		end--;
	}

	return parts.slice(0, end);
}

/**
 * A script's own configuration file (V1__x.sql.conf). Only executeInTransaction is understood;
 * any other setting (shouldExecute, encoding…) changes what runs, so it is a problem, not ignored.
 */
export function readScriptConfig(text: string): {transaction: boolean} | {problem: string; line: number} {
	let transaction = true;
	for (const [index, raw] of text.split(/\r?\n/).entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) {
			continue;
		}

		const match = /^executeInTransaction\s*=\s*(true|false)$/i.exec(line);
		if (!match) {
			return {problem: `"${line}" is a Flyway script setting cutover does not apply (it knows executeInTransaction=true|false)`, line: index + 1};
		}

		transaction = match[1]!.toLowerCase() === 'true';
	}

	return {transaction};
}
