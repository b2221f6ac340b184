import type {Node} from 'libpg-query';
import type {Parse} from './lint-migrations.js';

let loading: Promise<Parse> | null = null;

/**
 * PostgreSQL's own parser (libpg-query, as WebAssembly). Imported when a lint runs, never at
 * start: the module and its WebAssembly cost tens of milliseconds that `--help` does not need.
 * Loaded once per process; a load that failed is tried again by the next call.
 */
export async function loadPostgresParser(): Promise<Parse> {
	loading ??= loadParser().catch((error: unknown) => {
		loading = null;
		throw error;
	});
	return loading;
}

/**
 * Starts loading the parser now, for a lint that comes later: a run's window waits on it, and
 * its WebAssembly compiles while the run connects and the console loads. A failure is the lint's to report.
 */
export function warmPostgresParser(): void {
	loadPostgresParser().catch(() => {});
}

async function loadParser(): Promise<Parse> {
	const {loadModule, parseSync} = await import('libpg-query');
	await loadModule();
	return sql => {
		try {
			const result = parseSync(sql) as {stmts?: Array<{stmt?: Node}>};
			return {stmts: (result.stmts ?? []).flatMap(s => s.stmt === undefined ? [] : [s.stmt])};
		} catch (error) {
			const details = (error as {sqlDetails?: {cursorPosition?: number}}).sqlDetails;
			return {error: error instanceof Error ? error.message : String(error), position: details?.cursorPosition ?? null};
		}
	};
}
