import {setFlagsFromString} from 'node:v8';

/** The synchronous parse of libpg-query: the parse result as JSON, or a thrown error with sqlDetails. */
export type ParseSync = (sql: string) => unknown;

let loading: Promise<ParseSync> | null = null;

/**
 * What a throw from the parser says. Out of memory (a script of tens of MB), its WebAssembly
 * program exits, and what it throws is no Error but emscripten's ExitStatus, {name, message,
 * status}: String() of it was "[object Object]". The next parse works again.
 */
export function parserMessage(error: unknown): string {
	if (error instanceof Error) {
		return error.message;
	}

	const message = typeof error === 'object' && error !== null && 'message' in error ? error.message : undefined;
	return typeof message === 'string' && message !== '' ? message : String(error);
}

/** Whether what the parser's program prints reaches the console; never while it parses (see loadParseSync). */
let parserSpeaks = true;

/**
 * Imports libpg-query so that what its program prints can be held back: emscripten binds its
 * output to console.log and console.error as they are when the module evaluates, so during the
 * import they are functions that pass to the console's methods as they were, or drop the text
 * while a parse runs.
 */
async function loadQuietly(): Promise<typeof import('libpg-query')> {
	const {log, error} = console;
	// To the console's own methods as they were: a method patched meanwhile may call back into these.
	const held = {
		log: (...args: unknown[]) => {
			if (parserSpeaks) {
				log(...args);
			}
		},
		error: (...args: unknown[]) => {
			if (parserSpeaks) {
				error(...args);
			}
		},
	};
	console.log = held.log;
	console.error = held.error;
	try {
		return await import('libpg-query');
	} finally {
		// Only if nothing else replaced them meanwhile.
		if (console.log === held.log) {
			console.log = log;
		}

		if (console.error === held.error) {
			console.error = error;
		}
	}
}

/**
 * PostgreSQL's own parser (libpg-query, PostgreSQL 17's grammar, as WebAssembly), loaded the first
 * time a PostgreSQL migration is split or linted and then shared: the module and its WebAssembly
 * cost tens of milliseconds that `--help`, SQLite runs and a second reading of the folder do not need.
 */
export async function loadParseSync(): Promise<ParseSync> {
	loading ??= (async () => {
		// Baseline (Liftoff) code only. Otherwise V8 soon optimizes the parser's huge generated
		// grammar function on the other core, for longer than a folder of hundreds of migrations
		// takes to parse without it, and the process cannot exit until that is done: `status` ended
		// 80 to 140 ms after its last line. Read when the module compiles, so set before it loads.
		setFlagsFromString('--liftoff-only');
		const {loadModule, parseSync} = await loadQuietly();
		await loadModule();
		return (sql: string) => {
			// Out of memory, the WebAssembly program "exits": it prints PostgreSQL's memory context dump and a FATAL line
			// to our stdout and stderr (over the console's frame) and sets process.exitCode to 1 for the whole command.
			const exitCode = process.exitCode;
			parserSpeaks = false;
			try {
				return parseSync(sql);
			} catch (error) {
				process.exitCode = exitCode;
				throw error;
			} finally {
				parserSpeaks = true;
			}
		};
	})().catch((error: unknown) => {
		// A failed load is not cached: the next caller tries again (and reports its own error).
		loading = null;
		throw error;
	});
	return loading;
}
