import type {DatabaseSnapshot} from './snapshot.js';
import {diffSnapshots, type ObjectChange} from './snapshot-diff.js';

/**
 * What a downgrade failed to put back: the schema objects that differ between the snapshot
 * before the upgrade and the one after the downs, in a few words; null when they match.
 * Rows are not compared: data changes legitimately while a run is under way.
 */
export function downgradeLeftovers(before: DatabaseSnapshot, downgraded: DatabaseSnapshot, kept: readonly string[] = []): string | null {
	// The folder's tool's history table (maragu's, goose's), which cutover makes and keeps with the migrations: no down drops it, nor should.
	const keptHere = (name: string | null) => name !== null && kept.some(table => name === table || name.endsWith(`.${table}`));
	// An extension an up installed stays: downs leave it on purpose (others may use it), and an up's CREATE EXTENSION IF NOT EXISTS finds it. Said, not failed: see extensionsLeft.
	const objects = diffSnapshots(before, downgraded).objects.filter(o => !keptHere(o.kind === 'table' ? o.name : o.table) && !(o.kind === 'extension' && o.change === 'added'));
	if (objects.length === 0) {
		return null;
	}

	const named = (change: ObjectChange['change']) => objects.filter(o => o.change === change).map(o => `${o.kind} ${o.name}`);
	const parts = [
		['the downs left behind', named('added')],
		['gone', named('removed')],
		['changed', named('changed')],
	] as const;
	return parts.filter(([, names]) => names.length > 0).map(([label, names]) => `${label}: ${names.join(', ')}`).join('; ');
}

/** The extensions the upgrade installed that are still there after the downs, in a few words; null when none. */
export function extensionsLeft(before: DatabaseSnapshot, downgraded: DatabaseSnapshot): string | null {
	const added = diffSnapshots(before, downgraded).objects.filter(o => o.kind === 'extension' && o.change === 'added').map(o => o.name);
	return added.length === 0 ? null : `extension${added.length === 1 ? '' : 's'} ${added.join(', ')} stay${added.length === 1 ? 's' : ''} installed (no down drops ${added.length === 1 ? 'it' : 'them'}; an up that creates ${added.length === 1 ? 'it' : 'them'} without IF NOT EXISTS would fail on ${added.length === 1 ? 'it' : 'them'})`;
}
