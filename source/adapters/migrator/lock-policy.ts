import type {LockPolicy} from '../../ports/migrator.js';

/** A few seconds per attempt: long enough for ordinary queries to finish, short enough that readers queued behind the migration barely notice. */
export const defaultLockPolicy: LockPolicy = {lockTimeoutMs: 5000, maxAttempts: 3, backoffMs: 1000};

/** Doubling stops here: past it the operator is better served by the rollback prompt than by another wait. */
export const maxBackoffMs = 30_000;

/** The longest lock timeout a checklist or a migration may ask for. */
export const maxLockTimeoutMs = 600_000;

/** The defaults under what was given; at least one attempt, whatever was asked. */
export function resolveLockPolicy(partial: Partial<LockPolicy> = {}): LockPolicy {
	const policy = {...defaultLockPolicy, ...partial};
	return {...policy, maxAttempts: Math.max(1, Math.floor(policy.maxAttempts)), backoffMs: Math.max(0, policy.backoffMs)};
}

/** The wait after `attempt` timed out: backoff, then doubling, capped. */
export function backoffAfter(policy: LockPolicy, attempt: number): number {
	return Math.min(policy.backoffMs * (2 ** (attempt - 1)), Math.max(maxBackoffMs, policy.backoffMs));
}
