import type {RunState} from './state.js';

/**
 * What the migrations this run applied name in their own statements (see MigrationInfo.touches):
 * the changes in the snapshot after the upgrade that they asked for. Pure: from the plan and the
 * migrations the run finished, so a replay reads the same.
 */
export function expectedChanges(state: Pick<RunState, 'plan' | 'migrations'>): {objects: string[]; rows: string[]} {
	const applied = new Set(state.migrations.filter(m => m.direction === 'up' && m.status === 'done').map(m => m.name));
	const objects = new Set<string>();
	const rows = new Set<string>();
	for (const migration of state.plan?.pending ?? []) {
		if (applied.has(migration.name) && migration.touches !== undefined) {
			for (const name of migration.touches.objects) {
				objects.add(name);
			}

			for (const name of migration.touches.rows) {
				rows.add(name);
			}
		}
	}

	return {objects: [...objects].sort(), rows: [...rows].sort()};
}
