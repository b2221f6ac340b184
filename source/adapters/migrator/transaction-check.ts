import path from 'node:path';
import type {Engine} from '../../engine/model.js';
import {MigrationFileError} from '../../errors/index.js';
import type {Statement} from '../../sql/split-statements.js';
import {nonTransactional} from '../../sql/non-transactional.js';

/**
 * A migration that runs in a transaction must not hold a statement the engine refuses inside
 * one (CREATE INDEX CONCURRENTLY, VACUUM…): it would fail in the middle of the window with
 * "cannot run inside a transaction block". Refused when the migrations are read, naming the
 * file, the statement's line and the directive that makes the file run outside a transaction.
 */
export function refuseNonTransactional(file: string, statements: readonly Statement[], transaction: boolean, engine: Engine): void {
	if (!transaction) {
		return;
	}

	for (const statement of statements) {
		const what = nonTransactional(statement.text, engine);
		if (what !== null) {
			const name = path.basename(file);
			throw new MigrationFileError(file, `${what} cannot run inside a transaction block, and this migration runs in one`, {
				line: statement.line,
				hint: `add the line "-- cutover: no-transaction" above the first statement of ${name} (or the tool's own marker: goose "-- +goose NO TRANSACTION", dbmate "-- migrate:up transaction:false", morph "-- morph:nontransactional", pop's .autocommit): it then runs statement by statement, each committing on its own (keep such a statement in a migration of its own, and make the others safe to run twice: IF NOT EXISTS)`,
			});
		}
	}
}
