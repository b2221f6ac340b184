import type {RunEvent} from '../engine/events.js';
import type {RunState} from '../engine/state.js';

/**
 * A resume that goes to the rollback prompt ends the upgrade where the stop left it. An up
 * outside a transaction still open then had statements 1..finished committed without a log
 * row: it is recorded as failed with what took effect, so the prompt, a downgrade (which runs
 * its down) and the record know it. Pure: the state in, the events to journal out.
 */
export function failStoppedStatements(state: RunState): RunEvent[] {
	return state.migrations
		.filter(m => m.direction === 'up' && m.status === 'running' && m.noTransaction !== undefined)
		.map(m => {
			const run = m.noTransaction!;
			const of = run.total === null ? '' : ` of ${run.total}`;
			const took = run.finished === 0 ? 'no statement was recorded as committed' : `statement${run.finished === 1 ? ' 1' : `s 1..${run.finished}`}${of} committed and stay${run.finished === 1 ? 's' : ''}`;
			const open = run.running === null ? '' : `; statement ${run.running} was started and not recorded as finished: it may or may not have taken effect, and counts as taken effect`;
			return {
				type: 'migration.failed',
				name: m.name,
				direction: 'up',
				error: `stopped part way outside a transaction, and the resume went to the rollback prompt: ${took}${open}`,
				statement: null,
				durationMs: 0,
				// The one that may have taken effect counts: a down undoes it as well, and a restore includes it.
				tookEffect: {statements: run.running ?? run.finished, total: run.total},
			} satisfies RunEvent;
		});
}
