import type {Engine, RowCounts} from '../../source/engine/model.js';
import type {DatabaseSnapshot, SnapshotTable} from '../../source/engine/snapshot.js';

/** A snapshot holding these tables with these counts (one id column each), for fakes and screen tests. */
export function snapshotOf(counts: RowCounts, more: Partial<DatabaseSnapshot> = {}, engine: Engine = 'sqlite'): DatabaseSnapshot {
	const tables: SnapshotTable[] = Object.entries(counts).map(([name, rows]) => ({name, rows, bytes: null, columns: [{name: 'id', type: 'INTEGER', nullable: false, default: null}]}));
	return {engine, database: 'app', migration: null, bytes: 4096, tables, indexes: [], constraints: [], views: [], ...more};
}
