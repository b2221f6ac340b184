import type {Node} from 'libpg-query';
import {bookkeepingTables, type Engine} from '../engine/model.js';
import {nonTransactional} from '../sql/non-transactional.js';
import {allowsAbove, readAllow, type Allow} from './allow.js';
import {analyzeStatement, newPostgresState, type Hit, type StatementFacts} from './postgres-rules.js';
import {ruleOf, type RuleId, type Severity} from './rules.js';
import {codeOf, createdTableOf, renamedTableOf, sqliteHits} from './sqlite-rules.js';

/** One migration's up, as the migration loader read it. */
export type LintScript = {
	migration: string;
	file: string;
	/** The whole file as written: line numbers and allow comments are read from it. */
	text: string;
	/** The statements that run, in order; each a slice of `text`. */
	statements: readonly string[];
	transaction: boolean;
};

export type Finding = {
	migration: string;
	file: string;
	line: number;
	rule: RuleId;
	severity: Severity;
	/** What in the statement made the rule fire. */
	detail: string;
	/** The statement's first line, for the table and the record. */
	statement: string;
	risk: string;
	fix: string;
	/** The reason given in `-- cutover: allow <rule> because <reason>`, or null when the finding stands. */
	allowed: string | null;
};

/** The parser's answer for one statement: its parse trees, or where it could not read it. */
export type Parsed = {stmts: Node[]} | {error: string; position: number | null};
export type Parse = (sql: string) => Parsed;

export type LintOptions = {
	engine: Engine;
	/** PostgreSQL's own parser; required for PostgreSQL. */
	parse?: Parse;
	/** The tables of the live database: a table is existing when it is there now. Null: when no earlier migration of the folder created it. */
	liveTables?: ReadonlySet<string> | null;
};

export type LintReport = {findings: Finding[]; errors: number; warnings: number; allowed: number};
export type LintFailure = {file: string; line: number; problem: string};

/** Lints the ups of a folder's migrations in order: pure, the parser handed in. */
export function lintScripts(scripts: readonly LintScript[], given: LintOptions): LintReport | {failure: LintFailure} {
	// cutover's own tables, which the live lists leave out (they are no user's), are there all the same, with the log in them.
	const options: LintOptions = given.liveTables === null || given.liveTables === undefined ? given : {...given, liveTables: new Set([...given.liveTables, ...bookkeepingTables])};
	const findings: Finding[] = [];
	const state = newPostgresState();
	// SQLite: the tables the plan's statements so far created (PostgreSQL's rules keep their own, in state).
	const sqliteCreated = new Set<string>();
	// SQLite names are case-insensitive; live tables renamed by the plan keep the operator's rows under their new names.
	const sqliteLive = options.liveTables === null || options.liveTables === undefined ? null : new Set([...options.liveTables].map(table => table.toLowerCase()));
	for (const script of scripts) {
		const located = locate(script);
		let perStatement: Hit[][];
		if (options.engine === 'postgres') {
			const result = postgresHits(script, located, options, state);
			if ('failure' in result) {
				return result;
			}

			perStatement = result.hits;
		} else {
			perStatement = sqliteHits(script.statements).map((hits, index) => {
				const kept = hits.filter(hit => !madeByThePlan(hit, sqliteCreated, options.liveTables ?? null) && !dropsNothing(hit, sqliteCreated, sqliteLive));
				const {code} = located[index]!;
				const created = createdTableOf(code);
				if (created !== null) {
					sqliteCreated.add(created);
				}

				const renamed = renamedTableOf(code);
				if (renamed !== null && sqliteCreated.has(renamed.from)) {
					// A table the plan made stays the plan's under its new name (a first deployment's rename).
					sqliteCreated.add(renamed.to);
				} else if (renamed !== null && sqliteLive?.has(renamed.from) === true) {
					sqliteLive.add(renamed.to);
				}

				for (const hit of hits) {
					if (hit.rule === 'drop-table' && hit.table !== undefined) {
						sqliteLive?.delete(hit.table);
					}
				}

				return kept;
			});
		}

		findings.push(...applyAllows(script, located, perStatement));
	}

	const standing = findings.filter(f => f.allowed === null);
	return {
		findings,
		errors: standing.filter(f => f.severity === 'error').length,
		warnings: standing.filter(f => f.severity === 'warning').length,
		allowed: findings.length - standing.length,
	};
}

type Located = {code: string; line: number; offset: number};

/** Where each statement's code starts in the file (statements are slices of it, in order). */
function locate(script: LintScript): Located[] {
	let cursor = 0;
	return script.statements.map(statement => {
		const at = script.text.indexOf(statement, cursor);
		const start = at === -1 ? cursor : at;
		cursor = at === -1 ? cursor : at + statement.length;
		const code = codeOf(statement);
		const offset = start + (statement.length - code.length);
		return {code, offset, line: lineAt(script.text, offset)};
	});
}

function lineAt(text: string, offset: number): number {
	let line = 1;
	for (let i = 0; i < offset && i < text.length; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
		}
	}

	return line;
}

function postgresHits(script: LintScript, located: readonly Located[], options: LintOptions, state: ReturnType<typeof newPostgresState>): {hits: Hit[][]} | {failure: LintFailure} {
	if (options.parse === undefined) {
		throw new TypeError('lintScripts needs a parser for PostgreSQL');
	}

	const facts: StatementFacts[][] = [];
	for (const [index, statement] of located.entries()) {
		const parsed = options.parse(statement.code);
		if ('error' in parsed) {
			// libpg-query gives the error's position in code points (an emoji is one, two UTF-16 units).
			const before = parsed.position === null ? '' : Array.from(statement.code).slice(0, parsed.position).join('');
			return {failure: {file: script.file, line: statement.line + (before.match(/\n/g)?.length ?? 0), problem: `statement ${index + 1} does not parse as PostgreSQL: ${parsed.error}`}};
		}

		facts.push(parsed.stmts.map(stmt => analyzeStatement(stmt, {state, liveTables: options.liveTables ?? null})));
	}

	let timeoutOff = false;
	let exclusiveFlagged = false;
	return {
		hits: located.map((statement, index) => {
			const own = facts[index]!;
			const hits = own.flatMap(f => f.hits).filter(h => h.rule !== 'enum-value-in-transaction' || script.transaction);
			const what = script.transaction ? nonTransactional(statement.code, 'postgres') : null;
			if (what !== null) {
				hits.push({rule: 'concurrently-in-transaction', detail: `${what} in a migration that runs in a transaction`});
			}

			for (const f of own) {
				if (f.lockTimeout !== null) {
					timeoutOff = f.lockTimeout === 'off';
				}

				if (timeoutOff && f.blockingLockOn !== null) {
					hits.push({rule: 'lock-timeout-disabled', detail: `locks ${f.blockingLockOn} after lock_timeout was turned off`});
				}

				// Once per migration: the first exclusive lock is the one every later statement holds.
				if (!exclusiveFlagged && script.transaction && f.accessExclusiveOn !== null && index < located.length - 1) {
					exclusiveFlagged = true;
					const after = located.length - 1 - index;
					hits.push({rule: 'exclusive-lock-then-more', detail: `ACCESS EXCLUSIVE on ${f.accessExclusiveOn}, held through ${after} more statement${after === 1 ? '' : 's'}`});
				}
			}

			return hits;
		}),
	};
}

/**
 * Turns hits into findings, silencing those an allow comment names, and reports allow comments
 * that cannot be read. One that silences nothing is no finding: it may be meant for a live
 * database where the table exists (cutover lint --db, a run), not for the folder alone.
 */
function applyAllows(script: LintScript, located: readonly Located[], perStatement: readonly Hit[][]): Finding[] {
	const lines = script.text.split(/\r?\n/);
	const findings: Finding[] = [];
	const read = new Map<number, Allow>();
	const allowAt = (line: number) => {
		let allow = read.get(line);
		if (allow === undefined) {
			allow = readAllow(lines[line - 1]!, line)!;
			read.set(line, allow);
		}

		return allow;
	};

	const firstLine = (code: string) => code.split('\n', 1)[0]!.trim().slice(0, 200);
	for (const [index, statement] of located.entries()) {
		const allows = allowsAbove(lines, statement.line).map(allowAt);
		for (const hit of perStatement[index]!) {
			const allow = allows.find((a): a is Extract<Allow, {ok: true}> => a.ok && a.rule === hit.rule);
			const rule = ruleOf(hit.rule);
			findings.push({migration: script.migration, file: script.file, line: statement.line, rule: hit.rule, severity: rule.severity, detail: hit.detail, statement: firstLine(statement.code), risk: rule.risk, fix: rule.fix, allowed: allow?.reason ?? null});
		}
	}

	// Every allow comment up to the end of the last statement (a one-file format's down section comes after).
	const last = located.at(-1);
	const end = last === undefined ? 0 : lineAt(script.text, last.offset + last.code.length);
	for (let line = 1; line <= Math.min(end, lines.length); line++) {
		if (readAllow(lines[line - 1]!, line) === null) {
			continue;
		}

		const allow = allowAt(line);
		if (!allow.ok) {
			const rule = ruleOf('invalid-allow');
			findings.push({migration: script.migration, file: script.file, line, rule: 'invalid-allow', severity: rule.severity, detail: allow.problem, statement: lines[line - 1]!.trim(), risk: rule.risk, fix: rule.fix, allowed: null});
		}
	}

	return findings.sort((a, b) => a.line - b.line);
}

/** A DROP TABLE IF EXISTS of a table neither live (by the live names, folded) nor made by the plan: it drops nothing. */
function dropsNothing(hit: Hit, created: ReadonlySet<string>, live: ReadonlySet<string> | null): boolean {
	return hit.rule === 'drop-table' && hit.ifExists === true && live !== null && hit.table !== undefined && !created.has(hit.table) && !live.has(hit.table);
}

/**
 * SQLite: a drop of a table an earlier statement of the plan created and the live database does
 * not have (a first deployment) loses no data the operator has. Known only with the live tables.
 */
function madeByThePlan(hit: Hit, created: ReadonlySet<string>, live: ReadonlySet<string> | null): boolean {
	if (live === null || hit.table === undefined || !created.has(hit.table)) {
		return false;
	}

	// SQLite names tables without regard to case (the rules fold them).
	return ![...live].some(table => table.toLowerCase() === hit.table);
}
