import {tableName} from './user-tables.js';

export type DumpEntry = {
	/** "TABLE", "TABLE DATA", "TABLE ATTACH" or the first word of any other kind. */
	kind: string;
	schema: string;
	name: string;
};

export type DumpList = {
	entries: DumpEntry[];
};

const entryLine = /^\d+; \d+ \d+ (.*)$/;
const tableKinds = ['TABLE DATA', 'TABLE ATTACH', 'TABLE'];

/**
 * Reads `pg_restore --list`. A line is "<id>; <catalog> <oid> <KIND> <schema> <name> <owner>";
 * names are printed unquoted, so the name is whatever sits between the schema and the owner.
 */
export function parseDumpList(text: string): DumpList {
	const entries: DumpEntry[] = [];
	for (const line of text.split('\n')) {
		const match = entryLine.exec(line.trimEnd());
		if (match?.[1] === undefined) {
			continue;
		}

		const rest = match[1];
		const kind = tableKinds.find(candidate => rest.startsWith(`${candidate} `));
		if (kind === undefined) {
			entries.push({kind: rest.split(' ')[0] ?? '', schema: '', name: ''});
			continue;
		}

		const words = rest.slice(kind.length + 1).split(' ');
		const schema = words[0] ?? '';
		const name = words.length > 2 ? words.slice(1, -1).join(' ') : (words[1] ?? '');
		entries.push({kind, schema, name});
	}

	return {entries};
}

export function tablesOfKind(list: DumpList, kind: 'TABLE' | 'TABLE DATA'): Set<string> {
	return new Set(list.entries.filter(entry => entry.kind === kind).map(entry => tableName(entry.schema, entry.name)));
}

/**
 * The roles that own the dump's objects: the last word of each entry. An entry without an
 * owner (a comment on an extension, say) ends in the space before its empty owner.
 */
export function ownersOf(text: string): string[] {
	const owners = new Set<string>();
	for (const line of text.split('\n')) {
		const clean = line.replace(/\r$/, '');
		if (!entryLine.test(clean) || clean.endsWith(' ')) {
			continue;
		}

		const owner = clean.slice(clean.lastIndexOf(' ') + 1);
		if (owner !== '' && owner !== '-') {
			owners.add(owner);
		}
	}

	return [...owners].sort();
}
