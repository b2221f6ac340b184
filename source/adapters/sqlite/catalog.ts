import type BetterSqlite3 from 'better-sqlite3';
import type {Catalog, CatalogObject} from '../../engine/catalog.js';
import {compare} from '../../engine/catalog.js';
import {BOOKKEEPING_TABLE, quoteIdentifier, userTables} from './user-tables.js';

type ColumnInfo = {name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number};
type IndexInfo = {name: string; unique: number; origin: 'c' | 'u' | 'pk'; partial: number};
type ForeignKeyInfo = {id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string; match: string};

/** SQL text as SQLite keeps it, with runs of white space as one space: a rebuilt table's index reads like the original's. */
const normalized = (sql: string | null) => (sql ?? '').replaceAll(/\s+/g, ' ').trim();

/**
 * The file's tables, columns (pragma table_xinfo: type, NOT NULL, default, key position,
 * generated), indexes, constraints (primary key, unique and foreign key from the pragmas, named
 * as the snapshot names them), views and triggers. SQLite has no functions, sequences or
 * schemas of its own, and keeps CHECK constraints only in the CREATE TABLE text, which a
 * rebuild rewrites: they are not compared. Run it in a read transaction.
 */
export function readSqliteCatalog(db: BetterSqlite3.Database): Catalog {
	const pragma = <T>(name: string, argument: string) => db.prepare(`PRAGMA ${name}(${quoteIdentifier(argument)})`).all() as T[];
	const objects: CatalogObject[] = [];
	const options = tableOptions(db);
	for (const table of userTables(db)) {
		objects.push({kind: 'table', name: table, table: null, definition: ['table', ...options.get(table) ?? []].join(', ')});
		const columns = pragma<ColumnInfo>('table_xinfo', table);
		for (const c of columns) {
			const hidden = c.hidden === 2 ? ' generated virtual' : c.hidden === 3 ? ' generated stored' : c.hidden === 1 ? ' hidden' : '';
			const definition = `${c.type === '' ? '(no type)' : c.type}${c.notnull === 1 ? ' not null' : ''}${c.dflt_value === null ? '' : ` default ${c.dflt_value}`}${hidden}`;
			objects.push({kind: 'column', name: `${table}.${c.name}`, table, definition});
		}

		const key = columns.filter(c => c.pk > 0).sort((a, b) => a.pk - b.pk).map(c => c.name);
		if (key.length > 0) {
			objects.push({kind: 'constraint', name: `${table}.${table}_pkey`, table, definition: `PRIMARY KEY (${key.join(', ')})`});
		}

		for (const index of pragma<IndexInfo>('index_list', table)) {
			const indexColumns = pragma<{name: string | null}>('index_info', index.name).map(c => c.name ?? '(expression)');
			if (index.origin === 'c') {
				const sql = db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`).pluck().get(index.name) as string | null;
				objects.push({kind: 'index', name: index.name, table, definition: normalized(sql)});
			} else if (index.origin === 'u') {
				objects.push({kind: 'constraint', name: `${table}.${table}_${indexColumns.join('_')}_key`, table, definition: `UNIQUE (${indexColumns.join(', ')})`});
			}
		}

		const foreign = new Map<number, ForeignKeyInfo[]>();
		for (const row of pragma<ForeignKeyInfo>('foreign_key_list', table)) {
			foreign.set(row.id, [...foreign.get(row.id) ?? [], row]);
		}

		for (const parts of foreign.values()) {
			const ordered = parts.sort((a, b) => a.seq - b.seq);
			const first = ordered[0]!;
			const from = ordered.map(p => p.from);
			const to = ordered.every(p => p.to !== null) ? `(${ordered.map(p => p.to).join(', ')})` : '';
			const definition = `FOREIGN KEY (${from.join(', ')}) REFERENCES ${first.table}${to} ON UPDATE ${first.on_update} ON DELETE ${first.on_delete}`;
			objects.push({kind: 'constraint', name: `${table}.${table}_${from.join('_')}_fkey`, table, definition});
		}
	}

	const others = db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN ('view', 'trigger') AND tbl_name <> ?`).all(BOOKKEEPING_TABLE) as Array<{type: 'view' | 'trigger'; name: string; tbl_name: string; sql: string | null}>;
	for (const o of others) {
		objects.push(o.type === 'view'
			? {kind: 'view', name: o.name, table: null, definition: normalized(o.sql)}
			: {kind: 'trigger', name: `${o.tbl_name}.${o.name}`, table: o.tbl_name, definition: normalized(o.sql)});
	}

	return {objects: objects.sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name))};
}

/** WITHOUT ROWID and STRICT, from pragma table_list (SQLite 3.37 and later; older ones say nothing of either). */
function tableOptions(db: BetterSqlite3.Database): Map<string, string[]> {
	const options = new Map<string, string[]>();
	try {
		for (const row of db.prepare('PRAGMA main.table_list').all() as Array<{name: string; wr: number; strict: number}>) {
			options.set(row.name, [...row.wr === 1 ? ['without rowid'] : [], ...row.strict === 1 ? ['strict'] : []]);
		}
	} catch {
		// An older SQLite: the table's shape is still its columns.
	}

	return options;
}
