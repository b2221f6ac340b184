// The schema objects a database holds, as the round trip compares them. Plain data; each engine's
// adapter reads it, and the comparison below is pure.

export type CatalogKind = 'schema' | 'extension' | 'type' | 'table' | 'column' | 'index' | 'constraint' | 'function' | 'view' | 'sequence' | 'trigger' | 'rule';

export type CatalogObject = {
	kind: CatalogKind;
	/** As an operator names it: `users`, `users.status`, `report_total(integer)`, `app.audit` outside public. */
	name: string;
	/** The table a column, index, constraint, trigger or rule belongs to, or a sequence's owning table; null for the others. */
	table: string | null;
	/** Everything that makes it what it is, as one text: a column's type, nullability and default; an index's definition. */
	definition: string;
};

export type Catalog = {objects: CatalogObject[]};

/** One object that differs between the catalog expected and the one found. */
export type CatalogDifference = {
	kind: CatalogKind;
	name: string;
	/** extra: found and not expected (a down left it behind); missing: expected and not found; changed: both, defined otherwise. */
	change: 'extra' | 'missing' | 'changed';
	expected: string | null;
	found: string | null;
};

const key = (o: Pick<CatalogObject, 'kind' | 'name'>) => `${o.kind}\u0000${o.name}`;

/**
 * What differs from `expected` to `found`. A column, index, constraint, trigger or rule of a
 * table that is itself extra or missing goes with its table: listed once, as the table.
 */
export function diffCatalogs(expected: Catalog, found: Catalog): CatalogDifference[] {
	const want = new Map(expected.objects.map(o => [key(o), o]));
	const have = new Map(found.objects.map(o => [key(o), o]));
	const tablesOnlyIn = (a: Map<string, CatalogObject>, b: Map<string, CatalogObject>) =>
		new Set([...a.values()].filter(o => o.kind === 'table' && !b.has(key(o))).map(o => o.name));
	const extraTables = tablesOnlyIn(have, want);
	const missingTables = tablesOnlyIn(want, have);
	const differences: CatalogDifference[] = [];
	for (const id of [...new Set([...want.keys(), ...have.keys()])]) {
		const w = want.get(id);
		const h = have.get(id);
		if (w !== undefined && h !== undefined) {
			if (w.definition !== h.definition) {
				differences.push({kind: w.kind, name: w.name, change: 'changed', expected: w.definition, found: h.definition});
			}
		} else if (h !== undefined) {
			if (h.table === null || !extraTables.has(h.table)) {
				differences.push({kind: h.kind, name: h.name, change: 'extra', expected: null, found: h.definition});
			}
		} else if (w !== undefined && (w.table === null || !missingTables.has(w.table))) {
			differences.push({kind: w.kind, name: w.name, change: 'missing', expected: w.definition, found: null});
		}
	}

	return differences.sort((a, b) => changeOrder[a.change] - changeOrder[b.change] || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || compare(a.name, b.name));
}

const changeOrder = {extra: 0, missing: 1, changed: 2} as const;
const kindOrder: readonly CatalogKind[] = ['schema', 'extension', 'type', 'table', 'column', 'sequence', 'index', 'constraint', 'trigger', 'rule', 'function', 'view'];

/** Code-unit order: the same on every machine. */
export function compare(a: string, b: string): number {
	return a < b ? -1 : (a > b ? 1 : 0);
}

/**
 * The differences in words, grouped by change: "left behind: function report_total(integer),
 * index idx_report_day; not restored: column users.status". `after` names the step: after a
 * down, what is extra was left behind; after a re-up, it is extra.
 */
export function describeDifferences(differences: readonly CatalogDifference[], after: 'down' | 'up'): string {
	const words = after === 'down'
		? {extra: 'left behind', missing: 'not restored', changed: 'defined otherwise'}
		: {extra: 'extra', missing: 'missing', changed: 'defined otherwise'};
	const parts: string[] = [];
	for (const change of ['extra', 'missing', 'changed'] as const) {
		const named = differences.filter(d => d.change === change).map(d => `${d.kind} ${d.name}`);
		if (named.length > 0) {
			parts.push(`${words[change]}: ${named.join(', ')}`);
		}
	}

	return parts.join('; ');
}
