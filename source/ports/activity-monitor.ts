import type {LockSample} from '../engine/model.js';
import type {ActionOutcome, ActivitySnapshot} from '../watch/types.js';

/**
 * The live view of a server's sessions for `cutover watch`. Its own session is marked (an
 * application name, a short statement timeout) and left out of what it reports.
 */
export type ActivityMonitor = {
	/** One refresh; reconnects first when the last one lost the connection. Throws a TargetError when the server cannot be reached. */
	refresh(): Promise<ActivitySnapshot>;
	/** pg_database_size of the target database: expensive on a big cluster, so asked for rarely. */
	databaseSize(): Promise<number>;
	/** pg_cancel_backend / pg_terminate_backend; a refusal (privilege, gone) is an outcome, not a throw. */
	signal(kind: 'cancel' | 'terminate', pid: number): Promise<ActionOutcome>;
	close(): Promise<void>;
};

/** Takes bounded lock pictures during a run, to be journaled as watch.sampled. */
export type LockSampler = {
	sample(): Promise<LockSample>;
	close(): Promise<void>;
};
