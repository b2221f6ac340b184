import type {Engine} from '../engine/model.js';
import {loadParseSync, type ParseSync} from './postgres-parser-module.js';
import {cutsAsPostgres, splitPostgres, type PostgresSplit} from './split-postgres.js';
import {splitStatementsAt, type Statement} from './split-statements.js';

/** A script's statements; `rejected` is what PostgreSQL's parser said of it, when it did not accept it. */
export type ScriptSplit = {statements: Statement[]; rejected: Exclude<PostgresSplit, {statements: Statement[]}> | null};

/**
 * A script's statements as `engine` reads them: SQLite's by the hand-written splitter, as SQLite
 * prepares them; PostgreSQL's where its own parser ends them (loaded on the first script that needs
 * it, once). Where both splitters provably cut alike the parser is not asked, so `status` of such a
 * folder loads no WebAssembly, unless `verdict` wants to know whether the parser accepts the script.
 */
export async function splitScript(text: string, engine: Engine, options: {verdict?: boolean} = {}): Promise<ScriptSplit> {
	const alike = engine === 'postgres' && options.verdict !== true ? splitAlike(text) : null;
	if (engine !== 'postgres' || alike !== null) {
		return {statements: alike ?? splitStatementsAt(text), rejected: null};
	}

	return splitParsed(text, await loadParseSync());
}

/**
 * A PostgreSQL script's statements without its parser, where the hand-written splitter provably cuts
 * it as the parser would (cutsAsPostgres); null where only the parser can tell.
 */
export function splitAlike(text: string): Statement[] | null {
	return cutsAsPostgres(text) ? splitStatementsAt(text) : null;
}

/**
 * The parser's cut; for a script it rejects, the hand-written splitter's (the server then judges each
 * statement as it runs: it may be newer than the parser's PostgreSQL 17 grammar).
 */
export function splitParsed(text: string, parse: ParseSync): ScriptSplit {
	const result = splitPostgres(text, parse);
	return 'statements' in result ? {statements: result.statements, rejected: null} : {statements: splitStatementsAt(text), rejected: result};
}
