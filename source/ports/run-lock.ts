/** Who holds a target's run lock, so a second operator can be told whom to ask. */
export type RunLockHolder = {
	runId: string;
	operator: string;
	host: string;
	/** The holding cutover process on `host`; for a run not yet described (see `described`), its database session. */
	pid: number;
	/** Epoch milliseconds when the lock was taken. */
	since: number;
	/**
	 * false: a PostgreSQL run that holds the lock but has not confirmed its window yet, so has
	 * written nothing to the target; only its run id (from its session's application name) and
	 * its database session are known. Absent: the holder as the run described itself.
	 */
	described?: false;
};

/** Why a run no longer holds its lock. */
export type RunLockLoss = {
	/** What happened, in words: the session ended, the lock file was removed or replaced. */
	detail: string;
};

export type RunLockHandle = {
	/** A holder whose lock was found abandoned (its process gone) and taken over by this acquire; null when the lock was free. */
	readonly replaced: RunLockHolder | null;
	/**
	 * The window is confirmed: from now on the run may write to the target, and the holder is
	 * described where a second run and `cutover status` read it. Nothing is written before.
	 */
	windowConfirmed(): Promise<void>;
	/** Calls `listener` once when the lock is found lost (never for the handle's own release). Returns the unsubscribe. */
	onLost(listener: (loss: RunLockLoss) => void): () => void;
	/** Gives the lock up; safe to call more than once. */
	release(): Promise<void>;
	/**
	 * Lets go of the lock's session for a moment, the run still going on: a PostgreSQL restore
	 * renames the database, which no session may be connected to. A no-op where the lock
	 * holds no session (SQLite's lock file).
	 */
	stepAside(): Promise<void>;
	/** Takes the lock again after stepAside, on whatever database now has the target's name; throws RunLockedError if another run took it meanwhile. */
	retake(): Promise<void>;
};

/** One run at a time per database. */
export type RunLock = {
	/** Throws RunLockedError naming the holder when another run has the lock. */
	acquire(holder: RunLockHolder): Promise<RunLockHandle>;
	/** The current holder, or null when no run holds the lock (an abandoned lock is no holder). */
	inspect(): Promise<RunLockHolder | null>;
};
