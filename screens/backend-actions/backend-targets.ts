import type {LockSample} from '../../source/engine/model.js';

/** A session the operator may cancel or terminate from the upgrade screen, with what the sample knows of it. */
export type BackendTarget = {
	pid: number;
	user: string | null;
	application: string | null;
	/** null: hidden from the watching role, or a blocker that is not waiting itself (the sample lists waiters only). */
	query: string | null;
	/** How long it has waited for a lock; null when it is not waiting. */
	waitingMs: number | null;
	waitsFor: number[];
	/** Sampled waiters that wait for it. */
	blocks: number[];
	/** One of cutover's own sessions (the migrator, the run lock, the sampler): never offered. */
	own: boolean;
};

export const isOwnApplication = (application: string | null): boolean => application?.startsWith('cutover') ?? false;

/**
 * The sessions of one lock sample worth acting on: blockers first (those waiting for nobody,
 * then most waiters behind them), since ending the blocker is what usually frees the
 * migration, then the other waiters longest first. Prepared transactions (pid 0) have no
 * session to signal and are left out.
 */
export function backendTargets(sample: LockSample): BackendTarget[] {
	const blocks = new Map<number, number[]>();
	for (const waiter of sample.waiters) {
		for (const pid of waiter.blockedBy) {
			if (pid > 0) {
				blocks.set(pid, [...blocks.get(pid) ?? [], waiter.pid]);
			}
		}
	}

	const waiters = sample.waiters.map((w): BackendTarget => ({
		pid: w.pid,
		user: w.user,
		application: w.application,
		query: w.query,
		waitingMs: w.waitingMs,
		waitsFor: w.blockedBy,
		blocks: blocks.get(w.pid) ?? [],
		own: isOwnApplication(w.application),
	}));
	const onlyBlocking = [...blocks.keys()]
		.filter(pid => !waiters.some(w => w.pid === pid))
		.map((pid): BackendTarget => {
			const seen = sample.blockers?.find(b => b.pid === pid);
			return {
				pid,
				user: seen?.user ?? null,
				application: seen?.application ?? null,
				query: seen?.query ?? null,
				waitingMs: null,
				waitsFor: [],
				blocks: blocks.get(pid) ?? [],
				own: isOwnApplication(seen?.application ?? null),
			};
		});
	// Those that wait for nobody are where a chain starts; cutover's own come last, as they are never offered.
	const rank = (t: BackendTarget) => t.own ? 3 : t.blocks.length === 0 ? 2 : t.waitingMs === null ? 0 : 1;
	return [...onlyBlocking, ...waiters].sort((a, b) => rank(a) - rank(b) || b.blocks.length - a.blocks.length || (b.waitingMs ?? 0) - (a.waitingMs ?? 0) || a.pid - b.pid);
}
