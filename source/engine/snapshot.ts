import type {Engine, RowCounts} from './model.js';

// What `cutover snapshot` records and a run keeps before and after its upgrade. Plain data.

export type SnapshotColumn = {
	name: string;
	/** As the engine declares it: PostgreSQL's format_type (`character varying(40)`), SQLite's declared type. */
	type: string;
	nullable: boolean;
	/** The default expression, null when none. */
	default: string | null;
};

export type SnapshotTable = {
	/** Named as row counts name tables: `table` in public (and on SQLite), `schema.table` elsewhere. */
	name: string;
	rows: number;
	/** PostgreSQL: pg_total_relation_size (heap, TOAST and indexes); null on SQLite, which keeps no size per table. */
	bytes: number | null;
	columns: SnapshotColumn[];
};

export type SnapshotIndex = {
	name: string;
	table: string;
	unique: boolean;
	/** PostgreSQL: pg_get_indexdef; SQLite: its CREATE INDEX, or the columns of an index a constraint made. */
	definition: string;
};

export type SnapshotConstraint = {
	name: string;
	table: string;
	kind: 'primary-key' | 'unique' | 'foreign-key' | 'check' | 'exclusion';
	definition: string;
};

export type SnapshotView = {
	name: string;
	/** The view's query as the engine keeps it. */
	definition: string;
};

/** A schema object beyond tables, columns, indexes, constraints and views: what a down must also take away. */
export type SnapshotObject = {
	kind: 'schema' | 'extension' | 'type' | 'function' | 'sequence' | 'trigger' | 'rule';
	/** As the catalog names it: `status`, `touch_updated_at()`, `users.touch` (a trigger or rule by its table). */
	name: string;
	/** The table a trigger or rule belongs to, or a sequence's owning table (serial, identity); null for the others. */
	table: string | null;
	definition: string;
};

/** One database at one moment: its tables with their rows, sizes and columns, the other schema objects, its migration version. cutover's own tables are left out. */
export type DatabaseSnapshot = {
	engine: Engine;
	database: string;
	/** The latest migration in cutover_migrations (by name, as applied migrations are ordered); null when it has none or no such table. */
	migration: string | null;
	/** The whole database's size (PostgreSQL: pg_database_size; SQLite: pages × page size). */
	bytes: number;
	tables: SnapshotTable[];
	indexes: SnapshotIndex[];
	constraints: SnapshotConstraint[];
	views: SnapshotView[];
	/** Types, functions, sequences, triggers, rules, extensions and schemas; absent from snapshots recorded before they were read. */
	others?: SnapshotObject[];
};

/** The row counts a snapshot holds, as Database.rowCounts gives them. */
export function countsOf(snapshot: DatabaseSnapshot): RowCounts {
	const counts: RowCounts = {};
	for (const table of snapshot.tables) {
		// defineProperty, because a table may well be called __proto__.
		Object.defineProperty(counts, table.name, {value: table.rows, enumerable: true, writable: true, configurable: true});
	}

	return counts;
}
