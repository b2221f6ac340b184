/**
 * Runs `look` every `intervalMs` until stopped, one look at a time; a failing look is ignored
 * (looking never fails the work it watches). `stop` waits for a look in flight to end.
 */
export function pollWhileWaiting(look: () => Promise<void>, intervalMs: number): {stop(): Promise<void>} {
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let inFlight: Promise<void> = Promise.resolve();
	const schedule = () => {
		timer = setTimeout(() => {
			inFlight = look().catch(() => undefined).finally(() => {
				if (!stopped) {
					schedule();
				}
			});
		}, intervalMs);
	};

	schedule();
	return {
		async stop() {
			stopped = true;
			clearTimeout(timer);
			await inFlight;
		},
	};
}
