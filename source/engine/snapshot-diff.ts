import type {DatabaseSnapshot, SnapshotColumn, SnapshotObject, SnapshotTable} from './snapshot.js';

export type SnapshotObjectKind = 'table' | 'column' | 'index' | 'constraint' | 'view' | SnapshotObject['kind'];

/** A schema object that is in one snapshot only, or in both and defined otherwise. */
export type ObjectChange = {
	kind: SnapshotObjectKind;
	/** Columns are `table.column`; the others their own name. */
	name: string;
	/** The table an index, constraint or column belongs to; null for tables and views. */
	table: string | null;
	change: 'added' | 'removed' | 'changed';
	before: string | null;
	after: string | null;
	/** Why this change is unexpected; null when it is not (or `--allow` names it). */
	unexpected: string | null;
	/** Named by an allow: reported, not held against the diff. */
	allowed: boolean;
};

/** A table in both snapshots whose rows or size changed. */
export type TableDataChange = {
	table: string;
	rows: {before: number; after: number};
	bytes: {before: number | null; after: number | null};
	unexpected: string | null;
	allowed: boolean;
};

export type SnapshotDiff = {
	objects: ObjectChange[];
	data: TableDataChange[];
	/** Tables in both snapshots with the same rows and size. */
	unchangedTables: number;
	migration: {before: string | null; after: string | null};
	bytes: {before: number; after: number};
	/** Said, not judged: the snapshots are of different databases or engines. */
	notes: string[];
	/** One line per unexpected change; empty when the diff holds none. */
	unexpected: string[];
};

export type DiffOptions = {
	/** Names (or tables, for everything on them) whose changes are expected this time: `--allow`. */
	allow?: readonly string[];
	/** What the run's migrations themselves alter or remove (objects), and the tables they remove rows from (rows). */
	expected?: {objects: readonly string[]; rows: readonly string[]};
};

/**
 * What changed from `before` to `after`. Unexpected, and so what makes `cutover snapshot diff`
 * exit non-zero: a schema object removed (a table, column, index, constraint, view, or one of the
 * others: trigger, type, function, sequence…); one defined otherwise (a column's type,
 * nullability or default, an index's, a constraint's, a view's or another object's definition); a table whose row count dropped; a migration version that vanished. Added objects, more rows and size changes are expected: that is what upgrades do.
 * `allow` names objects (or tables, for everything on them) whose changes are expected this time.
 */
export function diffSnapshots(before: DatabaseSnapshot, after: DatabaseSnapshot, options: DiffOptions = {}): SnapshotDiff {
	const allow = new Set([...options.allow ?? [], ...options.expected?.objects ?? []]);
	const rowsAllowed = new Set([...options.allow ?? [], ...options.expected?.rows ?? []]);
	// A function by its name without its arguments, a trigger by its own name too: as a statement names them.
	const isAllowed = (kind: SnapshotObjectKind, name: string, table: string | null) => allow.has(name) || (table !== null && allow.has(table))
		|| (kind === 'function' && allow.has(name.replace(/\(.*$/s, '')))
		|| (kind === 'trigger' && table !== null && allow.has(name.slice(table.length + 1)));
	const objects: ObjectChange[] = [];
	const add = (change: Omit<ObjectChange, 'unexpected' | 'allowed'>, why: string | null) => {
		const allowed = why !== null && isAllowed(change.kind, change.name, change.table);
		objects.push({...change, unexpected: allowed ? null : why, allowed});
	};

	const beforeTables = byKey(before.tables, t => t.name);
	const afterTables = byKey(after.tables, t => t.name);
	const data: TableDataChange[] = [];
	let unchangedTables = 0;
	for (const name of union(beforeTables, afterTables)) {
		const b = beforeTables.get(name);
		const a = afterTables.get(name);
		if (b === undefined) {
			add({kind: 'table', name, table: null, change: 'added', before: null, after: describeTable(a!)}, null);
			continue;
		}

		if (a === undefined) {
			add({kind: 'table', name, table: null, change: 'removed', before: describeTable(b), after: null}, `table ${name} was removed (it had ${rows(b.rows)})`);
			continue;
		}

		diffColumns(b, a, add);
		if (b.rows === a.rows && b.bytes === a.bytes) {
			unchangedTables++;
			continue;
		}

		const why = a.rows < b.rows ? `table ${name} lost ${rows(b.rows - a.rows)} (${b.rows} → ${a.rows})` : null;
		const allowed = why !== null && rowsAllowed.has(name);
		data.push({table: name, rows: {before: b.rows, after: a.rows}, bytes: {before: b.bytes, after: a.bytes}, unexpected: allowed ? null : why, allowed});
	}

	// An index, constraint or column of a table that came or went goes with its table: listed once.
	const tableGone = (table: string) => beforeTables.has(table) && !afterTables.has(table);
	const tableNew = (table: string) => !beforeTables.has(table) && afterTables.has(table);
	const indexKey = (i: {name: string}) => i.name;
	const beforeIndexes = byKey(before.indexes, indexKey);
	const afterIndexes = byKey(after.indexes, indexKey);
	for (const name of union(beforeIndexes, afterIndexes)) {
		const b = beforeIndexes.get(name);
		const a = afterIndexes.get(name);
		const table = (a ?? b)!.table;
		if (b === undefined) {
			if (!tableNew(table)) {
				add({kind: 'index', name, table, change: 'added', before: null, after: a!.definition}, null);
			}
		} else if (a === undefined) {
			if (!tableGone(table)) {
				add({kind: 'index', name, table, change: 'removed', before: b.definition, after: null}, `index ${name} on ${table} was removed`);
			}
		} else if (sameText(b.definition, before.engine) !== sameText(a.definition, after.engine) || b.unique !== a.unique || b.table !== a.table) {
			add({kind: 'index', name, table, change: 'changed', before: b.definition, after: a.definition}, `index ${name} on ${table} was defined otherwise`);
		}
	}

	const constraintKey = (c: {table: string; name: string}) => `${c.table}\u0000${c.name}`;
	const beforeConstraints = byKey(before.constraints, constraintKey);
	const afterConstraints = byKey(after.constraints, constraintKey);
	for (const key of union(beforeConstraints, afterConstraints)) {
		const b = beforeConstraints.get(key);
		const a = afterConstraints.get(key);
		const {name, table} = (a ?? b)!;
		if (b === undefined) {
			if (!tableNew(table)) {
				add({kind: 'constraint', name, table, change: 'added', before: null, after: a!.definition}, null);
			}
		} else if (a === undefined) {
			if (!tableGone(table)) {
				add({kind: 'constraint', name, table, change: 'removed', before: b.definition, after: null}, `constraint ${name} on ${table} was removed`);
			}
		} else if (b.definition !== a.definition || b.kind !== a.kind) {
			add({kind: 'constraint', name, table, change: 'changed', before: b.definition, after: a.definition}, `constraint ${name} on ${table} was defined otherwise`);
		}
	}

	const beforeViews = byKey(before.views, v => v.name);
	const afterViews = byKey(after.views, v => v.name);
	for (const name of union(beforeViews, afterViews)) {
		const b = beforeViews.get(name);
		const a = afterViews.get(name);
		if (b === undefined) {
			add({kind: 'view', name, table: null, change: 'added', before: null, after: a!.definition}, null);
		} else if (a === undefined) {
			add({kind: 'view', name, table: null, change: 'removed', before: b.definition, after: null}, `view ${name} was removed`);
		} else if (sameText(b.definition, before.engine) !== sameText(a.definition, after.engine)) {
			add({kind: 'view', name, table: null, change: 'changed', before: b.definition, after: a.definition}, `view ${name} was defined otherwise`);
		}
	}

	// Only where both snapshots read them: one recorded before they were has none to compare.
	if (before.others !== undefined && after.others !== undefined) {
		const otherKey = (o: SnapshotObject) => `${o.kind}\u0000${o.name}`;
		const beforeOthers = byKey(before.others, otherKey);
		const afterOthers = byKey(after.others, otherKey);
		for (const key of union(beforeOthers, afterOthers)) {
			const b = beforeOthers.get(key);
			const a = afterOthers.get(key);
			const {kind, name, table} = (a ?? b)!;
			const on = table === null ? '' : ` on ${table}`;
			if (b === undefined) {
				if (table === null || !tableNew(table)) {
					add({kind, name, table, change: 'added', before: null, after: a!.definition}, null);
				}
			} else if (a === undefined) {
				if (table === null || !tableGone(table)) {
					add({kind, name, table, change: 'removed', before: b.definition, after: null}, `${kind} ${name}${on} was removed`);
				}
			} else if (sameText(b.definition, before.engine) !== sameText(a.definition, after.engine)) {
				add({kind, name, table, change: 'changed', before: b.definition, after: a.definition}, `${kind} ${name}${on} was defined otherwise`);
			}
		}
	}

	const notes: string[] = [];
	if ((before.others === undefined) !== (after.others === undefined)) {
		notes.push(`the ${before.others === undefined ? 'first' : 'second'} snapshot was taken before triggers, types, functions and sequences were read: those are not compared`);
	}

	if (before.engine !== after.engine) {
		notes.push(`the snapshots are of different engines (${before.engine}, ${after.engine})`);
	} else if (before.database !== after.database) {
		notes.push(`the snapshots are of different databases (${before.database}, ${after.database})`);
	}

	objects.sort((x, y) => order(x) - order(y) || compare(x.name, y.name));
	const unexpected = [...objects.map(o => o.unexpected), ...data.map(d => d.unexpected)].filter((why): why is string => why !== null);
	const wentBack = migrationWentBack(before.migration, after.migration);
	if (wentBack !== null) {
		unexpected.push(wentBack);
	}

	return {
		objects,
		data,
		unchangedTables,
		migration: {before: before.migration, after: after.migration},
		bytes: {before: before.bytes, after: after.bytes},
		notes,
		unexpected,
	};
}

/**
 * A definition as compared: a function's body and SQLite's views, indexes and triggers are kept as written, so a down
 * that makes one again with other indentation or line breaks has not changed it (a blind spot:
 * whitespace inside a string literal, or in a body whose language reads it, is not compared).
 * SQLite quotes the names in their text when a table they name is renamed (`ON users`
 * becomes `ON "users"`); its names are case-insensitive, so quotes around a plain name mean nothing.
 */
function sameText(definition: string, engine: DatabaseSnapshot['engine']): string {
	const spaced = definition.replaceAll(/\s+/g, ' ').trim();
	return engine === 'sqlite' ? spaced.replaceAll(/"([A-Za-z_]\w*)"|`([A-Za-z_]\w*)`|\[([A-Za-z_]\w*)\]/g, (_, a?: string, b?: string, c?: string) => (a ?? b ?? c)!) : spaced;
}

/** A version that vanished; another version is not judged (names are not in version order in every format, and a rollback goes back on purpose). */
function migrationWentBack(before: string | null, after: string | null): string | null {
	return before !== null && after === null ? `the migration version ${before} is gone (no cutover_migrations row after)` : null;
}

function diffColumns(before: SnapshotTable, after: SnapshotTable, add: (change: Omit<ObjectChange, 'unexpected' | 'allowed'>, why: string | null) => void): void {
	const b = byKey(before.columns, c => c.name);
	const a = byKey(after.columns, c => c.name);
	for (const column of union(b, a)) {
		const was = b.get(column);
		const is = a.get(column);
		const name = `${before.name}.${column}`;
		if (was === undefined) {
			add({kind: 'column', name, table: before.name, change: 'added', before: null, after: describeColumn(is!)}, null);
		} else if (is === undefined) {
			add({kind: 'column', name, table: before.name, change: 'removed', before: describeColumn(was), after: null}, `column ${name} was removed`);
		} else if (describeColumn(was) !== describeColumn(is)) {
			add({kind: 'column', name, table: before.name, change: 'changed', before: describeColumn(was), after: describeColumn(is)}, `column ${name} changed: ${describeColumn(was)} → ${describeColumn(is)}`);
		}
	}
}

export function describeColumn(column: SnapshotColumn): string {
	return `${column.type === '' ? '(no type)' : column.type}${column.nullable ? '' : ' not null'}${column.default === null ? '' : ` default ${column.default}`}`;
}

function describeTable(table: SnapshotTable): string {
	return `${rows(table.rows)}, ${table.columns.length} column${table.columns.length === 1 ? '' : 's'}`;
}

const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

const kindOrder: Record<SnapshotObjectKind, number> = {table: 0, column: 1, index: 2, constraint: 3, view: 4, trigger: 5, rule: 5, function: 6, type: 7, sequence: 8, extension: 9, schema: 9};
const changeOrder = {removed: 0, changed: 1, added: 2} as const;
// Unexpected first, so a short screen shows what matters; then by kind.
const order = (o: ObjectChange) => (o.unexpected === null ? 100 : 0) + (changeOrder[o.change] * 10) + kindOrder[o.kind];

function byKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
	return new Map(items.map(item => [key(item), item]));
}

function union<T>(a: Map<string, T>, b: Map<string, T>): string[] {
	return [...new Set([...a.keys(), ...b.keys()])].sort(compare);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
	return a < b ? -1 : (a > b ? 1 : 0);
}

/** The diff in a few numbers and the unexpected changes in words, as a run's record keeps it. */
export function summarizeDiff(diff: SnapshotDiff): {added: number; removed: number; changed: number; unexpected: string[]} {
	const of = (change: ObjectChange['change']) => diff.objects.filter(o => o.change === change).length;
	return {added: of('added'), removed: of('removed'), changed: of('changed'), unexpected: diff.unexpected};
}
