import type {Statement} from './split-statements.js';

/** What a script's statements mean for cutover's one transaction. */
export type ScriptShape =
	| {ok: true; statements: Statement[]; wrapperAbsorbed: boolean}
	| {ok: false; line: number; problem: string};

const opener = (words: readonly string[]) => words.length <= 2 && (
	(words[0] === 'BEGIN' && (words[1] === undefined || words[1] === 'TRANSACTION' || words[1] === 'WORK'))
	|| (words[0] === 'START' && words[1] === 'TRANSACTION'));

const closer = (words: readonly string[]) => words.length <= 2
	&& (words[0] === 'COMMIT' || words[0] === 'END')
	&& (words[1] === undefined || words[1] === 'TRANSACTION' || words[1] === 'WORK');

/**
 * A statement that begins, ends or partly undoes a transaction. Only the leading words of a
 * top-level statement count: BEGIN inside a function body ($$ … $$, BEGIN ATOMIC) or a trigger
 * body (CREATE TRIGGER … BEGIN … END) is part of that CREATE statement, as the splitter keeps it.
 */
export function isTransactionControl(words: readonly string[]): boolean {
	switch (words[0]) {
		case 'BEGIN':
		case 'COMMIT':
		case 'END':
		case 'ROLLBACK':
		case 'ABORT':
		case 'SAVEPOINT':
		case 'RELEASE': {
			return true;
		}

		case 'START':
		case 'PREPARE': {
			return words[1] === 'TRANSACTION';
		}

		default: {
			return false;
		}
	}
}

/**
 * cutover runs each migration and its log row in one transaction of its own. A script whose
 * first statement is a plain BEGIN and last a plain COMMIT (as golang-migrate projects write
 * them) says just that: the wrapper is dropped and the rest runs in cutover's transaction. Any
 * other transaction control would commit or undo part of the migration apart from its log row.
 */
export function absorbTransactionWrapper(given: readonly Statement[], engine: 'sqlite' | 'postgres' = 'postgres'): ScriptShape {
	// SQLite's table-rebuild procedure, as projects write it: PRAGMA foreign_keys=OFF; BEGIN; … COMMIT; PRAGMA foreign_keys=ON;
	// (the pragma does nothing inside a transaction). cutover runs a SQLite SQL migration with enforcement off and checks the
	// keys before COMMIT itself, so both pragmas go with the wrapper.
	const keys = engine === 'sqlite' && given.length >= 4 && isForeignKeys(given[0]!.words, 'off') && isForeignKeys(given.at(-1)!.words, 'on');
	const statements = keys ? given.slice(1, -1) : given;
	const first = statements[0];
	const last = statements.at(-1);
	const wrapped = statements.length >= 2 && first !== undefined && last !== undefined && opener(first.words) && closer(last.words);
	if (keys && !wrapped) {
		return absorbTransactionWrapper(given);
	}

	const inner = wrapped ? statements.slice(1, -1) : [...statements];
	const control = inner.find(statement => isTransactionControl(statement.words));
	if (control !== undefined) {
		return {ok: false, line: control.line, problem: `${quote(control)} controls the transaction, and cutover runs each migration in one transaction with its log row`};
	}

	return {ok: true, statements: inner, wrapperAbsorbed: wrapped};
}

function isForeignKeys(words: readonly string[], value: 'on' | 'off'): boolean {
	const values = value === 'off' ? ['OFF', 'FALSE', 'NO'] : ['ON', 'TRUE', 'YES'];
	return words.length === 3 && words[0] === 'PRAGMA' && words[1] === 'FOREIGN_KEYS' && values.includes(words[2]!);
}

function quote(statement: Statement): string {
	return statement.words.join(' ');
}
