import {MigrationError} from '../../errors/index.js';
import type {Session} from './session.js';

/**
 * SQLite migrations run with foreign key enforcement off, as the sqlite3 shell, the teams' own
 * tools and SQLite's documented way to change a table (make the new one, copy, drop the old,
 * rename) expect: `PRAGMA foreign_keys` cannot change inside a transaction, so a migration cannot
 * turn it off itself, and with it on, dropping a parent table deletes or refuses its children.
 * What enforcement would have caught is checked instead, before COMMIT: a migration that leaves
 * a row whose foreign key points nowhere — and that did not before it — fails and rolls back.
 * Only the tables it names, and the tables whose keys point at them, are checked.
 */
export type ForeignKeyGuard = {
	/** Violations in the named tables before the migration's statements run. */
	before(): Promise<void>;
	/** Throws a MigrationError when the migration left violations that were not there before. */
	after(): Promise<void>;
};

type Violation = {table: string; rowid: string; parent: string; key: string};

export function foreignKeyGuard(session: Session, migration: string, direction: 'up' | 'down', sql: readonly string[], seen: {foreignKeys?: boolean} = {}): ForeignKeyGuard {
	// No key in the database, and none declared here: no row can point nowhere, before or after.
	const declares = sql.some(statement => /\bREFERENCES\b|\bFOREIGN\s+KEY\b/i.test(statement));
	if (seen.foreignKeys === false && !declares) {
		return {before: async () => {}, after: async () => {}};
	}

	const named = new Set(sql.flatMap(tablesNamed));
	// Counted per child and parent table, not by rowid: a child rebuilt by INSERT … SELECT gives its
	// rows new rowids, and an orphan it carried over is still the one that was there before.
	let known = new Map<string, number>();
	return {
		async before() {
			known = countBy(await violations(session, named, seen));
		},
		async after() {
			const found = await violations(session, named, seen);
			const now = countBy(found);
			const grown = new Set([...now].filter(([pair, count]) => count > (known.get(pair) ?? 0)).map(([pair]) => pair));
			const added = found.filter(v => grown.has(v.key));
			if (added.length === 0) {
				return;
			}

			const extra = [...grown].reduce((sum, pair) => sum + now.get(pair)! - (known.get(pair) ?? 0), 0);
			const shown = added.slice(0, 3).map(v => `${v.table} row ${v.rowid} → ${v.parent}`).join(', ');
			throw new MigrationError(`${migration} (${direction}) leaves ${extra} more row${extra === 1 ? '' : 's'} whose foreign key points nowhere than before it ran (${shown}${added.length > 3 ? `, …and ${added.length - 3} more` : ''}); rolled back`, {
				migration,
				direction,
				statement: null,
				hint: 'SQLite migrations run with foreign key enforcement off (as sqlite3 runs them); fix the rows in the migration (copy or delete the children with their parent), then run again',
			});
		},
	};
}

/** Table names a statement writes, reads or rebuilds, as SQLite stores them (no quotes, no main.). */
function tablesNamed(sql: string): string[] {
	const names: string[] = [];
	const pattern = /\b(?:TABLE|INTO|UPDATE|FROM|JOIN|REFERENCES|RENAME\s+TO)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?((?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+))?)/gi;
	for (const match of sql.matchAll(pattern)) {
		const parts = match[1]!.split(/\s*\.\s*/);
		const name = parts.at(-1)!;
		names.push(unquote(name).toLowerCase());
	}

	return names;
}

function unquote(name: string): string {
	if (/^".*"$/.test(name)) {
		return name.slice(1, -1).replaceAll('""', '"');
	}

	return /^[`[].*[`\]]$/.test(name) ? name.slice(1, -1) : name;
}

/** foreign_key_check on the named tables that exist and on every table whose keys point at one of them. */
async function violations(session: Session, named: ReadonlySet<string>, seen: {foreignKeys?: boolean}): Promise<Violation[]> {
	if (named.size === 0) {
		return [];
	}

	const links = await session.run('SELECT m.name AS child, f."table" AS parent FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = \'table\'');
	seen.foreignKeys = links.length > 0;
	if (links.length === 0) {
		return [];
	}

	const tables = await session.run('SELECT name FROM sqlite_master WHERE type = \'table\'');
	const existing = new Map(tables.map(r => [String(r['name']).toLowerCase(), String(r['name'])]));
	const checked = new Set<string>();
	for (const name of named) {
		const table = existing.get(name);
		if (table !== undefined) {
			checked.add(table);
		}
	}

	for (const link of links) {
		if (named.has(String(link['parent']).toLowerCase())) {
			checked.add(String(link['child']));
		}
	}

	const found: Violation[] = [];
	for (const table of checked) {
		// eslint-disable-next-line no-await-in-loop -- one connection, in order
		for (const row of await session.run(`SELECT * FROM pragma_foreign_key_check('${table.replaceAll('\'', '\'\'')}')`)) {
			const rowid = String(row['rowid']);
			found.push({table: String(row['table']), rowid, parent: String(row['parent']), key: `${String(row['table']).toLowerCase()}|${String(row['parent']).toLowerCase()}`});
		}
	}

	return found;
}

function countBy(found: readonly Violation[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const v of found) {
		counts.set(v.key, (counts.get(v.key) ?? 0) + 1);
	}

	return counts;
}
