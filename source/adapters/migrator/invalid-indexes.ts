import type {InvalidIndex} from '../../ports/migrator.js';
import {concurrentIndexName} from '../../sql/non-transactional.js';
import type {Session} from './session.js';

/**
 * The indexes these CREATE INDEX CONCURRENTLY statements build that PostgreSQL holds as INVALID
 * (pg_index.indisvalid false): what such a statement leaves when it fails or is stopped. Only
 * the names the statements give, never every invalid index: another session may be building one.
 */
export async function invalidIndexes(session: Session, statements: readonly string[]): Promise<InvalidIndex[]> {
	if (session.engine !== 'postgres') {
		return [];
	}

	const found: InvalidIndex[] = [];
	for (const statement of statements) {
		const index = concurrentIndexName(statement);
		if (index === null) {
			continue;
		}

		// eslint-disable-next-line no-await-in-loop -- a handful of statements
		const rows = await session.run(`SELECT format('%I.%I', n.nspname, c.relname) AS qualified, t.relname AS "table"
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE NOT i.indisvalid AND c.relname = $1 AND pg_table_is_visible(c.oid)`, [index]);
		for (const row of rows) {
			found.push({index, qualified: String(row['qualified']), table: String(row['table'])});
		}
	}

	return found;
}
