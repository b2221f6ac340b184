import type {Node} from 'libpg-query';
import type {Parse} from './lint-migrations.js';

/**
 * PostgreSQL's own parser (libpg-query, as WebAssembly). Imported when a lint runs, never at
 * start: the module and its WebAssembly cost tens of milliseconds that `--help` does not need.
 */
export async function loadPostgresParser(): Promise<Parse> {
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
