import type {SchemaChange} from '../sql/created-objects.js';

/** A table or index a migration's SQL creates (or a rename names), and the migration after it in the range that drops or renames it, if one does. */
export type EvidenceObject = {kind: 'table' | 'index'; name: string; droppedBy?: string; renamedTo?: string};

/** A migration as the evidence reads it: its name and its SQL's changes in order. */
export type EvidenceFile = {name: string; changes: readonly SchemaChange[]};

type Live = {file: number; object: number; table?: string};

/**
 * Follows the migrations' creates, drops and renames in order. `after(n, alive)` is told, after the
 * n-th migration, the objects created by the migrations so far that it has not dropped, and whether
 * the n-th made one of them itself. The result is, per migration, what it creates (and the new names
 * its renames give objects made in the range), each marked with the later migration that drops or
 * renames it: an object dropped later is no evidence either way.
 */
export function followObjects(files: readonly EvidenceFile[], after?: (n: number, alive: ReadonlyArray<{kind: 'table' | 'index'; name: string}>, own: boolean) => void): EvidenceObject[][] {
	const objects: EvidenceObject[][] = files.map(() => []);
	// By key: the objects of that name made in the range and still there (CREATE … IF NOT EXISTS may make one twice).
	const live = new Map<string, Live[]>();
	const gone = (key: string, by: string, renamedTo?: string) => {
		for (const ref of live.get(key) ?? []) {
			objects[ref.file]![ref.object] = {...objects[ref.file]![ref.object]!, droppedBy: by, ...(renamedTo === undefined ? {} : {renamedTo})};
		}

		live.delete(key);
	};

	const add = (file: number, kind: 'table' | 'index', name: string, key: string, table?: string) => {
		objects[file]!.push({kind, name});
		live.set(key, [...live.get(key) ?? [], {file, object: objects[file]!.length - 1, ...(table === undefined ? {} : {table})}]);
	};

	const indexesOn = (table: string) => [...live].filter(([key, refs]) => key.startsWith('index:') && refs.some(ref => ref.table === table)).map(([key]) => key);
	for (const [n, file] of files.entries()) {
		for (const change of file.changes) {
			if (change.change === 'create') {
				add(n, change.kind, change.name, change.key, change.table);
			} else if (change.change === 'drop') {
				if (change.kind === 'table') {
					// Its indexes go with it.
					for (const index of indexesOn(change.key)) {
						gone(index, file.name);
					}
				}

				gone(change.key, file.name);
			} else if (live.has(change.key)) {
				// Only what the range made is followed to its new name: a rename of something else proves nothing here.
				const moved = change.kind === 'table' ? indexesOn(change.key) : [];
				const table = live.get(change.key)![0]!.table;
				gone(change.key, file.name, change.to);
				add(n, change.kind, change.to, change.toKey, table);
				// The table's indexes keep their names, now on the new one.
				for (const index of moved) {
					live.set(index, live.get(index)!.map(ref => ({...ref, table: change.toKey})));
				}
			}
		}

		if (after !== undefined) {
			const alive = [...live.values()].map(refs => refs.at(-1)!);
			after(n, alive.map(ref => objects[ref.file]![ref.object]!).map(({kind, name}) => ({kind, name})), alive.some(ref => ref.file === n));
		}
	}

	return objects;
}
