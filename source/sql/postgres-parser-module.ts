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
		const {loadModule, parseSync} = await import('libpg-query');
		await loadModule();
		return parseSync as ParseSync;
	})().catch((error: unknown) => {
		// A failed load is not cached: the next caller tries again (and reports its own error).
		loading = null;
		throw error;
	});
	return loading;
}
