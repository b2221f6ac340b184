/** Waits between reconnection attempts: 1, 2, 4, 8 s, then every 15 s, so a restart is caught soon and a long outage is not hammered. */
export function backoffMs(attempt: number): number {
	return Math.min(15_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
