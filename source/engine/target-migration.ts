import type {RunState} from './state.js';

/**
 * The migration this run brings the database to: the last it applies once the upgrade has
 * started; before that, the last pending one (up to --to); with nothing to apply, the last
 * applied. A runbook names it as :target_migration rather than as a literal, so a run with
 * --to, or the next release's run, checks what it did and not what the runbook's author ran.
 */
export function targetMigration(state: RunState): string | null {
	// Until the upgrade starts, the rows are the plan's whole pending list, before --to cuts it.
	const ups = state.steps.upgrade.status === 'waiting' ? [] : state.migrations.filter(m => m.direction === 'up');
	if (ups.length > 0) {
		return ups.at(-1)!.name;
	}

	const pending = state.plan?.pending ?? [];
	const until = state.to === null ? -1 : pending.findIndex(m => m.name === state.to);
	const planned = until === -1 ? pending : pending.slice(0, until + 1);
	return planned.at(-1)?.name ?? state.plan?.applied.at(-1)?.name ?? null;
}

export const TARGET_TOKEN = ':target_migration';

// Not the second colon of a cast (x::target_migration is no token), nor the start of a longer name.
const token = /(?<!:):target_migration(?![A-Za-z0-9_])/g;

export function mentionsTarget(sql: string): boolean {
	return new RegExp(token.source).test(sql);
}

/** The SQL with :target_migration as a quoted literal of the target's name. */
export function bindTarget(sql: string, target: string): string {
	return sql.replace(token, `'${target.replaceAll('\'', '\'\'')}'`);
}
