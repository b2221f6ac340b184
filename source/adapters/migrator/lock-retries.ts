import {setTimeout as sleep} from 'node:timers/promises';
import type {LockPolicy, LockRetry} from '../../ports/migrator.js';
import {backoffAfter} from './lock-policy.js';

export type Attempts =
	| {ok: true}
	/** `lockTimedOut`: every attempt made ran out of lock time; `stopped`: the signal ended the waiting early. */
	| {ok: false; error: unknown; attempts: number; lockTimedOut: boolean; stopped: boolean};

/**
 * Runs `attempt` until it succeeds, fails with anything but a lock timeout, or has had
 * policy.maxAttempts goes. Each attempt must leave nothing behind when it fails (a rolled-back
 * transaction), so trying again is safe. Between attempts: onRetry, then the backoff.
 */
export async function retryLockTimeouts(options: {
	policy: LockPolicy;
	attempt: () => Promise<void>;
	isLockTimeout: (error: unknown) => boolean;
	describe: (error: unknown) => string;
	onRetry?: ((retry: LockRetry) => void) | undefined;
	signal?: AbortSignal | undefined;
}): Promise<Attempts> {
	const {policy, signal} = options;
	for (let attempt = 1; ; attempt++) {
		try {
			// eslint-disable-next-line no-await-in-loop -- attempts are sequential by nature
			await options.attempt();
			return {ok: true};
		} catch (error) {
			const lockTimedOut = options.isLockTimeout(error);
			if (!lockTimedOut || attempt >= policy.maxAttempts || signal?.aborted === true) {
				return {ok: false, error, attempts: attempt, lockTimedOut, stopped: lockTimedOut && signal?.aborted === true};
			}

			const waitMs = backoffAfter(policy, attempt);
			options.onRetry?.({attempt, maxAttempts: policy.maxAttempts, waitMs, error: options.describe(error)});
			try {
				// eslint-disable-next-line no-await-in-loop
				await sleep(waitMs, undefined, signal === undefined ? {} : {signal});
			} catch {
				return {ok: false, error, attempts: attempt, lockTimedOut, stopped: true};
			}
		}
	}
}
