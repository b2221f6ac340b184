/** Describes the holder of the advisory lock; the lock itself is the truth, a row without it describes nobody. */
export const RUN_LOCK_TABLE = 'cutover_run_lock';

/** A stable 64-bit key per database, so the lock never collides with another tool's advisory locks by accident. */
export const lockKeySql = String.raw`('x' || substr(md5('cutover run lock:' || current_database()), 1, 16))::bit(64)::bigint`;
