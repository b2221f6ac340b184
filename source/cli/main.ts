#!/usr/bin/env node
import {CutoverError, UsageError} from '../errors/index.js';
import {toolVersion} from '../package-root.js';
import {commands, type Command} from './commands/index.js';
import {isDoneOnReturn} from './done-on-return.js';
import {mainHelp} from './help.js';
import {prepareTerminalEnv} from './terminal-env.js';

// React's development build keeps every render's debug data: hours of a live console would grow by hundreds of MB.
process.env['NODE_ENV'] ??= 'production';

prepareTerminalEnv(process.env, {stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true});

// `cutover status … | head -1`: once the reader (a pipe, or a terminal that hung up) is gone, what
// was written stands; the command ends as it would have, without writing more (a run still
// finishes its step and its record, and hears of it through its own listener).
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE' || error.code === 'EIO') {
			stream.write = () => true;
		} else if (stream.listenerCount('error') === 1) {
			throw error;
		}
	});
}

// A file grown past RLIMIT_FSIZE must fail its write (EFBIG, handled as an error), not kill the run mid-step.
process.on('SIGXFSZ', () => {});

/** The command being run, once known: its errorExit replaces 1 and 2 for its errors. */
let running: Command | undefined;

async function main(args: string[]): Promise<number> {
	const argv = takeConfigDir(args, process.env);
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

	running = entry;
	return (await entry.load())(rest);
}

/** `--config-dir <dir>` anywhere before `--` stands for CUTOVER_CONFIG_DIR, for every command. */
function takeConfigDir(args: string[], env: NodeJS.ProcessEnv): string[] {
	const end = args.includes('--') ? args.indexOf('--') : args.length;
	const index = args.findIndex((arg, i) => i < end && (arg === '--config-dir' || arg.startsWith('--config-dir=')));
	if (index === -1) {
		return args;
	}

	const arg = args[index]!;
	const inline = arg.startsWith('--config-dir=');
	const value = inline ? arg.slice('--config-dir='.length) : args[index + 1];
	if (value === undefined || value === '' || (!inline && value.startsWith('-'))) {
		throw new UsageError('--config-dir needs a directory', {hint: 'cutover --config-dir <dir> <command> …, or set CUTOVER_CONFIG_DIR'});
	}

	env['CUTOVER_CONFIG_DIR'] = value;
	return [...args.slice(0, index), ...args.slice(index + (inline ? 1 : 2))];
}

try {
	process.exitCode = await main(process.argv.slice(2));
	// Only once stdout and stderr have handed every byte to the system (a full pipe leaves them queued): exit() drops what is queued.
	if (isDoneOnReturn() && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) {
		// A failed write (a full disk under a redirect) and a warning are delivered on the next tick: they are handled first.
		setImmediate(() => {
			if (!process.stdout.errored && !process.stderr.errored) {
				process.exit();
			}
		});
	}
} catch (error) {
	if (error instanceof CutoverError) {
		process.stderr.write(`cutover: ${error.message}\n  → ${error.hint}\n`);
		process.exitCode = running?.errorExit ?? (error instanceof UsageError ? 2 : 1);
	} else {
		process.stderr.write(`cutover: unexpected error (a bug; please report it with the record if there is one)\n${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
		process.exitCode = running?.errorExit ?? 1;
	}
}
