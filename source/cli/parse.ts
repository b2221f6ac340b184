import {parseArgs, type ParseArgsConfig} from 'node:util';
import {UsageError} from '../errors/index.js';

export function parseCommand<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, command: string) {
	try {
		return parseArgs({args, options, allowPositionals: true, strict: true});
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error), {hint: `run cutover ${command} --help for its options`});
	}
}
