import type {Node} from 'libpg-query';
import {loadParseSync, parserMessage} from '../sql/postgres-parser-module.js';
import type {Parse} from './lint-migrations.js';

/** PostgreSQL's own parser, for the rules: loaded when a lint runs, never at start (see loadParseSync). */
export async function loadPostgresParser(): Promise<Parse> {
	const parseSync = await loadParseSync();
	return sql => {
		try {
			const result = parseSync(sql) as {stmts?: Array<{stmt?: Node}>};
			return {stmts: (result.stmts ?? []).flatMap(s => s.stmt === undefined ? [] : [s.stmt])};
		} catch (error) {
			const details = (error as {sqlDetails?: {cursorPosition?: number}}).sqlDetails;
			return {error: parserMessage(error), position: details?.cursorPosition ?? null};
		}
	};
}

/**
 * Starts loading the parser now, for a lint that comes later: a run's window waits on it, and
 * its WebAssembly compiles while the run connects and the console loads. A failure is the lint's to report.
 */
export function warmPostgresParser(): void {
	loadParseSync().catch(() => {});
}
