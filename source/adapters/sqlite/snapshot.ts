import type BetterSqlite3 from 'better-sqlite3';
import type {DatabaseSnapshot, SnapshotConstraint, SnapshotIndex, SnapshotTable} from '../../engine/snapshot.js';
import {BOOKKEEPING_TABLE, quoteIdentifier, userTables} from './user-tables.js';

type ColumnInfo = {name: string; type: string; notnull: number; dflt_value: string | null; pk: number};
type IndexInfo = {name: string; unique: number; origin: 'c' | 'u' | 'pk'};
type ForeignKeyInfo = {id: number; seq: number; table: string; from: string; to: string | null; on_update: string; on_delete: string};

const compare = (a: string, b: string) => a < b ? -1 : (a > b ? 1 : 0);

/**
 * The file's tables (rows and columns; SQLite keeps no size per table), indexes, constraints
 * and views, and the last migration in cutover_migrations. Run it in one read transaction so
 * the parts belong together. SQLite names no constraint: they are named as PostgreSQL would
 * name them (`t_pkey`, `t_a_b_key`, `t_a_fkey`), so one schema on both engines reads alike;
 * CHECK constraints live only in the CREATE TABLE text and are not listed.
 */
export function readSnapshot(db: BetterSqlite3.Database, database: string): DatabaseSnapshot {
	const pragma = <T>(name: string, argument: string) => db.prepare(`PRAGMA ${name}(${quoteIdentifier(argument)})`).all() as T[];
	const sqlOf = db.prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND name = ?').pluck();
	const tables: SnapshotTable[] = [];
	const indexes: SnapshotIndex[] = [];
	const constraints: SnapshotConstraint[] = [];
	for (const table of userTables(db)) {
		const columns = pragma<ColumnInfo>('table_info', table);
		const rows = db.prepare(`SELECT count(*) FROM ${quoteIdentifier(table)}`).pluck().get() as number;
		tables.push({name: table, rows, bytes: null, columns: columns.map(c => ({name: c.name, type: c.type, nullable: c.notnull === 0 && c.pk === 0, default: c.dflt_value}))});

		const key = columns.filter(c => c.pk > 0).sort((a, b) => a.pk - b.pk).map(c => c.name);
		if (key.length > 0) {
			constraints.push({name: `${table}_pkey`, table, kind: 'primary-key', definition: `PRIMARY KEY (${key.join(', ')})`});
		}

		for (const index of pragma<IndexInfo>('index_list', table)) {
			const indexColumns = pragma<{name: string | null}>('index_info', index.name).map(c => c.name ?? '(expression)');
			if (index.origin === 'c') {
				const sql = sqlOf.get('index', index.name) as string | null;
				indexes.push({name: index.name, table, unique: index.unique === 1, definition: sql ?? `INDEX ON ${table} (${indexColumns.join(', ')})`});
			} else if (index.origin === 'u') {
				constraints.push({name: `${table}_${indexColumns.join('_')}_key`, table, kind: 'unique', definition: `UNIQUE (${indexColumns.join(', ')})`});
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
			const actions = `${first.on_update === 'NO ACTION' ? '' : ` ON UPDATE ${first.on_update}`}${first.on_delete === 'NO ACTION' ? '' : ` ON DELETE ${first.on_delete}`}`;
			constraints.push({name: `${table}_${from.join('_')}_fkey`, table, kind: 'foreign-key', definition: `FOREIGN KEY (${from.join(', ')}) REFERENCES ${first.table}${to}${actions}`});
		}
	}

	const views = (db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'view'`).all() as Array<{name: string; sql: string}>)
		.map(v => ({name: v.name, definition: v.sql.trim()}))
		.sort((a, b) => compare(a.name, b.name));
	// SQLite's only schema objects beyond those: triggers (it has no types, functions or sequences to leave behind).
	const others = (db.prepare(`SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name <> ?`).all(BOOKKEEPING_TABLE) as Array<{name: string; tbl_name: string; sql: string | null}>)
		.map(t => ({kind: 'trigger' as const, name: `${t.tbl_name}.${t.name}`, table: t.tbl_name, definition: (t.sql ?? '').trim()}))
		.sort((a, b) => compare(a.name, b.name));
	const pageCount = db.pragma('page_count', {simple: true}) as number;
	const pageSize = db.pragma('page_size', {simple: true}) as number;
	return {
		engine: 'sqlite',
		database,
		migration: latestMigration(db),
		bytes: pageCount * pageSize,
		tables,
		indexes: indexes.sort((a, b) => compare(a.name, b.name)),
		constraints: constraints.sort((a, b) => compare(a.table, b.table) || compare(a.name, b.name)),
		views,
		others,
	};
}

/** The last applied migration (a down deletes its row); null without cutover_migrations or rows in it. */
function latestMigration(db: BetterSqlite3.Database): string | null {
	const present = db.prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`).pluck().get(BOOKKEEPING_TABLE) as number;
	if (present === 0) {
		return null;
	}

	// Not max(name): versions are not in name order in every format (Flyway's 1.10 comes after 1.9). A table without the
	// column is none cutover made; its largest name is still the best guess, and no reason to fail the whole snapshot.
	const dated = (db.prepare(`PRAGMA table_info(${BOOKKEEPING_TABLE})`).all() as Array<{name: string}>).some(c => c.name === 'applied_at');
	return (db.prepare(`SELECT name FROM ${BOOKKEEPING_TABLE} ORDER BY ${dated ? 'applied_at DESC, ' : ''}name DESC LIMIT 1`).pluck().get() as string | undefined) ?? null;
}
