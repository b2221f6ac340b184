#!/usr/bin/env node
import {CutoverError, UsageError} from '../errors/index.js';
import {toolVersion} from '../package-root.js';
import {commands} from './commands/index.js';
import {mainHelp} from './help.js';

// React's development build keeps every render's debug data: hours of a live console would grow by hundreds of MB.
process.env['NODE_ENV'] ??= 'production';

// Ink draws only the final frame when CI is set; at a terminal there is an operator to draw for.
if (process.stdin.isTTY && process.stdout.isTTY) {
	process.env['CI'] = '0';
	process.env['CONTINUOUS_INTEGRATION'] = '0';
}

// A file grown past RLIMIT_FSIZE must fail its write (EFBIG, handled as an error), not kill the run mid-step.
process.on('SIGXFSZ', () => {});

// Colour libraries read these when first imported, and the console is imported lazily.
if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') {
	process.env['FORCE_COLOR'] = '0';
}

async function main(argv: string[]): Promise<number> {
	const [command, ...rest] = argv;
	if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
		process.stdout.write(mainHelp);
		return command === undefined ? 2 : 0;
	}

	if (command === '-v' || command === '--version') {
		process.stdout.write(`${toolVersion}\n`);
		return 0;
	}

	const entry = Object.hasOwn(commands, command) ? commands[command] : undefined;
	if (entry === undefined) {
		throw new UsageError(`unknown command "${command}"`, {hint: 'run cutover --help for the commands'});
	}

	if (rest.includes('--help') || rest.includes('-h')) {
		process.stdout.write(entry.help);
		return 0;
	}

	return (await entry.load())(rest);
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (error instanceof CutoverError) {
		process.stderr.write(`cutover: ${error.message}\n  → ${error.hint}\n`);
		process.exitCode = error instanceof UsageError ? 2 : 1;
	} else {
		process.stderr.write(`cutover: unexpected error (a bug; please report it with the record if there is one)\n${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
		process.exitCode = 1;
	}
}
