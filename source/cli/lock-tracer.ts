import type {FormatName} from '../adapters/migrator/formats/types.js';
import type {FlowOptions} from '../run/flow.js';
import type {Target} from '../target.js';

/**
 * What measures one database's pending migrations' locks on a throwaway copy of its schema, for
 * `cutover run` and `cutover resume`, one database or several: PostgreSQL only (SQLite has no
 * table locks to measure), and none with --no-trace. The copy is dropped however the trace ends.
 */
export function lockTracer(target: Target, options: {enabled: boolean; directory: string; format: FormatName | null; application: string}): FlowOptions['traceLocks'] {
	if (target.engine !== 'postgres' || !options.enabled) {
		return undefined;
	}

	// Imported when a trace starts: a run that does not trace never loads it.
	return async (signal: AbortSignal) => (await import('../lock-trace/measure-locks.js')).traceOnCopy(target, {
		directory: options.directory,
		format: options.format,
		empty: false,
		signal,
		application: options.application,
	});
}

/** The tracer as a flow's option: absent when there is none. */
export function withTracer(traceLocks: FlowOptions['traceLocks']): Pick<FlowOptions, 'traceLocks'> {
	return traceLocks === undefined ? {} : {traceLocks};
}
