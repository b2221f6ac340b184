import type {InvalidIndex} from '../../ports/migrator.js';
import {concurrentIndexName, concurrentIndexTable} from '../../sql/non-transactional.js';
import type {Session} from './session.js';

/**
 * The indexes these CREATE INDEX CONCURRENTLY statements build that PostgreSQL holds as INVALID
 * (pg_index.indisvalid false): what such a statement leaves when it fails or is stopped. Only
 * the names the statements give, never every invalid index: another session may be building one.
 * An index is looked up on the table of the statement's ON clause, resolved as PostgreSQL
 * resolves it (its schema if written, else this session's search_path), and in that table's
 * schema, where an index always lives: one on a table outside the search_path is found, a
 * same-named one on another table is not.
 */
export async function invalidIndexes(session: Session, statements: readonly string[]): Promise<InvalidIndex[]> {
	if (session.engine !== 'postgres') {
		return [];
	}

	const found: InvalidIndex[] = [];
	for (const statement of statements) {
		const index = concurrentIndexName(statement);
		const table = concurrentIndexTable(statement);
		if (index === null || table === null) {
			continue;
		}

		// eslint-disable-next-line no-await-in-loop -- a handful of statements
		const rows = await session.run(`SELECT format('%I.%I', n.nspname, c.relname) AS qualified, t.relname AS "table"
	FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE NOT i.indisvalid AND c.relname = $1 AND i.indrelid = to_regclass($2::text) AND c.relnamespace = t.relnamespace`, [index, table]);
		for (const row of rows) {
			found.push({index, qualified: String(row['qualified']), table: String(row['table'])});
		}
	}

	return found;
}
