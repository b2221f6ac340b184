import {TargetError} from '../../errors/index.js';
import type {Conninfo} from './conninfo-url.js';

export type ServiceLookup = {found: true; entries: Conninfo} | {found: false};

/**
 * The entries of `[service]` in a pg_service.conf, read as libpq reads it: `key=value` with no
 * spaces around `=`, `#` comments, the first group of that name. A line libpq would reject is
 * rejected here too, so cutover and pg_dump never read the file differently.
 */
export function readServiceGroup(text: string, service: string, file: string, isKeyword: (key: string) => boolean): ServiceLookup {
	let inGroup = false;
	let found = false;
	const entries: Conninfo = new Map();
	const lines = text.split('\n');
	for (const [index, raw] of lines.entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) {
			continue;
		}

		if (line.startsWith('[')) {
			if (inGroup) {
				break;
			}

			inGroup = line === `[${service}]` || line.startsWith(`[${service}]`);
			found ||= inGroup;
			continue;
		}

		if (!inGroup) {
			continue;
		}

		const where = `${file}, line ${index + 1}`;
		const equals = line.indexOf('=');
		if (equals === -1) {
			throw serviceError(`syntax error in service file ${where}: no "=" in "${line}"`, file);
		}

		const key = line.slice(0, equals);
		if (key === 'service') {
			throw serviceError(`nested service specifications are not supported (service file ${where})`, file);
		}

		if (!isKeyword(key)) {
			throw serviceError(`syntax error in service file ${where}: "${key}" is not a connection option`, file);
		}

		if (!entries.has(key)) {
			entries.set(key, line.slice(equals + 1));
		}
	}

	return found ? {found: true, entries} : {found: false};
}

function serviceError(message: string, file: string): TargetError {
	return new TargetError(message, {target: file, hint: 'fix the service file (libpq and pg_dump would refuse it too): one key=value per line, no spaces around ='});
}
