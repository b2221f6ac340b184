import type {DatabaseSnapshot} from './snapshot.js';
import {diffSnapshots, type ObjectChange} from './snapshot-diff.js';

/**
 * What a downgrade failed to put back: the schema objects that differ between the snapshot
 * before the upgrade and the one after the downs, in a few words; null when they match.
 * Rows are not compared: data changes legitimately while a run is under way.
 */
export function downgradeLeftovers(before: DatabaseSnapshot, downgraded: DatabaseSnapshot): string | null {
	const {objects} = diffSnapshots(before, downgraded);
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
